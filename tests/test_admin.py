"""The admin site serves a practice admin: accounts, assignments, MFA resets and the
practice's details."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from practice.models import Practice, Practitioner, Role, User


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/practice/user/",
        "/admin/practice/user/add/",
        "/admin/practice/client/",
        "/admin/practice/practitioner/",
        "/admin/practice/user/?q=alice&role__exact=client",
    ],
)
def test_admin_pages_open(admin_client, alice, path):
    assert admin_client.get(path).status_code == 200


def test_the_practice_list_goes_straight_to_the_one_practice(admin_client):
    response = admin_client.get("/admin/practice/practice/", follow=True)
    assert response.status_code == 200
    assert Practice.objects.count() == 1
    assert "Change practice" in response.content.decode()


def test_an_admin_creates_a_practitioner_with_a_profile(admin_client):
    response = admin_client.post(
        "/admin/practice/user/add/",
        {
            "email": "nadia@example.org",
            "full_name": "Nadia Noor",
            "role": Role.PRACTITIONER,
            "usable_password": "true",
            "password1": "a-sturdy-new-password",
            "password2": "a-sturdy-new-password",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    nadia = User.objects.get(email="nadia@example.org")
    assert nadia.check_password("a-sturdy-new-password")
    assert Practitioner.objects.filter(user=nadia).exists()


def test_a_practitioner_made_without_a_password_is_emailed_an_invitation(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/practice/user/add/",
            {
                "email": "nadia@example.org",
                "full_name": "Nadia Noor",
                "role": Role.PRACTITIONER,
                "usable_password": "false",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert mail.outbox[-1].to == ["nadia@example.org"]
    assert "/staff/invitation/" in mail.outbox[-1].body


def test_an_admin_reassigns_a_client(admin_client, alice, omar):
    response = admin_client.post(
        f"/admin/practice/client/{alice.pk}/change/",
        {
            "practitioner": omar.pk,
            "date_of_birth": "",
            "invitations-TOTAL_FORMS": "0",
            "invitations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.practitioner == omar


def test_deactivating_an_account_stops_it_signing_in(admin_client, alice, client):
    admin_client.post(
        "/admin/practice/user/",
        {"action": "deactivate", "_selected_action": [alice.user.pk]},
    )
    alice.user.refresh_from_db()
    assert not alice.user.is_active


def test_deactivating_a_practitioner_with_clients_warns_in_the_admin_site(
    admin_client, priya, alice
):
    reply = admin_client.post(
        "/admin/practice/user/",
        {"action": "deactivate", "_selected_action": [priya.user.pk]},
        follow=True,
    )
    assert "Priya Patel still has 1 client(s)" in reply.content.decode()


def test_an_admin_cannot_deactivate_themselves(admin_client, ada):
    admin_client.post(
        "/admin/practice/user/", {"action": "deactivate", "_selected_action": [ada.pk]}
    )
    ada.refresh_from_db()
    assert ada.is_active


def test_resetting_mfa_removes_the_authenticator(admin_client, priya):
    TOTP.activate(priya.user, generate_totp_secret())
    reply = admin_client.post(
        "/admin/practice/user/",
        {"action": "reset_mfa", "_selected_action": [priya.user.pk]},
        follow=True,
    )
    assert not Authenticator.objects.filter(user=priya.user).exists()
    # One person, however many authenticators (app, recovery codes) they had.
    assert "Reset two-factor authentication for 1 account(s)" in (
        reply.content.decode()
    )


def test_the_user_list_shows_who_has_two_factor(admin_client, priya, omar):
    TOTP.activate(priya.user, generate_totp_secret())
    page = admin_client.get("/admin/practice/user/?role__exact=practitioner")
    rows = {u.email: u._has_mfa for u in page.context["cl"].result_list}
    assert rows == {priya.user.email: True, omar.user.email: False}
