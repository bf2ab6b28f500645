"""Benchmark the audit log page and the retention command; prints figures only.

python -m bench.bench_audit

Uses a throwaway SQLite database with 100,000 audit events about 200 clients (a
busy practice's year or two: every autosave writes one). Prints the median time
to render the newest page, the oldest page and one client's events as sentences,
the queries each takes, and how long `apply_retention` takes to delete half.
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import tempfile
import time
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="cofactor-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-not-for-production")
os.environ["DJANGO_DEBUG"] = "0"
os.environ["DJANGO_STATICFILES_STORAGE"] = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
os.environ["COFACTOR_REQUIRE_STAFF_MFA"] = "0"
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from practice.models import (  # noqa: E402
    AuditAction,
    AuditEvent,
    Client,
    Practitioner,
    Role,
    User,
)

EVENTS = 100_000
CLIENTS = 200
TIMED = 10


def prepare() -> tuple[User, Client]:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    admin = User.objects.create_user(
        "ada@example.org", full_name="Ada Admin", role=Role.ADMIN
    )
    priya = User.objects.create_user(
        "priya@example.org", full_name="Priya Patel", role=Role.PRACTITIONER
    )
    practitioner = Practitioner.objects.create(user=priya)
    clients = []
    for n in range(CLIENTS):
        user = User.objects.create_user(
            f"client{n}@example.org", full_name=f"Client {n}", role=Role.CLIENT
        )
        clients.append(Client.objects.create(user=user, practitioner=practitioner))
    now = timezone.now()
    step = datetime.timedelta(days=730) / EVENTS
    AuditEvent.objects.bulk_create(
        (
            AuditEvent(
                at=now - step * i,
                actor=priya,
                actor_role=Role.PRACTITIONER,
                action=AuditAction.VIEWED if i % 3 else AuditAction.CHANGED,
                object_type="response",
                object_id=str(clients[i % CLIENTS].code),
                client_code=clients[i % CLIENTS].code,
                detail={"page": "case"} if i % 3 else {"event": "answers_saved"},
            )
            for i in range(EVENTS)
        ),
        batch_size=5000,
    )
    return admin, clients[0]


def timed(browser: HttpClient, path: str) -> tuple[float, int]:
    times = []
    for _ in range(TIMED):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = browser.get(path)
            times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return statistics.median(times) * 1000, len(queries)


def main() -> None:
    admin, client = prepare()
    browser = HttpClient()
    browser.force_login(admin)
    last = EVENTS // 50
    for label, path in (
        ("newest page", "/staff/audit/"),
        (f"oldest page ({last})", f"/staff/audit/?page={last}"),
        ("one client's events", f"/staff/audit/?client={client.code}"),
    ):
        ms, queries = timed(browser, path)
        print(f"audit log, {label}: median {ms:.0f} ms, {queries} queries")
    start = time.perf_counter()
    call_command("apply_retention", "--audit-days", "365", stdout=io.StringIO())
    took = time.perf_counter() - start
    left = AuditEvent.objects.count()
    print(
        f"apply_retention: {EVENTS - left + 1:,} of {EVENTS:,} events deleted "
        f"in {took:.1f} s"
    )


if __name__ == "__main__":
    main()
