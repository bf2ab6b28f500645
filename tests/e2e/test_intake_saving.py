"""Nothing a client types is lost, tried on a 375 px phone the way people use one:
typing with key presses and tapping at once, two devices on one step, a dropped
connection, and a page left open past the idle limit."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from practice.models import Client
from questionnaires.intake import sending
from questionnaires.models import Answer, Medication
from tests.e2e.conftest import DESKTOP, NARROW, PHONE, new_context
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in

ALICE = "client@example.com"
ALLERGIES = "Do you have any allergies or intolerances?"
HISTORY = "Have you had any operations or serious illnesses in the past?"

# Collects anything the Content Security Policy blocks, from the first script on.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def response(demo):
    """Alice with a questionnaire she has not started."""
    alice = Client.objects.get(user__email=ALICE)
    alice.responses.all().delete()
    return sending.send_questionnaire(client=alice, sent_by=None)


def phone(browser, live_server, viewport=None):
    context = new_context(browser, live_server, viewport or PHONE)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    sign_in(page, ALICE)
    return context, page


def open_step(page: Page, response, number: int) -> None:
    page.goto(f"/q/{response.code}/step/{number}/")
    expect(page.get_by_text(f"Step {number} of", exact=False).first).to_be_visible()


SAVED = re.compile(r"^Saved at \d\d:\d\d$")


def status(page: Page):
    """The save status line (a role=status live region)."""
    return page.get_by_role("status").and_(page.locator("[data-saver-status]"))


def assert_no_csp_violations(page: Page) -> None:
    assert page.evaluate("window.__cspViolations") == []


def stored(response, concept: str):
    answer = Answer.objects.filter(response=response, question__concept=concept).first()
    return answer.value if answer else None


def saver_storage(page: Page) -> str:
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('cofactor-saver:'))"
        ".map(k => localStorage.getItem(k)).join('')"
    )


def test_adding_a_row_right_after_typing_works_on_the_first_tap(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 3)
    names = ["Alendronic acid", "Amlodipine", "Omeprazole"]
    for i, name in enumerate(names, start=1):
        card = page.get_by_role("group", name=f"Medicine {i}")
        card.get_by_label("Name of the medicine").press_sequentially(name)
        card.get_by_label("Strength").press_sequentially("10 mg")
        # Tapped at once: the blur fires a save while the add is on its way.
        page.get_by_role("button", name="Add another medicine").click()
        new_card = page.get_by_role("group", name=f"Medicine {i + 1}")
        expect(new_card).to_be_visible()
        expect(new_card.get_by_label("Name of the medicine")).to_be_focused()
        expect(page.locator("fieldset.entry")).to_have_count(i + 1)
        expect(card.get_by_label("Name of the medicine")).to_have_value(name)
    expect(status(page)).to_have_text(SAVED, timeout=5000)
    page.reload()
    for i, name in enumerate(names, start=1):
        card = page.get_by_role("group", name=f"Medicine {i}")
        expect(card.get_by_label("Name of the medicine")).to_have_value(name)
        expect(card.get_by_label("Strength")).to_have_value("10 mg")
    stored_names = list(
        Medication.objects.filter(response=response).values_list("name", flat=True)
    )
    assert stored_names == [*names, ""]
    assert_no_csp_violations(page)
    context.close()


def test_a_double_tap_on_add_adds_one_row(browser, live_server, response):
    context, page = phone(browser, live_server)
    open_step(page, response, 3)
    page.get_by_role("group", name="Medicine 1").get_by_label(
        "Name of the medicine"
    ).press_sequentially("Aspirin")
    page.get_by_role("button", name="Add another medicine").dblclick()
    expect(page.get_by_role("group", name="Medicine 2")).to_be_visible()
    expect(status(page)).to_have_text(SAVED, timeout=5000)
    page.wait_for_timeout(500)
    expect(page.locator("fieldset.entry")).to_have_count(2)
    assert Medication.objects.filter(response=response).count() == 2
    context.close()


def test_enter_in_a_medicine_field_saves_and_removes_nothing(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 3)
    name = page.get_by_role("group", name="Medicine 1").get_by_label(
        "Name of the medicine"
    )
    name.press_sequentially("Warfarin")
    name.press("Enter")
    expect(status(page)).to_have_text(SAVED, timeout=5000)
    expect(page.locator("fieldset.entry")).to_have_count(1)
    expect(name).to_have_value("Warfarin")
    assert list(
        Medication.objects.filter(response=response).values_list("name", flat=True)
    ) == ["Warfarin"]
    context.close()


def test_typing_into_a_new_row_and_moving_on_at_once_keeps_it(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 3)
    first = page.get_by_role("group", name="Medicine 1")
    first.get_by_label("Name of the medicine").press_sequentially("Aspirin")
    page.get_by_role("button", name="Add another medicine").click()
    second = page.get_by_role("group", name="Medicine 2")
    expect(second.get_by_label("Name of the medicine")).to_be_focused()
    page.keyboard.type("Levothyroxine")
    # Tapped before the autosave's pause is over: the page saves, then moves on.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Step 4 of", exact=False)).to_be_visible()
    names = Medication.objects.filter(response=response).values_list("name", flat=True)
    assert list(names) == ["Aspirin", "Levothyroxine"]
    assert saver_storage(page) == ""
    context.close()


@pytest.fixture
def two_devices(browser, live_server, response):
    """Alice's laptop and phone, both signed in and showing step 2."""
    opened = [phone(browser, live_server) for _ in range(2)]
    for _, page in opened:
        open_step(page, response, 2)
    yield [page for _, page in opened]
    for context, _ in opened:
        context.close()


