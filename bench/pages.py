"""Measure one part of the page benchmark in a process of its own; print JSON.

python -m bench.pages dashboard --clients 5000
python -m bench.pages intake
python -m bench.pages engine

bench/bench_pages.py runs these and prints the table. Each part has its own
process, so that one part's memory and caches do not colour another's, and its
own database: on PostgreSQL (DATABASE_URL) `<name>_bench_<clients>` for the
dashboard, kept between runs because loading 50,000 clients takes minutes
(BENCH_RELOAD=1 loads it again, e.g. after seed_load changed), and
`<name>_bench_pages` for the rest, made afresh; otherwise a throwaway SQLite file.

Pages are driven through their URLs with Django's test client, as a browser
would, so this keeps working whatever the views become inside.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

WORK = Path(tempfile.mkdtemp(prefix="cofactor-bench-"))
ROOT = Path(__file__).resolve().parent.parent  # the repository: our own frames
DATABASE_URL = os.environ.get("DATABASE_URL", "")


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def bench_database_url(name: str) -> str:
    """The site's PostgreSQL URL with the database `<name>_<suffix>` instead."""
    parts = urlsplit(DATABASE_URL)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{name}"))


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the PostgreSQL database (dropping it first if `fresh`)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def configure(database_url: str) -> None:
    """Production-like settings (DEBUG off) that the test client can talk to."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-not-for-production")
    os.environ.update(
        DJANGO_DEBUG="0",  # DEBUG would keep every SQL query in memory
        DATABASE_URL=database_url,
        # One pooled connection, so the database's CPU is that of one backend.
        DATABASE_POOL_MIN="1",
        DATABASE_POOL_MAX="1",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        COFACTOR_REQUIRE_STAFF_MFA="0",
        DJANGO_STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        COFACTOR_MEDIA_ROOT=str(WORK / "media"),
        DJANGO_LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
    )
    import django

    # Whitenoise would warn on every start that nothing was collected: not needed.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.test.utils import override_settings

    # No setup_test_environment(): its template instrumentation would be measured.
    override_settings(ROOT_URLCONF="bench.bare").enable()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def browser_for(user):
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    return browser


def fetch(browser, url: str, data: dict | None = None, *, expect: int = 200):
    """GET (or POST `data`) and insist on the status a person would get."""
    reply = browser.post(url, data) if data is not None else browser.get(url)
    if reply.status_code != expect:
        raise SystemExit(f"{url} answered {reply.status_code}, not {expect}")
    return reply


# ------------------------------------------------------------------- dashboard


def dashboard(clients: int) -> dict:
    from django.core.management import call_command
    from django.urls import reverse

    from bench.measure import compare_cpu_ms, database_cpu_counted, wall_ms
    from practice.models import Client
    from questionnaires.management.client_loader import (
        load_practitioners,
        loaded_clients,
    )

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if loaded_clients() != clients or os.environ.get("BENCH_RELOAD"):
        log(f"loading {clients:,} clients (once; kept in the bench database)...")
        call_command("flush", interactive=False, verbosity=0)
        started = time.monotonic()
        call_command(
            "seed_load",
            clients=clients,
            not_production=True,
            stdout=sys.stderr,
        )
        log(f"loaded in {time.monotonic() - started:.0f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    practitioner = load_practitioners()[0]
    browser = browser_for(practitioner.user)
    page, bare = reverse("practice:dashboard"), "/bench/dashboard/"
    fetch(browser, page)
    fetch(browser, bare)
    rounds = 5 if clients <= 10_000 else 3
    figures = compare_cpu_ms(
        {
            "cofactor": (lambda: fetch(browser, page), 1),
            "bare": (lambda: fetch(browser, bare), 10),
        },
        rounds=rounds,
    )
    result = {
        "clients": clients,
        "seen": Client.objects.filter(practitioner=practitioner).count(),
        "database_cpu": database_cpu_counted(),
        "cofactor_ms": figures["cofactor"][0],
        "cofactor_database_ms": figures["cofactor"][1],
        "bare_ms": figures["bare"][0],
        "cofactor_wall_ms": wall_ms(lambda: fetch(browser, page), rounds=rounds),
        "bare_wall_ms": wall_ms(lambda: fetch(browser, bare), rounds=7),
    }
    if os.environ.get("BENCH_EXPLAIN"):
        result["explain"] = explain(lambda: fetch(browser, page))
    return result


def explain(run) -> list[dict]:
    """EXPLAIN ANALYZE every SELECT that one request makes (PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    found = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0][0]
        scans: list[str] = []
        _seq_scans(plan["Plan"], scans)
        jit = plan.get("JIT", {}).get("Timing", {}).get("Total", 0.0)
        found.append(
            {
                "sql": sql[:160],
                "ms": round(plan["Execution Time"] + plan["Planning Time"], 1),
                "jit_ms": round(jit, 1),
                "subplans": json.dumps(plan).count('"SubPlan'),
                "seq_scans": sorted(set(scans)),
            }
        )
        log(
            f"  {found[-1]['ms']:8.1f} ms (JIT {jit:6.1f} ms) "
            f"seq scans {', '.join(found[-1]['seq_scans']) or '-'}: {sql[:100]}"
        )
    return found


