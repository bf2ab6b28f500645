"""Priya writes Margaret's plan with key presses: calcium twice a day, magnesium at
bedtime, and Margaret's alendronic acid on waking; the PDF Margaret downloads has a
daily timetable in order, with the waits from the knowledge base's spacing."""

import re

from playwright.sync_api import Page, expect

from questionnaires.advice.timetable import duration_words
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import Decision, Response
from questionnaires.review import actions as review
from tests.e2e.conftest import DESKTOP, NARROW, new_context
from tests.e2e.helpers import (
    acknowledge_every_finding,
    assert_accessible,
    assert_no_sideways_scroll,
    download_latest_summary,
    sign_in,
)
from tests.pdf_helpers import pdf_text


def check(page: Page) -> None:
    for viewport in (NARROW, DESKTOP):
        page.set_viewport_size(viewport)
        assert_accessible(page)
        assert_no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)


def type_in(box, text: str) -> None:
    box.click()
    box.press("Control+a")
    box.press("Delete")
    box.press_sequentially(text, delay=5)


def test_margaret_downloads_a_pdf_with_her_day_in_order(
    browser, live_server, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    margaret = Response.objects.get(client__user__email="margaret@example.com")
    priya = demo["practitioner@example.com"]
    review.start_review(response=margaret, by=priya)
    for finding in margaret.findings.current().filter(decision=Decision.UNDECIDED):
        finding.decide(by=priya, decision="acknowledged", note="")

    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.goto(f"/cases/{margaret.code}/advice/")
    type_in(page.get_by_label("Key points"), "Your bones come first.")
    page.get_by_role("button", name="Add a supplement to the plan").click()
    page.get_by_role("button", name="Add a supplement to the plan").click()

    calcium = page.get_by_role("group", name="Plan item 1")
    type_in(calcium.get_by_label("Product or nutrient"), "Calcium carbonate")
    type_in(calcium.get_by_label("Nutrient", exact=True), "calcium")
    type_in(calcium.get_by_label("Amount per dose"), "600")
    type_in(calcium.get_by_label("Doses a day"), "2")
    calcium.get_by_label("When to take it").select_option(label="With lunch")
    calcium.get_by_role("checkbox", name="With the evening meal").check()

    magnesium = page.get_by_role("group", name="Plan item 2")
    type_in(magnesium.get_by_label("Product or nutrient"), "Magnesium glycinate")
    type_in(magnesium.get_by_label("Nutrient", exact=True), "magnesium")
    type_in(magnesium.get_by_label("Amount per dose"), "150")
    magnesium.get_by_label("When to take it").select_option(label="At bedtime")

    page.get_by_label(re.compile("^Alendronic acid 70 mg")).select_option(
        label="On waking, on an empty stomach"
    )
    expect(page.locator("#advice-save-status")).to_have_text(re.compile("^Saved at"))
    check(page)
    page.get_by_role("button", name="Save and check the plan").click()
    acknowledge_every_finding(page, page.locator("#plan-check"))
    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_role("heading", name="Your daily timetable")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Back to the advice").click()
    expect(page.locator("#issue-blockers")).to_have_count(0)
    page.get_by_role("button", name=re.compile("^Issue the PDF")).click()
    expect(page.get_by_text("Advice summary version 1 issued")).to_be_visible()
    context.close()

    context = new_context(browser, live_server, viewport=NARROW)
    page = context.new_page()
    sign_in(page, "margaret@example.com")
    check(page)
    content = download_latest_summary(page, tmp_path)
    context.close()

    text = " ".join(pdf_text(content).split())
    day = text[text.index("Your daily timetable") : text.index("Key points")]
    # The waits are the knowledge base's own spacings, whatever they are today.
    rules = knowledge_base.load().rules
    calcium_wait = duration_words(rules["ca-bisphosphonates"].spacing_hours)
    magnesium_wait = duration_words(rules["mg-bisphosphonates"].spacing_hours)
    expected_in_order = [
        "On waking, on an empty stomach",
        "Alendronic acid 70 mg (your medicine, as prescribed: once a week, "
        "Monday mornings)",
        "With lunch",
        "Calcium carbonate, 600 mg",
        f"Wait at least {calcium_wait} after your alendronic acid.",
        "With the evening meal",
        "Calcium carbonate, 600 mg",
        "At bedtime",
        "Magnesium glycinate, 150 mg",
        f"Wait at least {magnesium_wait} after your alendronic acid.",
    ]
    position = 0
    for part in expected_in_order:
        found = day.find(part, position)
        assert found >= 0, f"{part!r} not after position {position} in {day!r}"
        position = found + len(part)
    assert "Your symptoms" not in text
