"""Priya's advice is saved as she types: it survives a lost connection, and a
second tab open on the same advice is told, not allowed to overwrite it."""

import re

from playwright.sync_api import expect

from questionnaires.models import AdviceDraft, Response
from tests.e2e.conftest import DESKTOP, NARROW, new_context
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in


def open_advice(browser, live_server):
    context = new_context(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    sign_in(page, "practitioner@example.com")
    page.get_by_role("link", name="Linda Lowe").click()
    page.get_by_role("link", name=re.compile("the advice$")).click()
    # The page and its deferred autosave script in full, before a test goes offline:
    # a script still loading then would fail to load at all.
    expect(page).to_have_url(re.compile(r"/advice/$"))
    page.wait_for_load_state("load")
    return context, page


def type_into(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.click()
    page.keyboard.press("End")
    box.press_sequentially(text, delay=10)


def test_typing_is_saved_and_a_second_tab_is_told_not_to_overwrite(
    browser, live_server, demo
):
    linda = Response.objects.get(client__user__email="linda@example.com")
    first, tab_a = open_advice(browser, live_server)
    second, tab_b = open_advice(browser, live_server)
    status_a = tab_a.locator("#advice-save-status")
    status_b = tab_b.locator("#advice-save-status")

    type_into(tab_a, "Key points", "Take magnesium with your evening meal.")
    expect(status_a).to_have_text(re.compile(r"^Saved at \d\d:\d\d\.$"))
    draft = AdviceDraft.objects.get(response=linda)
    assert draft.key_points == "Take magnesium with your evening meal."

    # The second tab was opened before that save: its typing is refused, it says
    # so, and the first tab's words stay.
    type_into(tab_b, "Dietary advice", "Leafy greens every day.")
    expect(status_b).to_contain_text("Not saved.")
    expect(status_b).to_contain_text("Priya Patel")
    expect(tab_b.get_by_label("Dietary advice", exact=True)).to_have_value(
        "Leafy greens every day."
    )
    draft.refresh_from_db()
    assert draft.key_points == "Take magnesium with your evening meal."
    assert draft.diet == ""
    for viewport in (NARROW, DESKTOP):
        tab_b.set_viewport_size(viewport)
        assert_accessible(tab_b)
        assert_no_sideways_scroll(tab_b)

    # Reloaded, the second tab shows the newer advice and saves again.
    tab_b.reload()
    expect(tab_b.get_by_label("Key points", exact=True)).to_have_value(
        "Take magnesium with your evening meal."
    )
    type_into(tab_b, "Dietary advice", "Leafy greens every day.")
    expect(status_b).to_have_text(re.compile(r"^Saved at"))
    draft.refresh_from_db()
    assert draft.diet == "Leafy greens every day."
    second.close()

    # The first tab is now behind: it is told rather than overwriting the diet.
    type_into(tab_a, "Lifestyle advice", "Walk daily.")
    expect(status_a).to_contain_text("Not saved.")
    draft.refresh_from_db()
    assert draft.diet == "Leafy greens every day." and draft.lifestyle == ""
    first.close()


def test_typing_offline_is_saved_when_the_connection_returns(
    browser, live_server, demo
):
    linda = Response.objects.get(client__user__email="linda@example.com")
    context, page = open_advice(browser, live_server)
    status = page.locator("#advice-save-status")
    context.set_offline(True)
    type_into(page, "Follow-up", "See you in eight weeks.")
    expect(status).to_contain_text("no connection")
    assert AdviceDraft.objects.get(response=linda).follow_up == ""
    context.set_offline(False)
    expect(status).to_have_text(re.compile(r"^Saved at"), timeout=15_000)
    assert AdviceDraft.objects.get(response=linda).follow_up == (
        "See you in eight weeks."
    )
    context.close()


def test_after_an_idle_sign_out_the_page_says_so_and_keeps_the_text(
    browser, live_server, demo, settings
):
    """Everything typed before the idle limit is saved; what is typed after it is
    kept on the page with a message, never silently dropped."""
    import time

    linda = Response.objects.get(client__user__email="linda@example.com")
    context, page = open_advice(browser, live_server)
    status = page.locator("#advice-save-status")
    type_into(page, "Key points", "Saved before the break.")
    expect(status).to_have_text(re.compile(r"^Saved at"))

    settings.COFACTOR_STAFF_IDLE_MINUTES = 0  # any pause now signs Priya out
    time.sleep(1.5)
    type_into(page, "Lifestyle advice", "Typed after the break.")
    expect(status).to_contain_text("you have been signed out")
    expect(page.get_by_label("Lifestyle advice", exact=True)).to_have_value(
        "Typed after the break."
    )
    draft = AdviceDraft.objects.get(response=linda)
    assert draft.key_points == "Saved before the break."
    assert draft.lifestyle == ""
    context.close()
