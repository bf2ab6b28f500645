"""The case page a therapist can act on in two minutes: the first screen says who,
what they take, what must be decided, their goals and the private notes; decided
findings fold away. Typed with real key presses; axe at 320 px and 1280 px."""

import re

from playwright.sync_api import Page, expect

from questionnaires.models import Finding, Response
from tests.e2e.conftest import DESKTOP, NARROW, new_context
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in

OVERVIEW_SCREEN = {"width": 1366, "height": 768}


def check(page: Page) -> None:
    for viewport in (NARROW, DESKTOP):
        page.set_viewport_size(viewport)
        assert_accessible(page)
        assert_no_sideways_scroll(page)


def in_first_screen(page: Page, selector: str) -> bool:
    """Whether the element's top is within the first 768 px of the page."""
    return page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().top"
        " + window.scrollY < 768",
        selector,
    )


def test_the_first_screen_holds_what_to_act_on(browser, live_server, demo):
    context = new_context(browser, live_server, viewport=OVERVIEW_SCREEN)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.get_by_role("link", name="Margaret Mills").click()
    glance = page.locator(".case-overview")
    expect(glance).to_contain_text("Osteoporosis")
    expect(glance).to_contain_text("Keep my bones strong")
    expect(glance).to_contain_text("Muscle cramps")  # a worst symptom
    expect(page.locator("#glance-entries")).to_contain_text("Alendronic acid 70 mg")
    expect(page.locator("#glance-entries")).to_contain_text("bisphosphonates")
    expect(page.get_by_role("heading", name="Major findings to decide")).to_be_visible()
    for selector in ("#glance-entries", "#case-status", "#notes", "#note-text"):
        assert in_first_screen(page, selector), selector
    check(page)
    context.close()


def test_a_decided_finding_folds_and_opens_again_by_keyboard(
    browser, live_server, demo
):
    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.get_by_role("link", name="Margaret Mills").click()
    response = Response.objects.get(client__user__email="margaret@example.com")
    major = Finding.objects.get(response=response, rule="mg-bisphosphonates")
    card = page.locator(f"#finding-{major.code}")
    why = card.get_by_text(major.message)
    expect(why).to_be_visible()

    note = card.get_by_label(re.compile("^Note"))
    note.click()
    note.press_sequentially("Magnesium moved to the evening", delay=5)
    card.get_by_role("button", name=re.compile("^Acknowledge")).click()

    # Folded in place: the decision and note in one line, the reasons hidden.
    expect(card).to_contain_text("Acknowledged by Priya Patel")
    expect(card).to_contain_text("“Magnesium moved to the evening”")
    expect(why).to_be_hidden()

    # After a reload it is in the folded list of decided findings.
    page.reload()
    decided = page.locator("#decided-findings")
    expect(decided.locator("summary").first).to_have_text("Decided (1)")
    expect(card).to_be_hidden()
    decided.locator("summary").first.focus()
    page.keyboard.press("Enter")
    expect(card).to_contain_text("Magnesium moved to the evening")
    expect(why).to_be_hidden()
    card.locator("summary").first.focus()
    page.keyboard.press("Enter")
    expect(why).to_be_visible()
    evidence = card.get_by_text(re.compile("^Evidence: Checked against the official"))
    expect(evidence).to_be_hidden()  # evidence and sources fold too
    card.locator("summary", has_text="Evidence and sources").focus()
    page.keyboard.press("Enter")
    expect(evidence).to_be_visible()
    expect(card.get_by_role("button", name=re.compile("^Undo"))).to_be_visible()
    check(page)

    major.refresh_from_db()
    assert major.decision_note == "Magnesium moved to the evening"
    context.close()