def _seq_scans(node: dict, found: list[str]) -> None:
    if node.get("Node Type") == "Seq Scan":
        found.append(node.get("Relation Name", "?"))
    for child in node.get("Plans", []):
        _seq_scans(child, found)


# ---------------------------------------------------------------------- intake

INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')
ADVICE = (
    "Eat a portion of leafy greens, nuts or seeds each day: they are good sources "
    "of magnesium. Keep to your usual calcium-rich foods, spread through the day. "
)


def form_data(html: str) -> tuple[dict[str, str], str, list[str]]:
    """What a browser would post back from the page: every radio group's first
    choice and every text box as it is; and one radio group with its values."""
    data: dict[str, str] = {}
    radios: dict[str, list[str]] = {}
    for tag in INPUT.findall(html):
        attrs = dict(ATTRIBUTE.findall(tag))
        kind, name = attrs.get("type", "text"), attrs.get("name")
        if not name or name == "csrfmiddlewaretoken":
            continue
        if kind == "radio":
            radios.setdefault(name, []).append(attrs.get("value", ""))
            data.setdefault(name, attrs.get("value", ""))
        elif kind in ("text", "search", "date", "hidden"):
            data[name] = attrs.get("value", "")
    changed = next(name for name, values in radios.items() if len(values) > 1)
    return data, changed, radios[changed][:2]


