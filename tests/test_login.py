"""Signing in through the form, landing on the right home, and the limits on it."""

import re

import pytest

from practice.models import Role
from tests.factories import PASSWORD, UserFactory


def sign_in(client, email, password=PASSWORD, **kwargs):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, **kwargs
    )


@pytest.mark.parametrize(
    ("who", "home", "heading"),
    [
        ("alice", "/portal/", "Hello, Alice"),
        ("priya", "/dashboard/", "Your clients"),
        ("ada", "/staff/", "Staff home"),
    ],
)
def test_each_role_lands_on_its_own_home(client, request, who, home, heading):
    person = request.getfixturevalue(who)
    user = getattr(person, "user", person)
    response = sign_in(client, user.email, follow=True)
    assert response.redirect_chain[-1][0] == home
    assert heading in response.content.decode()


def test_the_email_is_not_case_sensitive(client, alice):
    response = sign_in(client, "ALICE@Example.ORG")
    assert response.status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, alice):
    response = sign_in(client, alice.user.email, "not-the-password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_repeated_failures_are_rate_limited(client, alice):
    for _ in range(5):
        sign_in(client, alice.user.email, "not-the-password")
    response = sign_in(client, alice.user.email, PASSWORD)
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_sign_in(client, db):
    user = UserFactory(role=Role.CLIENT, is_active=False)
    response = sign_in(client, user.email, follow=True)
    assert "_auth_user_id" not in client.session
    assert "This account is inactive" in response.content.decode()


def test_nobody_can_sign_themselves_up(client, db):
    response = client.get("/accounts/signup/")
    assert "Sign Up Closed" in response.content.decode()
    client.post(
        "/accounts/signup/", {"email": "mallory@example.org", "password1": PASSWORD}
    )
    assert not UserFactory._meta.model.objects.filter(
        email="mallory@example.org"
    ).exists()


def test_the_login_page_labels_its_fields(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label\s+for="id_login"[^>]*>\s*Email', page)
    assert re.search(r'<label\s+for="id_password"[^>]*>\s*Password', page)
