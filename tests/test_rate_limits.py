"""Sign-in limits stop a guesser, not the rightful person: a reset ends an
account's wait at once, the wait is short, and behind the proxy each person is
counted by their own address, not the proxy's."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail

from tests.factories import PASSWORD
from tests.test_settings import PRODUCTION, manage

NEW_PASSWORD = "a-long-and-unusual-passphrase"
WRONG = "Not-the-Password-0451"


def sign_in(client, email: str, password: str, **headers):
    client.post("/accounts/login/", {"login": email, "password": password}, **headers)
    return "_auth_user_id" in client.session


def reset_password(client, email: str, password: str) -> None:
    """Forgot password: the emailed link, then a new password."""
    client.post("/accounts/password/reset/", {"email": email})
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
    ).group(1)
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"password1": password, "password2": password})
    assert done.status_code == 302, done.content.decode()[:2000]


def test_five_wrong_passwords_do_not_stop_the_right_one_after_a_reset(client, alice):
    for _ in range(5):
        assert not sign_in(client, alice.user.email, WRONG)
    page = client.post(
        "/accounts/login/", {"login": alice.user.email, "password": PASSWORD}
    )
    assert "Too many failed sign-in attempts" in page.content.decode()
    assert "reset your password" in page.content.decode()
    assert "_auth_user_id" not in client.session

    reset_password(client, alice.user.email, NEW_PASSWORD)
    client.logout()
    assert sign_in(client, alice.user.email, NEW_PASSWORD)


def test_the_wait_is_about_a_minute_not_five(client, alice, monkeypatch):
    for _ in range(5):
        sign_in(client, alice.user.email, WRONG)
    now = time.time()
    clock = "allauth.core.internal.ratelimit.time.time"
    monkeypatch.setattr(clock, lambda: now + 30)
    assert not sign_in(client, alice.user.email, PASSWORD)
    monkeypatch.setattr(clock, lambda: now + 61)
    assert sign_in(client, alice.user.email, PASSWORD)


def test_a_slow_guesser_is_stopped_for_the_hour(client, alice, monkeypatch):
    """Four guesses a minute stays under the per-minute limit; twenty in the hour
    does not. The rightful person can still reset their way in."""
    start = time.time()
    clock = "allauth.core.internal.ratelimit.time.time"
    for minute in range(5):
        monkeypatch.setattr(clock, lambda m=minute: start + 61 * m)
        for _ in range(4):
            sign_in(client, alice.user.email, WRONG)
    monkeypatch.setattr(clock, lambda: start + 61 * 6)
    assert not sign_in(client, alice.user.email, PASSWORD)


def test_behind_the_proxy_a_guesser_does_not_lock_out_everyone(
    client, settings, alice, bob
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(12):
        sign_in(
            client,
            f"nobody{n}@example.org",
            WRONG,
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **proxy,
        )
    assert sign_in(
        client, bob.user.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
    )


def test_without_a_proxy_a_forged_forwarded_header_does_not_dodge_the_limit(
    client, alice
):
    for n in range(10):
        sign_in(
            client,
            f"nobody{n}@example.org",
            WRONG,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    # Every attempt came from one address, whatever the header said.
    assert not sign_in(
        client, alice.user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200"
    )


SHOW_COUNT = (
    "shell",
    "-c",
    "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("extra", "count"),
    [
        ({}, "0"),
        ({"DJANGO_TRUSTED_PROXY_COUNT": "2"}, "0"),
        ({"DJANGO_BEHIND_TLS_PROXY": "1"}, "1"),
        ({"DJANGO_BEHIND_TLS_PROXY": "1", "DJANGO_TRUSTED_PROXY_COUNT": "2"}, "2"),
    ],
)
def test_the_forwarded_address_is_read_only_behind_the_proxy(extra, count):
    result = manage(*SHOW_COUNT, env={**PRODUCTION, **extra})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == count
