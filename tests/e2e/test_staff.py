"""The admin's own pages, in a browser: invite a practitioner who then joins with
MFA required, deactivate one with clients, reset two-factor, read the audit log.
Every page passes axe, fits 320 px, and works from the keyboard."""

from __future__ import annotations

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from playwright.sync_api import expect

from practice import staff
from practice.models import Client, Role, User
from tests.e2e.conftest import DESKTOP, NARROW, new_context
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in
from tests.test_mfa import current_code

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def check_page(page) -> None:
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    page.set_viewport_size(DESKTOP)


def test_an_invited_practitioner_joins_and_sets_up_two_factor(
    page, browser, live_server, demo, settings
):
    page.set_viewport_size(DESKTOP)
    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="Practitioners and admins").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Practitioners and admins"
    )
    check_page(page)
    page.get_by_role("link", name="Invite a practitioner or admin").click()
    check_page(page)
    page.get_by_label("Full name").press_sequentially("Nadia Noor")
    page.get_by_label("Email address").press_sequentially("nadia@example.org")
    page.get_by_label("Professional registration").press_sequentially("BANT 777")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to nadia@example.org")).to_be_visible()
    expect(page.get_by_text("Invited: has not chosen a password yet")).to_be_visible()

    # Nadia, on her own device, with two-factor required from the start.
    settings.COFACTOR_REQUIRE_STAFF_MFA = True
    link = re.search(r"https?://\S+/staff/invitation/\S+/", mail.outbox[-1].body)
    nadia = new_context(browser, live_server).new_page()
    nadia.goto(link.group(0))
    expect(nadia.get_by_role("heading", name="Welcome, Nadia")).to_be_visible()
    check_page(nadia)
    nadia.get_by_label("Choose a password").press_sequentially(NEW_PASSWORD)
    nadia.get_by_label("Type the same password again").press_sequentially(NEW_PASSWORD)
    nadia.get_by_role("button", name="Set my password and continue").click()
    expect(nadia).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = nadia.get_by_label("Authenticator secret").input_value()
    nadia.get_by_label("Authenticator code").press_sequentially(current_code(secret))
    nadia.get_by_role("button", name="Activate").click()
    nadia.goto("/dashboard/")
    expect(nadia.get_by_role("heading", level=1)).to_contain_text("Your clients")
    nadia.context.close()


def test_deactivating_a_practitioner_moves_their_clients_by_keyboard(page, demo):
    priya = User.objects.get(email="practitioner@example.com")
    clients = Client.objects.filter(practitioner__user=priya).count()
    assert clients
    page.set_viewport_size(DESKTOP)
    sign_in(page, "admin@example.com")
    page.goto("/staff/people/")
    page.get_by_role("link", name=f"Deactivate {priya.full_name}").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        f"{priya.full_name} has {clients} client"
    )
    check_page(page)
    choice = page.get_by_label("Move their clients to")
    choice.focus()
    page.keyboard.press("ArrowDown")  # the first other practitioner
    chosen = choice.evaluate("el => el.options[el.selectedIndex].text")
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("button", name=f"Deactivate {priya.full_name}")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(
        page.get_by_text(f"{priya.full_name} can no longer sign in.")
    ).to_be_visible()
    assert not Client.objects.filter(practitioner__user=priya).exists()
    page.goto("/staff/audit/")
    expect(
        page.get_by_text(f"Admin deactivated {priya.full_name}'s account").first
    ).to_be_visible()
    expect(page.get_by_text(f"to {chosen}").first).to_be_visible()
    check_page(page)


def test_resetting_two_factor_and_the_email_page(page, demo):
    omar = User.objects.get(email="practitioner2@example.com")
    TOTP.activate(omar, generate_totp_secret())
    page.set_viewport_size(DESKTOP)
    sign_in(page, "admin@example.com")
    page.goto("/staff/people/")
    page.get_by_role("link", name=f"Reset two-factor of {omar.full_name}").click()
    check_page(page)
    page.get_by_role("button", name="Reset two-factor authentication").click()
    expect(page.get_by_text("two-factor authentication was reset")).to_be_visible()
    page.goto("/accounts/email/")
    expect(page.get_by_text("admin@example.com", exact=True)).to_be_visible()
    check_page(page)


def test_a_staff_link_open_in_two_browsers_sets_the_password_once(
    browser, live_server, demo
):
    _, token = staff.invite_staff(
        full_name="Nadia Noor",
        email="nadia@example.org",
        role=Role.PRACTITIONER,
        invited_by=None,
        request=None,
    )
    pages = [new_context(browser, live_server).new_page() for _ in range(2)]
    for tab in pages:
        tab.goto(f"/staff/invitation/{token}/")
        tab.get_by_label("Choose a password").press_sequentially(NEW_PASSWORD)
        tab.get_by_label("Type the same password again").press_sequentially(
            NEW_PASSWORD
        )
    pages[0].get_by_role("button", name="Set my password and continue").click()
    expect(pages[0].get_by_role("heading", level=1)).to_contain_text("Your clients")
    pages[1].get_by_role("button", name="Set my password and continue").click()
    expect(
        pages[1].get_by_role("heading", name="This link has already been used")
    ).to_be_visible()
    assert_accessible(pages[1])
    for tab in pages:
        tab.context.close()
