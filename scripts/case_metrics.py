"""Measure the demo cases: the case page's height at 1366x768 and the issued PDF's
page count, for the closing note of issue 12 (not a test: it prints figures).

Usage: .venv/bin/python scripts/case_metrics.py [port]

It builds a throw-away SQLite database, seeds the demo (as `make run` does), gives
each demo case the same written advice and plan (acknowledging every finding that
blocks issuing, as a practitioner would), issues version 1, then serves the site on
127.0.0.1:<port> (default 8112) and measures each case page in Chromium.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Set COFACTOR_METRICS_SHOTS to a folder to keep a screenshot of each first screen.
SHOTS = os.environ.get("COFACTOR_METRICS_SHOTS", "")
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="cofactor-metrics-"))
os.environ.update(
    DJANGO_SETTINGS_MODULE="practice.settings",
    DJANGO_DEBUG="1",
    DJANGO_SECURE_SSL_REDIRECT="0",
    COFACTOR_REQUIRE_STAFF_MFA="0",
    DJANGO_SECRET_KEY="metrics-only-secret",  # noqa: S106 - a throw-away database
    DATABASE_URL=f"sqlite:///{WORK / 'db.sqlite3'}",
    COFACTOR_MEDIA_ROOT=str(WORK / "media"),
    EMAIL_URL="dummymail://",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

# The same advice for every case, long enough to be a real write-up.
TEXT = {
    "key_points": (
        "- Take your supplements at the times in the timetable.\n"
        "- Keep your medicines exactly as your GP prescribed.\n"
        "- Eat three meals a day with protein at each."
    ),
    "diet": (
        "Build each meal around vegetables, a protein food and a whole grain.\n\n"
        "- Two portions of oily fish a week\n- Pulses most days\n"
        "- A handful of nuts or seeds a day"
    ),
    "lifestyle": "Walk for 30 minutes most days. Keep a regular bedtime.",
    "gp_notes": "I have suggested the supplements in the plan; nothing else changes.",
    "follow_up": "Let's speak again in 8 weeks.",
}
# product, nutrient, form, amount, unit, per day, timing (the old single timing)
PLAN = {
    "margaret@example.com": [
        # and with the evening meal, where the timetable allows two times
        ("Calcium carbonate", "calcium", "carbonate", "600", "mg", "2", "lunch"),
        ("Magnesium glycinate", "magnesium", "glycinate", "150", "mg", "1", "bedtime"),
        ("Vitamin D3", "vitamin d", "", "10", "mcg", "1", "breakfast"),
    ],
    "linda@example.com": [
        ("Magnesium glycinate", "magnesium", "glycinate", "200", "mg", "1", "bedtime"),
        ("Vitamin D3", "vitamin d", "", "10", "mcg", "1", "breakfast"),
    ],
    "george@example.com": [
        ("Omega-3 fish oil", "fish oil", "", "1000", "mg", "1", "evening_meal"),
        ("Magnesium glycinate", "magnesium", "glycinate", "200", "mg", "1", "bedtime"),
    ],
}

# When the demo clients take the medicines that need spacing (their own words say
# "Monday mornings" and "every morning").
MEDICINE_TIMES = {"Alendronic acid": "on_waking", "Levothyroxine": "on_waking"}


def seed() -> dict[str, str]:
    """Seed the demo; return the case codes by email."""
    from practice.management.commands.seed_demo import seed_with_cases
    from questionnaires.models import Response

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_questionnaires", verbosity=0)
    seed_with_cases()
    return {
        # The first visits (George also has a follow-up).
        email: str(Response.objects.get(client__user__email=email, follows=None).code)
        for email in PLAN
    }


def issue() -> None:
    """Write the same advice for each case, decide its findings and issue it."""
    from practice.models import User
    from questionnaires.advice import drafting, issuing
    from questionnaires.models import Response
    from questionnaires.review import actions as review

    priya = User.objects.get(email="practitioner@example.com")
    for email, plan in PLAN.items():
        response = Response.objects.get(client__user__email=email)
        review.start_review(response=response, by=priya)
        draft = drafting.draft_for(response=response, by=priya)
        for name, value in TEXT.items():
            setattr(draft, name, value)
        draft.save()
        for i, (product, nutrient, form, amount, unit, per_day, timing) in enumerate(
            plan
        ):
            draft.plan.create(
                position=i,
                product=product,
                nutrient=nutrient,
                form=form,
                amount=amount,
                unit=unit,
                per_day=per_day,
                timing=timing,
                duration="3 months",
            )
        if hasattr(draft, "medicine_timings"):  # since issue 12: the timetable
            draft.plan.filter(nutrient="calcium").update(more_timings="evening_meal")
            draft.medicine_timings = {
                str(m.code): MEDICINE_TIMES[m.name]
                for m in response.medications.all()
                if m.name in MEDICINE_TIMES
            }
            draft.save()
        for _ in range(3):  # decide, check the plan, decide what the check found
            drafting.plan_check(response=response)
            for finding in response.findings.current().filter(decision=""):
                finding.decide(
                    by=priya,
                    decision="acknowledged",
                    note="Noted; the plan keeps them apart.",
                )
        summary = issuing.issue_summary(
            response=response, by=User.objects.get(pk=priya.pk)
        )
        print(
            f"{email}: PDF version {summary.version}, {summary.pages} pages "
            f"({WORK / 'media' / summary.file_name})"
        )


def measure(codes: dict[str, str], port: int, label: str) -> None:
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            base = f"http://127.0.0.1:{port}"
            page.goto(f"{base}/accounts/login/")
            page.get_by_label("Email").fill("practitioner@example.com")
            page.get_by_label("Password").fill("cofactor-demo")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            for email, code in codes.items():
                page.goto(f"{base}/cases/{code}/")
                height = page.evaluate("document.documentElement.scrollHeight")
                tops = page.evaluate(
                    """() => Object.fromEntries(
                    ['entries', 'symptoms', 'answers', 'notes'].map(id => {
                      const el = document.getElementById(id);
                      return [id, el ? Math.round(el.getBoundingClientRect().top
                        + window.scrollY) : null];
                    }))"""
                )
                if SHOTS:
                    page.screenshot(path=f"{SHOTS}/{label[:5]}-{email[:5]}.png")
                screens = height / 768
                print(
                    f"{label} {email}: case page {height} px "
                    f"({screens:.1f} screens); {tops}"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait()


def _wait_for(url: str, seconds: int = 60) -> None:
    """Until the server answers (it starts slowly on a busy machine)."""
    from urllib.error import URLError
    from urllib.request import urlopen

    deadline = time.monotonic() + seconds
    while True:
        try:
            urlopen(url, timeout=2).close()  # noqa: S310 - our own local server
            return
        except (URLError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8112
    logging.disable(logging.INFO)
    codes = seed()
    measure(codes, port, "as submitted,")
    issue()
    measure(codes, port, "decided and issued,")
