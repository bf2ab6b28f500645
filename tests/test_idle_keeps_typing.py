"""The idle sign-out warns first and never throws away what a client typed: a save
or a step posted after the limit is kept, and signing in again leads back to the
same step."""

from __future__ import annotations

import time

import pytest

from questionnaires.intake import sending
from questionnaires.models import Answer
from tests.factories import PASSWORD
from tests.intake_helpers import name_of, shipped_version, step_url

LAST_SEEN = "cofactor_last_seen"


@pytest.fixture
def response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def idle_for(client, minutes: float) -> None:
    session = client.session
    session[LAST_SEEN] = time.time() - minutes * 60
    session.save()


def stored(concept: str):
    answer = Answer.objects.filter(question__concept=concept).first()
    return answer.value if answer else None


def test_an_autosave_after_the_limit_is_kept_and_says_sign_in_again(
    signed_in, response
):
    allergies = name_of(response, "allergies")
    idle_for(signed_in, 61)
    result = signed_in.post(
        f"{step_url(response, 2)}autosave/",
        {"_saver": "1", "_changed": [allergies], allergies: "Typed after the break"},
        headers={"X-Saver": "1"},
    )
    assert result.status_code == 401
    assert result.json()["login_url"] == (
        f"/accounts/login/?next=%2Fq%2F{response.code}%2Fstep%2F2%2F"
    )
    assert stored("allergies") == "Typed after the break"
    assert "_auth_user_id" not in signed_in.session


def test_save_and_continue_after_the_limit_keeps_the_text_and_returns_to_the_step(
    signed_in, response, alice
):
    allergies = name_of(response, "allergies")
    idle_for(signed_in, 61)
    result = signed_in.post(
        step_url(response, 2),
        {allergies: "Porridge. Two biscuits.", "action": "continue"},
    )
    assert result.status_code == 302
    login = result["Location"]
    assert login == f"/accounts/login/?next=/q/{response.code}/step/2/"
    assert stored("allergies") == "Porridge. Two biscuits."
    page = signed_in.get(login).content.decode()
    assert "What you typed has been kept." in page
    back = signed_in.post(login, {"login": alice.user.email, "password": PASSWORD})
    assert back["Location"] == step_url(response, 2)
    assert "Porridge. Two biscuits." in signed_in.get(back["Location"]).content.decode()


def test_a_post_after_the_limit_does_nothing_but_keep_the_draft(signed_in, response):
    """Adding a row, moving on or leaving waits until the person is back."""
    signed_in.get(step_url(response, 3))
    idle_for(signed_in, 61)
    signed_in.post(step_url(response, 3), {"action": "add-medication"})
    assert response.medications.count() == 1


def test_a_post_after_the_limit_without_a_valid_csrf_token_keeps_nothing(
    alice, response
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice.user)
    idle_for(browser, 61)
    allergies = name_of(response, "allergies")
    browser.post(step_url(response, 2), {allergies: "Forged", "action": "later"})
    assert stored("allergies") is None
    assert "_auth_user_id" not in browser.session


def test_other_posts_after_the_limit_are_still_refused(client, priya):
    client.force_login(priya.user)
    idle_for(client, 31)
    result = client.post("/clients/invite/", {"full_name": "X", "email": "x@e.org"})
    assert result["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_staying_signed_in_moves_the_clock_on(signed_in, response):
    idle_for(signed_in, 59)
    kept = signed_in.post("/session/keep-alive/")
    assert kept.status_code == 200
    assert kept.json()["seconds_left"] == 3600
    idle_for_more = signed_in.session[LAST_SEEN]
    assert time.time() - idle_for_more < 5
    assert signed_in.get(step_url(response, 1)).status_code == 200


def test_keep_alive_needs_a_session(client, alice):
    assert client.post("/session/keep-alive/").status_code == 401
    assert client.get("/session/keep-alive/").status_code == 401
    client.force_login(alice.user)
    idle_for(client, 61)
    late = client.post("/session/keep-alive/")
    assert late.status_code == 401
    assert "_auth_user_id" not in client.session


def test_asking_how_long_is_left_does_not_count_as_activity(signed_in):
    idle_for(signed_in, 50)
    asked = signed_in.get("/session/keep-alive/")
    assert 590 <= asked.json()["seconds_left"] <= 600
    assert signed_in.get("/session/keep-alive/").json()["seconds_left"] <= 600
    assert signed_in.post("/session/keep-alive/").json()["seconds_left"] == 3600


def test_signed_in_pages_carry_the_warning_with_the_role_limit(
    client, alice, priya, settings
):
    assert 'id="idle-warning"' not in client.get("/accounts/login/").content.decode()
    client.force_login(alice.user)
    page = client.get("/portal/").content.decode()
    assert 'data-idle-seconds="3600"' in page
    assert "Stay signed in" in page
    settings.COFACTOR_STAFF_IDLE_MINUTES = 30
    client.force_login(priya.user)
    assert 'data-idle-seconds="1800"' in client.get("/dashboard/").content.decode()


def test_a_limit_of_seconds_is_kept_to_while_the_person_is_active(
    signed_in, response, settings
):
    """The clock moves on often enough for a short limit, not once a minute."""
    settings.COFACTOR_CLIENT_IDLE_MINUTES = 0.1  # six seconds
    idle_for(signed_in, 4 / 60)
    assert signed_in.get(step_url(response, 1)).status_code == 200
    idle_for_more = signed_in.session[LAST_SEEN]
    assert time.time() - idle_for_more < 1