def hidden_fields(html: str) -> dict[str, str]:
    fields = {}
    for tag in INPUT.findall(html):
        attrs = dict(ATTRIBUTE.findall(tag))
        if attrs.get("type") == "hidden" and attrs.get("name"):
            fields[attrs["name"]] = attrs.get("value", "")
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def intake() -> dict:
    from django.core.management import call_command
    from django.urls import reverse

    from bench.bare import largest_symptom_step
    from bench.case_page import case_page
    from bench.measure import (
        compare_cpu_ms,
        cpu_ms,
        database_cpu_counted,
        rss_mib,
        wall_ms,
    )
    from practice.management.commands.seed_demo import seed_with_cases
    from practice.models import User
    from questionnaires.models import Finding, IssuedSummary, Response

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_questionnaires", stdout=io.StringIO())
    seed_with_cases()
    result: dict = {"database_cpu": database_cpu_counted()}

    # The step with the most questions, as the client Alice, who is part-way.
    alice = User.objects.get(email="client@example.com")
    response = Response.objects.get(client__user=alice)
    number, result["questions"] = largest_symptom_step(response)
    browser = browser_for(alice)
    step = reverse("questionnaires:step", args=[response.code, number])
    bare = f"/bench/q/{response.code}/step/{number}/"
    page = fetch(browser, step).content.decode()
    fetch(browser, bare)
    figures = compare_cpu_ms(
        {
            "cofactor": (lambda: fetch(browser, step), 3),
            "bare": (lambda: fetch(browser, bare), 3),
        },
        rounds=11,
    )
    result["step_ms"], result["bare_step_ms"] = (
        figures["cofactor"][0],
        figures["bare"][0],
    )
    result["step_wall_ms"] = wall_ms(lambda: fetch(browser, step), rounds=7)
    # What any request costs here before a view does anything: the floor under
    # both sides of every ratio.
    result["floor_ms"] = cpu_ms(lambda: fetch(browser, "/healthz"), rounds=7, batch=10)

    # Autosave: one answer changed, posted as the page's saver (static/js/saver.js)
    # posts it: that field, and the value the page started from. The answer
    # starts at its first choice (a plain post of the whole step).
    autosave = reverse("questionnaires:autosave", args=[response.code, number])
    data, name, values = form_data(page)
    fetch(browser, autosave, data)
    bare_data, bare_name, bare_values = form_data(fetch(browser, bare).content.decode())
    flips = {"cofactor": 0, "bare": 0}

    def save(which: str) -> None:
        flips[which] += 1
        if which == "cofactor":
            was, now = values[(flips[which] + 1) % 2], values[flips[which] % 2]
            posted = {"_saver": "1", "_changed": name, name: now, f"_base:{name}": was}
            if fetch(browser, autosave, posted).json()["conflicts"]:
                raise SystemExit("the bench's autosave met a conflict: not a save")
        else:
            posted = {**bare_data, bare_name: bare_values[flips[which] % 2]}
            fetch(browser, f"{bare}autosave/", {**posted, "changed": bare_name})

    save("cofactor")
    save("bare")
    figures = compare_cpu_ms(
        {
            "cofactor": (lambda: save("cofactor"), 4),
            "bare": (lambda: save("bare"), 4),
        },
        rounds=11,
    )
    result["autosave_ms"], result["bare_autosave_ms"] = (
        figures["cofactor"][0],
        figures["bare"][0],
    )

    priya = User.objects.get(email="practitioner@example.com")
    result.update(case_page(browser_for(priya), fetch))

    # Issuing: Priya reviews Margaret's case, writes advice and issues it, again
    # and again, all through the pages.
    case = Response.objects.get(client__user__email="margaret@example.com")
    browser = browser_for(priya)
    fetch(browser, reverse("questionnaires:case", args=[case.code]))
    for finding in Finding.objects.filter(response=case):
        fetch(
            browser,
            reverse("questionnaires:decide", args=[finding.code]),
            {"decision": "acknowledged", "note": "Discussed with Margaret."},
            expect=302,
        )
    advice = {
        "action": "save",
        "key_points": "\n".join(f"- Point {i}: {ADVICE[:90]}" for i in range(4)),
        "diet": "\n\n".join(ADVICE * 3 for _ in range(3)),
        "lifestyle": "\n\n".join(ADVICE * 2 for _ in range(6)),
        "gp_notes": "- Please recheck vitamin D in three months.",
        "follow_up": "A follow-up appointment in three months.",
    }
    editor = reverse("questionnaires:advice", args=[case.code])
    fetch(browser, editor, advice, expect=302)
    issue = reverse("questionnaires:issue-summary", args=[case.code])

    def issue_form() -> dict[str, str]:
        """The issue button's hidden fields, as the advice page has them now."""
        page = fetch(browser, editor).content.decode()
        form = re.search(
            rf'<form[^>]*action="{re.escape(issue)}"[^>]*>(.*?)</form>', page, re.S
        )
        return hidden_fields(form.group(1) if form else "")

    posted = issue_form()
    weasyprint_call = capture_weasyprint(
        lambda: fetch(browser, issue, posted, expect=302)
    )
    summary = IssuedSummary.objects.filter(response=case).order_by("-version").first()
    if summary is None:
        raise SystemExit("the bench case could not be issued: see the advice page")
    result["pages"] = summary.pages
    issues = int(os.environ.get("BENCH_ISSUES", "100"))
    traced = bool(os.environ.get("BENCH_TRACEMALLOC"))
    if traced:  # what grows, not how fast: its figures are slower
        tracemalloc.start(10)
    times, alone, rss, snapshots = [], [], {}, {}
    for i in range(1, issues + 1):
        posted = issue_form()
        times.append(
            cpu_ms(
                lambda data=posted: fetch(browser, issue, data, expect=302), rounds=1
            )
        )
        # WeasyPrint alone, between the issues (every 5th: 20 of 100), so that
        # both sides meet the same load on a shared machine, not only the first.
        if weasyprint_call is not None and (i % 5 == 1 or issues < 35):
            alone.append(cpu_ms(weasyprint_call, rounds=1))
        if i in (10, issues):
            rss[i] = round(rss_mib(), 1)
            if traced:
                snapshots[i] = tracemalloc.take_snapshot()
    if traced and len(snapshots) == 2:
        log_growth(snapshots[10], snapshots[issues], issues)
    result["issue_ms"] = statistics.median(times)
    if alone:
        result["weasyprint_ms"] = statistics.median(alone)
    result["issues"] = issues
    result["rss_mib"] = rss
    return result


