"""What browser tests do again and again: sign in, run axe, check the width."""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

_axe = Axe()


def sign_in(page: Page, email: str, password: str = "cofactor-demo") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def assert_accessible(page: Page) -> None:
    """axe finds no violations on the page as it is now."""
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def acknowledge_every_finding(
    page: Page, where: Locator, *, note: str = "", by: str = "Priya Patel"
) -> None:
    """Acknowledge each undecided finding inside `where`, one at a time, in place,
    with a typed note if one is given."""
    while True:
        undecided = where.locator("article.finding").filter(
            has=page.get_by_role("button", name=re.compile("^Acknowledge"))
        )
        if undecided.count() == 0:
            return
        card = page.locator(f"#{undecided.first.get_attribute('id')}")
        if note:
            card.get_by_label(re.compile("^Note")).press_sequentially(note)
        card.get_by_role("button", name=re.compile("^Acknowledge")).click()
        expect(card).to_contain_text(f"Acknowledged by {by}")


def download_latest_summary(page: Page, folder: Path) -> bytes:
    """Download the newest advice summary from the client's portal."""
    with page.expect_download() as download_info:
        page.get_by_role(
            "link", name=re.compile("Download your advice summary")
        ).click()
    path = folder / "summary.pdf"
    download_info.value.save_as(path)
    return path.read_bytes()
