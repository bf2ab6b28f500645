"""Priya finds a submitted demo case on her dashboard, reads its findings, dismisses
one with a reason, acknowledges the others and sees the case become ready for
advice; axe passes on the dashboard and the case page on a phone and a desktop."""

import re

from playwright.sync_api import Page, expect

from questionnaires.models import Decision, Finding, Response, ResponseStatus
from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.helpers import (
    acknowledge_every_finding,
    assert_accessible,
    assert_no_sideways_scroll,
    sign_in,
)


def check(page: Page) -> None:
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert_accessible(page)
        assert_no_sideways_scroll(page)


def test_priya_reviews_a_case_until_it_is_ready_for_advice(page, demo):
    sign_in(page, "practitioner@example.com")
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()
    check(page)

    page.get_by_role("link", name="Margaret Mills").click()
    expect(page.get_by_role("heading", name="Margaret Mills", level=1)).to_be_visible()
    expect(page.get_by_text("State: In review")).to_be_visible()
    check(page)

    findings = page.locator("article.finding")
    titles = [t.strip() for t in findings.locator("h4").all_inner_texts()]
    assert any("alendronic acid" in t.lower() for t in titles), titles
    first = findings.first
    expect(first.get_by_text("From the answers:")).to_be_visible()
    sources = first.locator("summary", has_text=re.compile("^Evidence and sources?"))
    sources.click()  # folded: one click (or Enter) away
    expect(first.get_by_role("listitem").first).to_be_visible()

    # Dismissing without a reason is refused, next to the note.
    first.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(
        first.get_by_text("Please give a reason for dismissing this finding.")
    ).to_be_visible()
    check(page)
    first_id = page.locator("article.finding").first.get_attribute("id")
    first = page.locator(f"#{first_id}")  # it folds once decided
    first.get_by_label(re.compile("^Note")).fill("She takes them on different days")
    first.get_by_role("button", name=re.compile("^Dismiss")).click()
    expect(first.get_by_text("Dismissed by Priya Patel")).to_be_visible()

    # Acknowledge every other finding, one at a time, without leaving the page.
    page.evaluate("window.sameDocument = true")
    acknowledge_every_finding(page, page.locator("#findings"))
    assert page.evaluate("window.sameDocument === true")

    expect(page.get_by_text("State: Ready for advice")).to_be_visible()
    check(page)

    response = Response.objects.get(client__user__email="margaret@example.com")
    assert response.status == ResponseStatus.READY_FOR_ADVICE
    decisions = set(
        Finding.objects.filter(response=response).values_list("decision", flat=True)
    )
    assert decisions == {Decision.DISMISSED, Decision.ACKNOWLEDGED}

    # The dashboard now shows the case as ready for advice.
    page.goto("/dashboard/")
    expect(page.get_by_role("row", name=re.compile("Margaret Mills"))).to_contain_text(
        "Ready for advice"
    )
