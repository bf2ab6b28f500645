"""Two tabs (or a double tap) at once on the staff pages: one wins, the other is
told, and the database says what happened once. PostgreSQL only: SQLite runs one
writer at a time, so it cannot show a race."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client as HttpClient

from practice import staff
from practice.models import AuditAction, AuditEvent, Role, StaffInvitation, User
from tests.factories import PractitionerFactory
from tests.races import at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="race tests need PostgreSQL's concurrent writers (set DATABASE_URL)",
)

NEW_PASSWORD = "a-long-and-unusual-passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_staff_link_posted_twice_at_once_is_accepted_once():
    _, token = staff.invite_staff(
        full_name="Nadia Noor",
        email="nadia@example.org",
        role=Role.PRACTITIONER,
        invited_by=None,
        request=None,
    )
    link = f"/staff/invitation/{token}/"
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    statuses = at_once(4, lambda i: HttpClient().post(link, data).status_code)
    assert sorted(statuses).count(302) == 1, statuses
    assert all(s in (302, 410) for s in statuses), statuses
    nadia = User.objects.get(email="nadia@example.org")
    assert nadia.has_usable_password()
    accepted = StaffInvitation.objects.filter(user=nadia).exclude(accepted_at=None)
    assert accepted.count() == 1


@pytest.mark.django_db(transaction=True)
def test_deactivating_twice_at_once_records_it_once(settings):
    settings.COFACTOR_REQUIRE_STAFF_MFA = False
    ada = User.objects.create_user(
        "ada@example.org", "pw-for-ada-0451", full_name="Ada Admin", role=Role.ADMIN
    )
    priya = PractitionerFactory(user__full_name="Priya Patel")
    url = f"/staff/people/{priya.user.code}/deactivate/"

    def post(i: int) -> int:
        browser = HttpClient()
        browser.force_login(ada)
        return browser.post(url, {"reassign_to": ""}).status_code

    assert at_once(4, post) == [302] * 4
    priya.user.refresh_from_db()
    assert not priya.user.is_active
    deactivations = AuditEvent.objects.filter(
        action=AuditAction.CHANGED, object_id=str(priya.user.code)
    )
    assert deactivations.count() == 1
