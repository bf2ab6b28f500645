"""Practitioners and admins must use two-factor authentication when the practice
requires it (COFACTOR_REQUIRE_STAFF_MFA, on by default)."""

import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from tests.factories import PASSWORD

SETUP_URL = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_required(settings):
    settings.COFACTOR_REQUIRE_STAFF_MFA = True


def sign_in(client, user) -> None:
    """Sign in through the form, as a person does (allauth records when)."""
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})


def current_code(secret: str) -> str:
    """The code an authenticator app shows now, as a person would type it: never in
    the last seconds of its 30-second window, which the server may already have left
    by the time the request arrives (on a busy machine that made these tests flaky)."""
    left = 30 - time.time() % 30
    if left < 4:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.mark.usefixtures("mfa_required")
@pytest.mark.parametrize("path", ["/dashboard/", "/clients/invite/", "/"])
def test_a_practitioner_without_mfa_is_sent_to_set_it_up(client, priya, path):
    client.force_login(priya.user)
    response = client.get(path, follow=True)
    assert (SETUP_URL, 302) in response.redirect_chain
    page = response.content.decode()
    assert "Practitioners and admins must use two-factor authentication" in page


@pytest.mark.usefixtures("mfa_required")
def test_an_admin_without_mfa_cannot_reach_the_admin_site(client, ada):
    client.force_login(ada)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


@pytest.mark.usefixtures("mfa_required")
def test_an_htmx_request_is_redirected_by_htmx(client, priya):
    client.force_login(priya.user)
    response = client.get("/dashboard/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == SETUP_URL


@pytest.mark.usefixtures("mfa_required")
def test_a_staff_member_can_still_sign_out_without_mfa(client, priya):
    client.force_login(priya.user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("mfa_required")
def test_clients_are_not_asked_for_mfa(client, alice):
    client.force_login(alice.user)
    assert client.get("/portal/").status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_a_practitioner_with_an_authenticator_app_gets_in(client, priya):
    TOTP.activate(priya.user, generate_totp_secret())
    client.force_login(priya.user)
    assert client.get("/dashboard/").status_code == 200


def test_when_the_practice_does_not_require_mfa_staff_get_in_without_it(client, priya):
    client.force_login(priya.user)
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_signing_in_with_mfa_asks_for_the_code_after_the_password(client, priya):
    secret = generate_totp_secret()
    TOTP.activate(priya.user, secret)
    response = client.post(
        "/accounts/login/", {"login": priya.user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not signed in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/2fa/authenticate/", {"code": current_code(secret)}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/dashboard/"


@pytest.mark.usefixtures("mfa_required")
def test_setting_up_an_authenticator_app_lets_the_practitioner_in(client, priya):
    sign_in(client, priya.user)
    # allauth asks for the password again before changing two-factor settings.
    confirm = client.get(SETUP_URL)
    assert confirm["Location"].startswith("/accounts/reauthenticate/")
    client.post(confirm["Location"], {"password": PASSWORD})
    page = client.get(SETUP_URL)
    secret = page.context["form"].secret
    response = client.post(SETUP_URL, {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
