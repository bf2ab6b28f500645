"""Each demo account signs in through the login form and lands on its role's home;
the pages pass axe and fit a 320 px screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, NARROW
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in

ACCOUNTS = [
    ("client@example.com", "/portal/", "Hello, Alice"),
    ("practitioner@example.com", "/dashboard/", "Your clients"),
    ("admin@example.com", "/staff/", "Staff home"),
]


def test_the_login_page_is_accessible_at_every_width(page, demo):
    for viewport in (NARROW, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto("/accounts/login/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        assert_accessible(page)
        assert_no_sideways_scroll(page)


@pytest.mark.parametrize(("email", "home", "heading"), ACCOUNTS)
def test_each_demo_account_lands_on_its_home(page, demo, email, home, heading):
    sign_in(page, email)
    expect(page).to_have_url(re.compile(re.escape(home) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    assert_accessible(page)
    page.set_viewport_size(NARROW)
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def test_a_keyboard_user_can_skip_to_the_content_and_sign_in(page, demo):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # From the top of the content, the next stops are the form's fields in order.
    for _ in range(6):
        if page.evaluate("document.activeElement.id") == "id_login":
            break
        page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type("client@example.com")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("cofactor-demo")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/portal/$"))


def test_a_wrong_password_is_announced_and_the_email_kept(page, demo):
    sign_in(page, "client@example.com", "wrong-password")
    expect(page.get_by_text("not correct")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("client@example.com")
    assert_accessible(page)


def test_signing_out_returns_to_the_login_page(page, demo):
    sign_in(page, "client@example.com")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
