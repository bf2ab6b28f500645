"""What the page benchmarks share: their database, a signed-in browser, and
reading a page's form the way the browser would post it."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import warnings
from pathlib import Path
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


INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)


ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')


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
