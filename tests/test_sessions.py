"""Sessions end after a spell of inactivity (30 minutes for staff, 60 for clients),
repeated sign-in failures lock an account for a cool-off period, passwords follow
the rules, and pages for signed-in people are never cached."""

import time

import pytest

from practice.forms import ChoosePasswordForm
from tests.factories import PASSWORD

LAST_SEEN = "cofactor_last_seen"


def sign_in(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"login": user.email, "password": password})


def idle_for(client, minutes: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - minutes * 60
    session.save()


@pytest.mark.parametrize(
    ("who", "home", "limit"),
    [("priya", "/dashboard/", 30), ("ada", "/staff/", 30), ("alice", "/portal/", 60)],
)
def test_a_session_ends_after_the_idle_limit_of_the_role(
    client, request, who, home, limit
):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    idle_for(client, limit - 1)
    assert client.get(home).status_code == 200  # still in, and the clock restarts
    idle_for(client, limit + 1)
    response = client.get(home, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "signed out because the page was left unused" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_idle_limits_are_settings(client, alice, settings):
    settings.COFACTOR_CLIENT_IDLE_MINUTES = 5
    client.force_login(alice.user)
    idle_for(client, 6)
    assert client.get("/portal/").status_code == 302


def test_an_htmx_request_after_the_limit_is_sent_to_sign_in(client, priya):
    client.force_login(priya.user)
    idle_for(client, 31)
    response = client.get("/dashboard/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fdashboard%2F"


def test_repeated_failures_lock_the_account_until_the_cool_off_ends(
    client, alice, monkeypatch
):
    for _ in range(5):
        sign_in(client, alice.user, "not-the-password")
    locked = sign_in(client, alice.user)
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # A minute later the right password works again.
    later = time.time() + 61
    monkeypatch.setattr("allauth.core.internal.ratelimit.time.time", lambda: later)
    assert sign_in(client, alice.user).status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw1", "too short"),
        ("password1234", "too common"),
        ("alice.archer@example.org", "too similar"),
    ],
)
def test_passwords_follow_the_rules(alice, password, message):
    form = ChoosePasswordForm(
        alice.user, {"new_password1": password, "new_password2": password}
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors["new_password2"])


@pytest.mark.parametrize("path", ["/portal/", "/accounts/password/change/"])
def test_pages_for_signed_in_people_are_not_cached(client, alice, path):
    client.force_login(alice.user)
    response = client.get(path)
    assert "no-store" in response["Cache-Control"]


def test_staff_pages_are_not_cached(client, priya):
    client.force_login(priya.user)
    assert "no-store" in client.get("/dashboard/")["Cache-Control"]
