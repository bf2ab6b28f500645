"""Who may see what. Anonymous visitors are sent to sign in; people outside a record's
scope get 404, never 403, so they learn nothing about whether it exists."""

import pytest

from practice import access
from practice.models import Invitation
from tests.urlwalk import routes

# Pages anyone may open without signing in. Everything else must refuse.
PUBLIC = {
    "account_login",
    "account_signup",  # shows "sign-up is closed"
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_confirm_login_code",
    "mfa_authenticate",  # the second step of signing in
    "practice:accept-invitation",
    "practice:privacy",  # the privacy notice, linked from the consent question
    "healthz",
}


def private_routes():
    return [
        r for r in routes() if not r.name.startswith("admin:") and r.name not in PUBLIC
    ]


@pytest.mark.parametrize("route", private_routes(), ids=lambda r: r.name)
def test_every_page_refuses_anonymous_visitors_unless_public(client, db, route):
    response = client.get(route.sample_path())
    assert response.status_code in (302, 401, 404, 405), route  # 401: JSON endpoints
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/"), route


def test_admin_site_sends_anonymous_visitors_to_the_sign_in_page(client, db):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_clients_for_scopes_each_role(alice, bob, priya, omar, ada):
    assert list(access.clients_for(alice.user)) == [alice]
    assert list(access.clients_for(priya.user)) == [alice]
    assert list(access.clients_for(omar.user)) == [bob]
    assert set(access.clients_for(ada)) == {alice, bob}


@pytest.mark.parametrize("who", ["bob", "omar"])
def test_other_people_get_404_on_alices_client_page(client, request, alice, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    response = client.get(alice.get_absolute_url())
    assert response.status_code == 404
    assert b"Alice" not in response.content


@pytest.mark.parametrize("who", ["bob", "omar"])
def test_other_people_cannot_resend_alices_invitation(client, request, alice, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    response = client.post(f"/clients/{alice.code}/resend-invitation/")
    assert response.status_code == 404
    assert not Invitation.objects.filter(client=alice).exists()


@pytest.mark.parametrize("who", ["priya", "ada"])
def test_alices_practitioner_and_the_admin_see_her_client_page(
    client, request, alice, who
):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    response = client.get(alice.get_absolute_url())
    assert response.status_code == 200
    assert b"Alice Archer" in response.content


def test_a_client_cannot_open_the_practitioner_dashboard(client, alice):
    client.force_login(alice.user)
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/staff/").status_code == 404


def test_a_practitioner_cannot_open_a_client_portal_or_staff_home(client, priya):
    client.force_login(priya.user)
    assert client.get("/portal/").status_code == 404
    assert client.get("/staff/").status_code == 404


def test_a_practitioner_cannot_use_the_admin_site(client, priya):
    client.force_login(priya.user)
    assert client.get("/admin/", follow=True).status_code == 403


def test_the_dashboard_lists_only_the_practitioners_own_clients(client, alice, bob):
    client.force_login(alice.practitioner.user)
    page = client.get("/dashboard/").content.decode()
    assert "Alice Archer" in page
    assert "Bob Brown" not in page


def test_a_deactivated_user_sees_nothing(client, alice):
    alice.user.is_active = False
    alice.user.save()
    assert list(access.clients_for(alice.user)) == []
