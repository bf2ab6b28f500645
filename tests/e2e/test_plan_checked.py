"""Priya decides Margaret's findings with notes, writes a plan that replaces her
magnesium citrate and stops her calcium, and issues it: the notes stay on the
case page, the totals follow the plan, and the PDF says what to stop. A plan
changed by any button but "Save and check" cannot be issued, and a second tab's
Issue does not make a second version."""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from playwright.sync_api import Page, expect

from questionnaires.models import IssuedSummary
from tests.e2e.conftest import DESKTOP, new_context
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in
from tests.pdf_helpers import pdf_text

NARROW = {"width": 320, "height": 800}


def type_into(field, text: str) -> None:
    """Type as a person does: clear the field, then press each key."""
    field.click()
    field.press("Control+a")
    field.press("Delete")
    field.press_sequentially(text)


def open_margaret(page: Page) -> None:
    sign_in(page, "practitioner@example.com")
    page.get_by_role("link", name="Margaret Mills").click()


def decide_with_notes(page: Page) -> list[str]:
    """Acknowledge every undecided refer and major finding, each with a note."""
    notes = []
    while True:
        cards = page.locator("article.finding-major, article.finding-refer").filter(
            has=page.get_by_role("button", name=re.compile("^Acknowledge"))
        )
        if cards.count() == 0:
            return notes
        card = page.locator(f"#{cards.first.get_attribute('id')}")
        note = f"Note {len(notes) + 1}: timing agreed with Margaret"
        card.get_by_label(re.compile("^Note")).press_sequentially(note)
        card.get_by_role("button", name=re.compile("^Acknowledge")).click()
        expect(card.get_by_text(re.compile("^Acknowledged by Priya"))).to_be_visible()
        notes.append(note)


def add_plan_row(page: Page, product: str, nutrient: str, amount: str):
    page.get_by_role("button", name="Add a supplement to the plan").click()
    item = page.get_by_role("group", name=re.compile(r"^Plan item \d+$")).last
    item.get_by_label("Product or nutrient").press_sequentially(product)
    item.get_by_label("Nutrient", exact=True).press_sequentially(nutrient)
    item.get_by_label("Amount per dose").press_sequentially(amount)
    return item


def total(page: Page, nutrient: str):
    table = page.get_by_role("table", name=re.compile("Daily totals"))
    return table.get_by_role("row", name=re.compile(nutrient, re.I))


def test_notes_survive_the_plan_and_stop_and_replace_reach_the_pdf(
    browser, live_server, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    open_margaret(page)
    notes = decide_with_notes(page)
    assert len(notes) >= 2  # magnesium and calcium with alendronic acid
    expect(page.get_by_text("State: Ready for advice")).to_be_visible()

    page.get_by_role("link", name="Write the advice").click()
    type_into(page.get_by_label("Key points"), "Magnesium glycinate in the evening.")
    add_plan_row(page, "Magnesium glycinate", "magnesium", "200")
    page.get_by_role("button", name="Save and check the plan").click()
    # Kept as she takes it now: 300 mg citrate plus 200 mg glycinate.
    expect(total(page, "magnesium")).to_contain_text("500 mg a day")

    citrate = page.get_by_role("group", name=re.compile("^Magnesium Citrate"))
    citrate.get_by_role("radio", name=re.compile("^Replace it")).check()
    citrate.get_by_label("Replaced by").select_option(
        label="Plan item 1: Magnesium glycinate"
    )
    calcium = page.get_by_role("group", name=re.compile("^Calcium 600"))
    calcium.get_by_role("radio", name=re.compile("^Stop taking")).check()
    page.get_by_role("button", name="Save and check the plan").click()

    expect(page.get_by_text("Checked", exact=True)).to_be_visible()
    expect(total(page, "magnesium")).to_contain_text("300 mg a day")
    expect(total(page, "magnesium").get_by_role("cell").last).to_have_text(
        "200 mg a day"
    )
    expect(total(page, "calcium").get_by_role("cell").last).to_have_text("none")
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    assert_no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)

    # The decisions and their notes are still on the case page.
    page.get_by_role("link", name="Back to the case").click()
    page.get_by_text(re.compile("^Every decision, note and change")).click()
    history = page.get_by_role("region", name="History of the case")
    for note in notes:
        expect(history.get_by_text(note).first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Write the advice").click()
    page.get_by_role("button", name=re.compile("^Issue the PDF")).click()
    expect(page.get_by_text("Advice summary version 1 issued")).to_be_visible()
    context.close()

    summary = IssuedSummary.objects.get()
    with default_storage.open(summary.file_name, "rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "Stop taking" in text
    assert "Calcium 600 mg (once a day)" in text  # the dose is said once
    assert "replaced by Magnesium glycinate" in text
    assert "Magnesium glycinate" in text


def test_a_plan_stored_by_another_button_is_not_checked_and_cannot_be_issued(
    browser, live_server, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    open_margaret(page)
    decide_with_notes(page)
    page.get_by_role("link", name="Write the advice").click()
    type_into(page.get_by_label("Key points"), "Magnesium in the evening.")
    item = add_plan_row(page, "Magnesium glycinate", "magnesium", "100")
    page.get_by_role("button", name="Save and check the plan").click()
    issue = page.get_by_role("button", name=re.compile("^Issue the PDF"))
    expect(issue).to_be_enabled()

    # Add: a new amount typed, then another button.
    item = page.get_by_role("group", name="Plan item 1")
    type_into(item.get_by_label("Amount per dose"), "5000")
    page.get_by_role("button", name="Add a supplement to the plan").click()
    expect(page.get_by_text("Not checked yet")).to_be_visible()
    expect(issue).to_be_disabled()

    # Remove the empty row: still not checked.
    page.get_by_role("button", name="Remove plan item 2").click()
    expect(page.get_by_text("Not checked yet")).to_be_visible()
    expect(issue).to_be_disabled()

    # A refused save ("two" doses a day) keeps what was typed, still unchecked.
    item = page.get_by_role("group", name="Plan item 1")
    type_into(item.get_by_label("Doses a day"), "two")
    page.get_by_role("button", name="Save and check the plan").click()
    expect(page.get_by_text("Enter the doses a day as a number").first).to_be_visible()
    expect(page.get_by_text("Not checked yet")).to_be_visible()
    expect(issue).to_be_disabled()

    # Saved properly, the 5000 mg is checked and its finding shown.
    item = page.get_by_role("group", name="Plan item 1")
    type_into(item.get_by_label("Doses a day"), "1")
    page.get_by_role("button", name="Save and check the plan").click()
    expect(page.get_by_text("Checked", exact=True)).to_be_visible()
    expect(
        page.locator("#plan-check").get_by_role(
            "heading", name=re.compile("above the upper limit")
        )
    ).to_be_visible()
    decide_with_notes(page)  # a plan row may join a major finding

    # Two tabs on the same case press Issue: one version.
    second = context.new_page()
    second.goto(page.url)
    page.reload()
    page.get_by_role("button", name=re.compile("^Issue the PDF")).click()
    expect(page.get_by_text("Advice summary version 1 issued")).to_be_visible()
    second.get_by_role("button", name=re.compile("^Issue the PDF")).click()
    expect(second.get_by_text("Version 1 has already been issued")).to_be_visible()
    assert IssuedSummary.objects.count() == 1
    summary = IssuedSummary.objects.get()
    with default_storage.open(summary.file_name, "rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "5000 mg" in text
    context.close()
