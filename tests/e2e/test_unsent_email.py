"""Mail that has not gone out, as staff see it in a browser: the notice on the
client's page and on the staff home, on a phone and at 320 px, with axe."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from practice.models import Client, EmailStatus, OutgoingEmail
from tests.e2e.conftest import DESKTOP, NARROW, PHONE
from tests.e2e.helpers import assert_accessible, assert_no_sideways_scroll, sign_in


def test_staff_see_unsent_email_on_the_client_page_and_the_staff_home(page, demo):
    alice = Client.objects.get(user__email="client@example.com")
    OutgoingEmail.objects.create(
        to=alice.user.email,
        subject="Your advice summary from Smith & Jones is ready",
        kind="summary_ready",
        client=alice,
        attempts=2,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        next_attempt_at=timezone.now(),
    )
    OutgoingEmail.objects.create(
        to=alice.user.email,
        subject="Your health questionnaire",
        kind="questionnaire_ready",
        client=alice,
        attempts=10,
        status=EmailStatus.FAILED,
    )
    sign_in(page, "practitioner@example.com")
    for viewport in (PHONE, NARROW, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(f"/clients/{alice.code}/")
        notice = page.get_by_role("status")
        expect(notice).to_contain_text("Email not sent yet")
        expect(notice).to_contain_text("Smith & Jones")
        expect(notice).to_contain_text("it will be tried again")
        expect(notice).to_contain_text("could not be sent after 10 tries")
        assert_accessible(page)
        assert_no_sideways_scroll(page)

    page.set_viewport_size(PHONE)
    page.get_by_role("button", name="Menu").click()  # collapsed on a phone
    page.get_by_role("button", name=re.compile("Sign out")).click()
    sign_in(page, "admin@example.com")
    for viewport in (PHONE, NARROW):
        page.set_viewport_size(viewport)
        page.goto("/staff/")
        expect(page.get_by_text("1 email could not be sent yet")).to_be_visible()
        assert_accessible(page)
        assert_no_sideways_scroll(page)
    page.get_by_role("link", name="See the outbox and send them again").click()
    expect(page.get_by_text("Your health questionnaire")).to_be_visible()