def test_two_devices_on_one_step_keep_both_answers(two_devices):
    laptop, mobile = two_devices
    laptop.get_by_label(ALLERGIES).press_sequentially("Penicillin")
    expect(status(laptop)).to_contain_text("Saved at", timeout=5000)
    mobile.get_by_label(HISTORY).press_sequentially("Hip replaced in 2019")
    expect(status(mobile)).to_contain_text("Saved at", timeout=5000)
    for page in (laptop, mobile):
        page.reload()
        expect(page.get_by_label(ALLERGIES)).to_have_value("Penicillin")
        expect(page.get_by_label(HISTORY)).to_have_value("Hip replaced in 2019")


def test_the_same_answer_changed_on_two_devices_is_shown_not_lost(
    two_devices, response
):
    laptop, mobile = two_devices
    laptop.get_by_label(ALLERGIES).press_sequentially("Penicillin")
    expect(status(laptop)).to_contain_text("Saved at", timeout=5000)

    mobile.get_by_label(ALLERGIES).press_sequentially("Peanuts")
    notice = mobile.get_by_role("alert").filter(has_text="changed on another device")
    expect(notice).to_be_visible(timeout=5000)
    expect(notice).to_contain_text("Penicillin")
    expect(notice).to_contain_text("Peanuts")
    expect(status(mobile)).to_contain_text("please choose which to keep")
    assert stored(response, "allergies") == "Penicillin"
    assert_accessible(mobile)
    # Moving on is held until she chooses.
    mobile.get_by_role("button", name="Save and continue").click()
    expect(mobile.get_by_text("Step 2 of", exact=False)).to_be_visible()
    expect(status(mobile)).to_contain_text("choose which answer to keep")

    notice.get_by_role("button", name="Keep mine").click()
    expect(notice).to_be_hidden()
    expect(status(mobile)).to_have_text(SAVED, timeout=5000)
    assert stored(response, "allergies") == "Peanuts"
    assert_no_csp_violations(mobile)


def test_offline_typing_says_not_saved_and_is_saved_when_back(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 2)
    context.set_offline(True)
    page.get_by_label(ALLERGIES).press_sequentially("Shellfish")
    expect(status(page)).to_contain_text("Not saved: no connection", timeout=5000)
    assert "Shellfish" in saver_storage(page)
    assert stored(response, "allergies") is None
    assert_accessible(page)
    # "Save and continue" offline keeps her on the page, with the same message.
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Step 2 of", exact=False)).to_be_visible()
    expect(page.get_by_label(ALLERGIES)).to_have_value("Shellfish")

    context.set_offline(False)
    expect(status(page)).to_contain_text("Saved at", timeout=10_000)
    assert stored(response, "allergies") == "Shellfish"
    assert saver_storage(page) == ""  # nothing about her health left behind
    context.close()


def test_typing_kept_on_the_device_is_sent_when_the_page_is_opened_again(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 2)
    context.set_offline(True)
    page.get_by_label(ALLERGIES).press_sequentially("Latex")
    expect(status(page)).to_contain_text("Not saved", timeout=5000)
    page.close()  # the tab is closed while offline
    context.set_offline(False)
    page = context.new_page()
    open_step(page, response, 2)
    expect(page.get_by_label(ALLERGIES)).to_have_value("Latex")
    expect(status(page)).to_contain_text("Saved at", timeout=5000)
    assert stored(response, "allergies") == "Latex"
    assert saver_storage(page) == ""
    context.close()


def _expire_session(context) -> None:
    """As if the page had been left while the laptop slept past the limit."""
    [cookie] = [c for c in context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session["cofactor_last_seen"] = time.time() - 2 * 3600
    session.save()


def test_text_typed_after_the_idle_limit_is_there_after_signing_in_again(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 5)
    day = page.get_by_label("What do you eat and drink on a typical day?")
    day.press_sequentially("Porridge for breakfast.")
    expect(status(page)).to_contain_text("Saved at", timeout=5000)
    _expire_session(context)
    day.press_sequentially(" Two biscuits.")
    expect(status(page)).to_contain_text("you were signed out", timeout=5000)
    assert_accessible(page)
    page.get_by_role("link", name="sign in again to save it").click()
    page.get_by_label("Email").fill(ALICE)
    page.get_by_label("Password").fill("cofactor-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Step 5 of", exact=False)).to_be_visible()
    expect(day).to_have_value("Porridge for breakfast. Two biscuits.")
    assert stored(response, "typical_day") == "Porridge for breakfast. Two biscuits."
    expect(status(page)).to_contain_text("Saved", timeout=5000)
    assert saver_storage(page) == ""
    context.close()