def log_growth(before, after, issues: int) -> None:
    """The allocations that grew most from the 10th issue to the last."""
    log(f"memory that grew from issue 10 to issue {issues} (tracemalloc):")
    diffs = after.compare_to(before, "traceback")
    log(f"  total {sum(d.size_diff for d in diffs) / 1024:+.0f} KiB")
    for diff in diffs[:8]:
        ours = [
            f
            for f in diff.traceback
            if f.filename.startswith(str(ROOT)) and "site-packages" not in f.filename
        ]
        where = (ours or list(diff.traceback))[-1]
        log(
            f"  {diff.size_diff / 1024:+8.0f} KiB {diff.count_diff:+6d} blocks "
            f"{where.filename}:{where.lineno}"
        )


def capture_weasyprint(run):
    """Run `run` while noting how WeasyPrint was called; return a call that does
    the same WeasyPrint work alone (parse the HTML, lay out, write the PDF)."""
    import weasyprint

    calls = {}
    original_init, original_write = weasyprint.HTML.__init__, weasyprint.HTML.write_pdf

    def init(self, *args, **kwargs):
        calls["html"] = (args, kwargs)
        original_init(self, *args, **kwargs)

    def write(self, *args, **kwargs):
        calls["pdf"] = (args, kwargs)
        return original_write(self, *args, **kwargs)

    with (
        mock.patch.object(weasyprint.HTML, "__init__", init),
        mock.patch.object(weasyprint.HTML, "write_pdf", write),
    ):
        run()
    if "html" not in calls or "pdf" not in calls:
        log("WeasyPrint was not called as HTML(...).write_pdf(): no figure alone")
        return None
    (html_args, html_kwargs), (pdf_args, pdf_kwargs) = calls["html"], calls["pdf"]
    return lambda: weasyprint.HTML(*html_args, **html_kwargs).write_pdf(
        *pdf_args, **pdf_kwargs
    )


# ---------------------------------------------------------------------- engine


def engine_part() -> dict:
    from bench.bench_interactions import CASE
    from bench.measure import cpu_ms
    from questionnaires.interactions import engine, knowledge, matching
    from questionnaires.interactions.facts import CaseFacts

    kb = knowledge.load()
    facts = CaseFacts.from_dict(CASE)
    findings = engine.run(facts, kb)
    matcher = matching.matcher_for(kb)

    def cold() -> None:
        matcher.clear_cache()  # every entry matched again, as for a new case
        engine.run(facts, kb)

    return {
        "findings": len(findings),
        "rules": len(kb.rules),
        "warm_ms": cpu_ms(lambda: engine.run(facts, kb), rounds=15, batch=50),
        "cold_ms": cpu_ms(cold, rounds=15, batch=20),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=["dashboard", "intake", "engine"])
    parser.add_argument("--clients", type=int, default=5000)
    args = parser.parse_args()
    if args.part == "dashboard":
        if not is_postgres(DATABASE_URL):
            raise SystemExit("the dashboard part needs DATABASE_URL=postgres://...")
        url = bench_database_url(f"bench_{args.clients}")
        ensure_database(url, fresh=False)
    elif is_postgres(DATABASE_URL):
        url = bench_database_url("bench_pages")
        ensure_database(url, fresh=True)
    else:
        url = f"sqlite:///{WORK / 'bench.sqlite3'}"
    configure(url)
    if args.part == "dashboard":
        result = dashboard(args.clients)
    elif args.part == "intake":
        result = intake()
    else:
        result = engine_part()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
