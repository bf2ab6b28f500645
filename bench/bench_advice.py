"""Benchmark issuing an advice summary end to end; prints figures only.

python -m bench.bench_advice

Uses a throwaway SQLite database and media folder. Prints the median time to issue
a typical 3-4 page summary (checks, render, hash, store, database), the median
time WeasyPrint alone takes for the same document, and the process's memory
before and after 200 issues (a leak would show as steady growth).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="cofactor-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-not-for-production")
os.environ["DJANGO_DEBUG"] = "0"  # DEBUG would keep every SQL query in memory
os.environ["DJANGO_STATICFILES_STORAGE"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["COFACTOR_MEDIA_ROOT"] = str(WORK / "media")
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
os.environ["EMAIL_URL"] = "dummymail://"  # 200 "summary ready" emails go nowhere

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from practice.management.commands.seed_demo import seed_with_cases  # noqa: E402
from questionnaires.advice import drafting, issuing, pdf  # noqa: E402
from questionnaires.models import PlanItem, Response  # noqa: E402
from questionnaires.review import actions as review  # noqa: E402

ISSUES = 200
TIMED = 10
PARAGRAPH = (
    "Eat a portion of leafy greens, nuts or seeds each day: they are good sources "
    "of magnesium. Keep to your usual calcium-rich foods, spread through the day. "
)


def rss_mib() -> float:
    """Resident memory of this process now, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def prepare() -> Response:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_questionnaires", verbosity=0)
    users, _ = seed_with_cases()
    priya = users["practitioner@example.com"]
    response = Response.objects.get(client__user__email="margaret@example.com")
    review.start_review(response=response, by=priya)
    for finding in response.findings.all():
        finding.decide(by=priya, decision="acknowledged", note="ok")
    draft = drafting.draft_for(response=response, by=priya)
    draft.key_points = "\n".join(f"- Point {i}: {PARAGRAPH[:90]}" for i in range(4))
    draft.diet = "\n\n".join(PARAGRAPH * 2 for _ in range(3))
    draft.lifestyle = "\n\n".join(PARAGRAPH for _ in range(3))
    draft.gp_notes += "\n- Please recheck vitamin D in three months."
    draft.follow_up = "A follow-up appointment in three months."
    draft.save()
    plan = [
        ("Magnesium glycinate", "magnesium", "100", "mg", "1", "evening_meal"),
        ("Vitamin D3", "vitamin d", "25", "mcg", "1", "breakfast"),
        ("Omega-3 fish oil", "fish oil", "1000", "mg", "1", "breakfast"),
        ("Vitamin B12", "vitamin b12", "10", "mcg", "1", "breakfast"),
    ]
    for i, (product, nutrient, amount, unit, per_day, timing) in enumerate(plan):
        PlanItem.objects.create(
            advice=draft,
            position=i,
            product=product,
            nutrient=nutrient,
            amount=amount,
            unit=unit,
            per_day=per_day,
            timing=timing,
            duration="3 months",
        )
    drafting.plan_check(response=response)
    for finding in drafting.plan_findings(response):
        if not finding.is_decided:
            finding.decide(by=priya, decision="acknowledged", note="")
    blockers = drafting.issue_blockers(response)
    if blockers:
        raise SystemExit(f"the bench case cannot be issued: {blockers}")
    return response


def main() -> None:
    response = prepare()
    priya = response.client.practitioner.user
    document = issuing.summary_document(response, version=1)
    content = pdf.render_pdf(document)  # warm up: fonts and templates load once
    weasy = []
    for _ in range(TIMED):
        start = time.perf_counter()
        content = pdf.render_pdf(document)
        weasy.append(time.perf_counter() - start)
    before = rss_mib()
    issue_times, pages = [], 0
    for i in range(ISSUES):
        start = time.perf_counter()
        summary = issuing.issue_summary(response=response, by=priya)
        issue_times.append(time.perf_counter() - start)
        pages = summary.pages
        if i == TIMED - 1:
            after_first = rss_mib()
    after = rss_mib()
    print(f"advice summary: {pages} pages, {len(content) / 1024:.0f} KiB")
    print(
        f"issue a summary (checks, render, hash, store, database), median of "
        f"{ISSUES}: {statistics.median(issue_times) * 1000:.0f} ms"
    )
    print(
        f"WeasyPrint alone for the same document, median of {TIMED}: "
        f"{statistics.median(weasy) * 1000:.0f} ms"
    )
    print(
        f"worker memory (RSS): {before:.0f} MiB before issuing, "
        f"{after_first:.0f} MiB after {TIMED} issues, {after:.0f} MiB after {ISSUES}"
    )


if __name__ == "__main__":
    main()
