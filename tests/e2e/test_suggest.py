"""Medicine and supplement names are suggested as Alice types, on a phone and at a
desk, with the keyboard and with a tap; anything else she types is kept as typed."""

import re

import pytest
from playwright.sync_api import Page, expect

from practice.models import Client
from questionnaires.intake import sending
from tests.e2e.conftest import DESKTOP, NARROW, PHONE, new_context
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in


@pytest.fixture
def fresh_questionnaire(demo):
    alice = Client.objects.get(user__email="client@example.com")
    alice.responses.all().delete()
    return sending.send_questionnaire(client=alice, sent_by=None)


def open_step(browser, live_server, response, step: int, viewport=PHONE) -> Page:
    context = new_context(browser, live_server, viewport)
    page = context.new_page()
    sign_in(page, "client@example.com")
    page.goto(f"/q/{response.code}/step/{step}/")
    return page


def saved(page: Page, read, expected, seconds: float = 5) -> None:
    """Wait until the autosave has stored what the page shows."""
    for _ in range(int(seconds * 10)):
        if read() == expected:
            return
        page.wait_for_timeout(100)
    assert read() == expected


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "1280px"])
def test_keyboard_picks_a_suggested_medicine_and_axe_is_clean_with_the_list_open(
    browser, live_server, fresh_questionnaire, viewport
):
    page = open_step(browser, live_server, fresh_questionnaire, 3, viewport)
    name = page.get_by_role("combobox", name="Name of the medicine")
    assert_accessible(page)
    name.press_sequentially("fosa", delay=40)
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option", name=re.compile("^Fosamax"))).to_be_visible()
    expect(name).to_have_attribute("aria-expanded", "true")
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    page.keyboard.press("ArrowDown")
    option = listbox.get_by_role("option").first
    expect(option).to_have_attribute("aria-selected", "true")
    expect(name).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    page.keyboard.press("Enter")  # takes the suggestion; does not send the form
    expect(name).to_have_value("Fosamax")
    expect(listbox).to_be_hidden()
    expect(name).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_text("Step 3 of", exact=False)).to_be_visible()
    saved(page, lambda: fresh_questionnaire.medications.get().name, "Fosamax")
    page.context.close()


def test_a_tap_picks_a_suggestion_and_free_text_is_kept_as_typed(
    browser, live_server, fresh_questionnaire
):
    page = open_step(browser, live_server, fresh_questionnaire, 3)
    name = page.get_by_role("combobox", name="Name of the medicine")
    name.press_sequentially("amlodap", delay=30)  # misspelt, as people do
    page.get_by_role("option", name="Amlodipine").click()
    expect(name).to_have_value("Amlodipine")
    expect(name).to_be_focused()
    saved(page, lambda: fresh_questionnaire.medications.get().name, "Amlodipine")

    name.press("ControlOrMeta+a")
    name.press_sequentially("Blood pressure tablets", delay=20)
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Step 4 of", exact=False)).to_be_visible()
    assert fresh_questionnaire.medications.get().name == "Blood pressure tablets"
    page.context.close()


def test_a_supplement_card_asks_four_things_and_keeps_the_rest_under_more_details(
    browser, live_server, fresh_questionnaire
):
    page = open_step(browser, live_server, fresh_questionnaire, 4, NARROW)
    card = page.get_by_role("group", name="Supplement 1", exact=True)
    product = card.get_by_role("combobox", name="Product name")
    product.press_sequentially("magnesium cit", delay=30)
    page.get_by_role("option", name="Magnesium citrate").click()
    amount = card.get_by_label("Amount in each dose, as printed on the label")
    amount.press_sequentially("400")
    per_day = card.get_by_label("How many a day")
    expect(per_day).to_have_value("1")
    per_day.press("ControlOrMeta+a")
    per_day.press_sequentially("2")
    expect(card.get_by_label("Nutrient or ingredient")).to_be_hidden()
    expect(card.get_by_text("I'm not sure")).to_be_hidden()
    assert_accessible(page)

    card.get_by_text("More details, if the label says").click()
    expect(card.get_by_label("I'm not sure")).to_be_checked()
    card.get_by_label("The weight of the whole compound").check()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    saved(
        page,
        lambda: fresh_questionnaire.supplements.values_list(
            "product", "amount", "per_day", "basis"
        ).get(),
        ("Magnesium citrate", "400", "2", "compound"),
    )
    page.reload()
    details = page.locator("details.entry-more")
    expect(details).to_have_attribute("open", "")  # what she chose stays in view
    page.context.close()


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "1280px"])
def test_every_step_passes_axe_and_fits(
    browser, live_server, fresh_questionnaire, viewport
):
    """Every step as it is now (three date boxes, feet and inches, comboboxes,
    "More details"), at the narrowest phone and on a desk."""
    page = open_step(browser, live_server, fresh_questionnaire, 1, viewport)
    total = len(fresh_questionnaire.version.steps())
    for number in range(1, total + 1):
        page.goto(f"/q/{fresh_questionnaire.code}/step/{number}/")
        expect(
            page.get_by_text(f"Step {number} of {total}", exact=True)
        ).to_be_visible()
        assert_accessible(page)
        assert_no_sideways_scroll(page)
    page.context.close()
