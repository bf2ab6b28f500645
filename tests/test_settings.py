"""Production settings: refuse to start without a secret, pass check --deploy, and
send a Content Security Policy that allows no inline script and no other origin."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "p8#k2!v7Lq0zR4x9Tn6wY1eB3mC5sD8fG0hJ2kL4nP6rS8uW0yA2cE4gI6",
    "DJANGO_ALLOWED_HOSTS": "cofactor.example.org",
    "DATABASE_URL": "sqlite:////tmp/cofactor-check-deploy.sqlite3",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.org:587",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COFACTOR"))
    }
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DJANGO_SECRET_KEY" in lines[0]


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_csp_allows_only_our_own_origin_and_no_inline_script(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert not re.search(r"https?://", policy)


def test_security_headers_are_sent(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_load_bootstrap_and_htmx_from_our_own_static_files(client, db):
    page = client.get("/accounts/login/").content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert "/static/bootstrap/css/bootstrap.min.css" in sources
    assert any(s.startswith("/static/django_htmx/htmx") for s in sources)
    assert all(s.startswith("/static/") for s in sources), sources


def test_static_files_exist_for_every_asset_the_base_page_uses(client, db):
    from django.contrib.staticfiles import finders

    page = client.get("/accounts/login/").content.decode()
    for path in re.findall(r'(?:src|href)="/static/([^"]+)"', page):
        assert finders.find(path), path
