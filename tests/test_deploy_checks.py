"""Deploy mistakes are errors: `check --deploy` fails on each, naming it, and
/healthz says 503 when sign-in could not work."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from django.db import OperationalError, connection

from tests.test_settings import PRODUCTION, ROOT, manage

MISTAKES = {
    "console email": ({"EMAIL_URL": "consolemail://"}, "practice.E101"),
    "email kept in memory": ({"EMAIL_URL": "memorymail://"}, "practice.E101"),
    "staff MFA off": ({"COFACTOR_REQUIRE_STAFF_MFA": "false"}, "practice.E102"),
    "any host allowed": ({"DJANGO_ALLOWED_HOSTS": "*"}, "practice.E103"),
    "cache in process memory": ({"CACHE_URL": "locmemcache://"}, "practice.E104"),
}


@pytest.mark.slow
@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_deploy_mistake_fails_check_deploy(mistake):
    change, code = MISTAKES[mistake]
    result = manage("check", "--deploy", env={**PRODUCTION, **change})
    assert result.returncode != 0, result.stdout
    assert code in result.stderr


@pytest.mark.slow
def test_email_unsent_is_an_error_even_without_fail_level():
    """With EMAIL_URL left unset (the console by default), plain `check --deploy`
    fails: an error, not a warning a deploy script would let through."""
    unset = {k: v for k, v in PRODUCTION.items() if k != "EMAIL_URL"}
    result = manage("check", "--deploy", env=unset)
    assert result.returncode == 1
    assert "ERRORS:" in result.stderr and "password-reset links" in result.stderr


@pytest.mark.slow
def test_migrate_creates_the_cache_table_and_the_check_notices_it_missing(tmp_path):
    """A migration makes the table sign-in needs; a database restored without it
    fails `check --deploy --database default`."""
    database = tmp_path / "fresh.sqlite3"
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{database}"}
    assert manage("migrate", "--noinput", env=env).returncode == 0
    result = manage("check", "--deploy", "--database", "default", env=env)
    assert result.returncode == 0, result.stderr

    sqlite3.connect(database).execute("DROP TABLE cofactor_cache")
    result = manage("check", "--deploy", "--database", "default", env=env)
    assert result.returncode != 0
    assert "practice.E105" in result.stderr


@pytest.mark.slow
def test_the_env_file_loaded_as_documented_keeps_the_sender_and_passes(tmp_path):
    """.env.example, filled in and loaded the way docs/deploy.md says, keeps the
    sender's display name and address whole and passes check --deploy."""
    env_file = tmp_path / "cofactor.env"
    text = (ROOT / ".env.example").read_text()
    text = text.replace(
        "DJANGO_SECRET_KEY=\n",
        f"DJANGO_SECRET_KEY='{PRODUCTION['DJANGO_SECRET_KEY']}'\n",
    )
    text += f"DATABASE_URL={PRODUCTION['DATABASE_URL']}\n"
    env_file.write_text(text)
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    shell = subprocess.run(
        [
            "bash",
            "-c",
            f"set -a; . {env_file}; set +a; "
            f'echo "$DJANGO_DEFAULT_FROM_EMAIL"; '
            f"exec {sys.executable} manage.py check --deploy --fail-level WARNING",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shell.stdout.splitlines()[0] == "Cofactor <cofactor@example.org>"
    assert shell.returncode == 0, shell.stderr


def test_healthz_is_503_when_the_cache_table_is_missing(client, db):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE cofactor_cache")  # undone with the test
    reply = client.get("/healthz")
    assert reply.status_code == 503
    assert reply.content == b"cache unavailable\n"


def test_healthz_is_503_when_the_session_table_is_missing(client, db):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE django_session")
    reply = client.get("/healthz")
    assert reply.status_code == 503
    assert reply.content == b"session table unavailable\n"


def test_a_database_outage_gives_a_try_again_page_not_a_500(client, alice, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("couldn't get a connection after 5.00 sec")

    monkeypatch.setattr("practice.views.people.render", unreachable)
    client.raise_request_exception = False
    client.force_login(alice.user)
    reply = client.get("/portal/")
    assert reply.status_code == 503
    assert reply["Retry-After"] == "30"
    page = reply.content.decode()
    assert "Cofactor is briefly unavailable" in page
    assert "try again in a minute" in page


def test_other_failures_still_give_the_500_page(client, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("practice.views.people.render", broken)
    client.raise_request_exception = False
    client.force_login(alice.user)
    reply = client.get("/portal/")
    assert reply.status_code == 500
    assert "something went wrong on our side" in reply.content.decode()
