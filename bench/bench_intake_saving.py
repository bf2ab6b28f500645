"""Benchmark saving a questionnaire step as the client types; prints figures only.

python -m bench.bench_intake_saving

Uses a throwaway SQLite database. Prints the median time of an autosave of one
changed answer, of one changed supplement field on a step holding the 50-row
limit, of adding a row, and of opening that step, each through Django's full
request cycle (middleware, session, CSRF off).
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
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
os.environ["EMAIL_URL"] = "dummymail://"
os.environ["DJANGO_SECURE_COOKIES"] = "0"
os.environ["DJANGO_ALLOWED_HOSTS"] = "localhost"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client as Browser  # noqa: E402

from practice.management.commands.seed_demo import seed_with_cases  # noqa: E402
from practice.models import Client  # noqa: E402
from questionnaires.intake import saving, sending  # noqa: E402
from questionnaires.models import Supplement  # noqa: E402

TIMED = 50


def expect_ok(reply) -> None:
    if reply.status_code != 200:
        raise SystemExit(f"the bench request failed: {reply.status_code}")


def median_ms(func, times: int = TIMED) -> float:
    func()  # warm up
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        func()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_questionnaires", verbosity=0)
    seed_with_cases()
    alice = Client.objects.get(user__email="client@example.com")
    alice.responses.all().delete()
    response = sending.send_questionnaire(client=alice, sent_by=None)
    browser = Browser(HTTP_HOST="localhost")
    browser.force_login(alice.user)
    base = f"/q/{response.code}/step"
    allergies = f"q{response.version.questions.get(concept='allergies').pk}"
    typed = iter(range(10**6))

    def save_answer():
        reply = browser.post(
            f"{base}/2/autosave/",
            {"_saver": "1", "_changed": allergies, allergies: f"nuts {next(typed)}"},
        )
        expect_ok(reply)

    def fill_to(count: int) -> None:
        have = Supplement.objects.filter(response=response).count()
        Supplement.objects.bulk_create(
            Supplement(response=response, position=i, product=f"Product {i}")
            for i in range(have, count)
        )

    fill_to(5)
    row = Supplement.objects.filter(response=response).first()
    amount = f"supplement-{row.code}-amount"

    def save_row_field():
        reply = browser.post(
            f"{base}/4/autosave/",
            {"_saver": "1", "_changed": amount, amount: str(next(typed))},
        )
        expect_ok(reply)

    def add_and_remove_row():
        added = browser.post(
            f"{base}/4/",
            {"_saver": "1", "action": "add-supplement"},
            headers={"X-Saver": "1"},
        )
        expect_ok(added)
        last = Supplement.objects.filter(response=response).last()
        last.delete()

    def open_step():
        expect_ok(browser.get(f"{base}/4/"))

    print(f"autosave of one answer, median of {TIMED}: {median_ms(save_answer):.1f} ms")
    for rows in (5, saving.MAX_ROWS - 1):
        fill_to(rows)
        print(f"with {rows} supplement rows, median of {TIMED}:")
        print(f"  autosave of one supplement field: {median_ms(save_row_field):.1f} ms")
        add = median_ms(add_and_remove_row)
        print(f"  add a row (the list re-rendered): {add:.1f} ms")
        print(f"  open the supplements step: {median_ms(open_step):.1f} ms")


if __name__ == "__main__":
    main()
