"""Every page a person can reach passes axe and fits a 320 px screen, for each role,
not only the pages the journeys happen to visit."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from practice.models import Client
from tests.e2e.conftest import DESKTOP, NARROW
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in

PUBLIC_PAGES = [
    "/privacy/",
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/signup/",
    "/invitation/not-a-real-link/",
    "/no-such-page/",
]
CLIENT_PAGES = [
    "/portal/",
    "/portal/delete-my-account/",
    "/accounts/password/change/",
    "/accounts/2fa/",
]
PRACTITIONER_PAGES = ["/dashboard/", "/clients/invite/", "/accounts/2fa/"]
ADMIN_PAGES = ["/staff/"]


def check_everywhere(page, paths):
    for viewport in (NARROW, DESKTOP):
        page.set_viewport_size(viewport)
        for path in paths:
            page.goto(path)
            assert_accessible(page)
            assert_no_sideways_scroll(page)


def test_public_pages(page, demo):
    check_everywhere(page, PUBLIC_PAGES)


def test_client_pages(page, demo):
    sign_in(page, "client@example.com")
    alice = Client.objects.get(user__email="client@example.com")
    code = alice.responses.get().code
    check_everywhere(page, [*CLIENT_PAGES, f"/q/{code}/step/1/", f"/q/{code}/review/"])


def test_practitioner_pages(page, demo):
    sign_in(page, "practitioner@example.com")
    margaret = Client.objects.get(user__email="margaret@example.com")
    check_everywhere(page, [*PRACTITIONER_PAGES, margaret.get_absolute_url()])


def test_admin_pages(page, demo):
    sign_in(page, "admin@example.com")
    bob = Client.objects.get(user__email="client2@example.com")
    check_everywhere(page, [*ADMIN_PAGES, f"/staff/clients/{bob.code}/erase/"])


def test_case_and_advice_pages(page, demo):
    sign_in(page, "practitioner@example.com")
    george = Client.objects.get(user__email="george@example.com")
    # His first visit and his follow-up (with what changed since).
    check_everywhere(
        page,
        [
            url
            for response in george.responses.order_by("created_at")
            for url in (
                f"/cases/{response.code}/",
                f"/cases/{response.code}/advice/",
                f"/cases/{response.code}/advice/preview/",
            )
        ],
    )


@pytest.mark.usefixtures("demo")
def test_an_invited_client_sets_a_password_on_an_accessible_page(page, settings):
    sign_in(page, "practitioner@example.com")
    page.goto("/clients/invite/")
    page.get_by_label("Client's full name").fill("Carol Cole")
    page.get_by_label("Client's email address").fill("carol@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to Carol Cole")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Menu").click()  # collapsed on a phone
    page.get_by_role("button", name=re.compile("Sign out")).click()

    link = re.search(r"https?://[^/\s]+(/invitation/[^\s]+/)", mail.outbox[-1].body)
    page.goto(link.group(1))
    assert_accessible(page)
    page.get_by_label("Choose a password").fill("a-long-and-unusual-passphrase")
    page.get_by_label("Type the same password again").fill(
        "a-long-and-unusual-passphrase"
    )
    page.get_by_role("button", name="Set my password and continue").click()
    expect(page.get_by_role("heading", name="Hello, Carol")).to_be_visible()
    expect(page.get_by_role("link", name="Start the questionnaire")).to_be_visible()
    assert_accessible(page)
