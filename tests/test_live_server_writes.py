"""Requests that write at the same moment all succeed through the live server.

The browser tests' live server answers several requests at once (an autosave while
the page moves on). On SQLite an in-memory test database shares one cache between
connections, whose table locks fail at once ("database table is locked") instead of
waiting for the busy timeout; the test database is a file so that they wait.
"""

from __future__ import annotations

import re
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, build_opener

from tests.factories import PASSWORD, UserFactory
from tests.races import at_once

SIGN_INS = 8


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _login_form(live_server):
    """A browser of its own with the sign-in page open: (opener, CSRF token)."""
    opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect)
    page = opener.open(f"{live_server.url}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    return opener, token


def _sign_in(live_server, opener, token: str, email: str) -> int:
    form = urlencode(
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    try:
        return opener.open(f"{live_server.url}/accounts/login/", form).status
    except HTTPError as reply:  # the redirect after signing in, or an error
        return reply.code


def test_people_signing_in_at_the_same_moment_all_get_in(live_server, settings):
    """Each sign-in writes a session, the last-login time and an audit event."""
    # Chromium sends secure cookies to http://localhost; urllib does not.
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False
    people = [
        UserFactory(email=f"person{i}@example.org", full_name=f"Person {i}")
        for i in range(SIGN_INS)
    ]
    forms = [_login_form(live_server) for _ in people]

    replies = at_once(
        SIGN_INS,
        lambda i: _sign_in(live_server, *forms[i], people[i].email),
    )

    assert replies == [302] * SIGN_INS
    for person in people:
        person.refresh_from_db()
        assert person.last_login is not None