def test_signed_out_in_another_tab_says_so_and_keeps_the_typing(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 2)
    other_tab = context.new_page()
    other_tab.goto("/portal/")
    other_tab.get_by_role("button", name="Menu").click()
    other_tab.get_by_role("button", name="Sign out").click()
    page.get_by_label(ALLERGIES).press_sequentially("Sesame")
    expect(status(page)).to_contain_text("you were signed out", timeout=5000)
    assert "Sesame" in saver_storage(page)
    page.get_by_role("link", name="sign in again to save it").click()
    page.get_by_label("Email").fill(ALICE)
    page.get_by_label("Password").fill("cofactor-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_label(ALLERGIES)).to_have_value("Sesame")
    expect(status(page)).to_have_text(SAVED, timeout=5000)
    assert stored(response, "allergies") == "Sesame"
    context.close()


def test_a_page_from_before_signing_in_again_elsewhere_keeps_the_typing(
    browser, live_server, response
):
    context, page = phone(browser, live_server)
    open_step(page, response, 2)
    other_tab = context.new_page()
    other_tab.goto("/portal/")
    other_tab.get_by_role("button", name="Menu").click()
    other_tab.get_by_role("button", name="Sign out").click()
    sign_in(other_tab, ALICE)  # a new security token for this browser
    page.get_by_label(ALLERGIES).press_sequentially("Kiwi")
    expect(status(page)).to_contain_text("this page is out of date", timeout=5000)
    page.get_by_role("link", name="open the page again to save it").click()
    expect(page.get_by_label(ALLERGIES)).to_have_value("Kiwi")
    expect(status(page)).to_have_text(SAVED, timeout=5000)
    assert stored(response, "allergies") == "Kiwi"
    context.close()


def test_the_idle_warning_offers_more_time_and_typing_counts(
    browser, live_server, response, settings
):
    settings.COFACTOR_CLIENT_IDLE_MINUTES = 0.2  # 12 s: warned 4 s before
    context, page = phone(browser, live_server)
    open_step(page, response, 5)
    day = page.get_by_label("What do you eat and drink on a typical day?")
    # Typing slowly for longer than the limit: no warning, no sign-out.
    for word in ["Toast", "and", "tea", "then", "soup", "and", "bread", "then", "fish"]:
        day.press_sequentially(word + " ", delay=150)
        page.wait_for_timeout(1000)
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_hidden()
    # Then nothing: the warning comes, and "Stay signed in" keeps her in.
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    page.wait_for_timeout(5000)
    expect(page.get_by_text("Step 5 of", exact=False)).to_be_visible()
    # Left alone again: signed out, and back on the same step after signing in.
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=20_000)
    expect(
        page.get_by_text("signed out because the page was left unused")
    ).to_be_visible()
    page.get_by_label("Email").fill(ALICE)
    page.get_by_label("Password").fill("cofactor-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Step 5 of", exact=False)).to_be_visible()
    expect(day).to_have_value("Toast and tea then soup and bread then fish ")
    context.close()


def test_a_tab_left_alone_stays_signed_in_while_another_is_in_use(
    browser, live_server, response, settings
):
    settings.COFACTOR_CLIENT_IDLE_MINUTES = 0.2  # 12 s
    context, resting = phone(browser, live_server)
    open_step(resting, response, 2)
    resting.evaluate("window.sameDocument = true")
    busy = context.new_page()
    open_step(busy, response, 5)
    day = busy.get_by_label("What do you eat and drink on a typical day?")
    warned = []
    for word in ["Soup", "at", "lunch", "and", "fish", "for", "dinner", "tonight"]:
        day.press_sequentially(word + " ", delay=100)
        busy.wait_for_timeout(1200)
        warned.append(resting.evaluate("document.getElementById('idle-warning').open"))
    assert not any(warned), "the resting tab warned while another tab was in use"
    assert resting.evaluate("window.sameDocument === true"), "it was reloaded"
    context.close()


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "1280px"])
def test_the_save_status_and_idle_warning_pass_axe(
    browser, live_server, response, settings, viewport
):
    settings.COFACTOR_CLIENT_IDLE_MINUTES = 0.2
    context, page = phone(browser, live_server, viewport)
    open_step(page, response, 7)  # a long page: the status stays in view
    page.get_by_role("radio").first.check()
    expect(status(page)).to_contain_text("Saved at", timeout=5000)
    box = page.locator("#save-status").bounding_box()
    assert box["y"] + box["height"] <= viewport["height"] + 1
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    expect(page.get_by_role("dialog", name="Are you still there?")).to_be_visible(
        timeout=15_000
    )
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert_no_csp_violations(page)
    context.close()
