"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Chromium is not a Python package, so a machine may lack it. Then these tests are
skipped and the summary says so, unless COFACTOR_REQUIRE_BROWSER=1 (CI), when a missing
browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("COFACTOR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKIP_REASON = f"Chromium not found at {CHROMIUM}: browser tests skipped"
DEMO_PASSWORD = "cofactor-demo"

PHONE = {"width": 375, "height": 812}
NARROW = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("COFACTOR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{SKIP_REASON}, but COFACTOR_REQUIRE_BROWSER=1")
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def close_connections_opened_under_playwright():
    """Playwright's event loop gives this thread its own set of Django connections;
    close them after each test so none is left holding a pooled connection."""
    yield
    from django.db import connections

    connections.close_all()


@pytest.fixture
def demo(transactional_db, settings):
    """The demo practice, personas and cases, as `make run` seeds them."""
    from practice.management.commands.seed_demo import seed_with_cases
    from tests.intake_helpers import load_questionnaire

    settings.COFACTOR_REQUIRE_STAFF_MFA = False
    for name in ("health.toml", "followup.toml"):
        load_questionnaire(Path(settings.BASE_DIR) / "questionnaires/data" / name)
    users, _ = seed_with_cases()
    return users


def new_context(browser, live_server, viewport=PHONE):
    """A fresh browser profile: a new device, as far as the site can tell.

    Reduced motion, so that axe never measures a button's colours half way
    through a hover transition.
    """
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        reduced_motion="reduce",
        locale="en-GB",
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def page(browser, live_server):
    context = new_context(browser, live_server)
    page = context.new_page()
    yield page
    context.close()
