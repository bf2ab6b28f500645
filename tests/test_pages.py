"""Every page of the foundation renders for its role, in our layout, with nothing the
CSP would block."""

import pytest
from django.core import mail

from practice.models import Invitation
from tests.htmlcheck import csp_problems


def test_the_csp_check_catches_inline_script_and_style():
    assert csp_problems('<script>alert(1)</script><p style="x" onclick="y">')
    assert not csp_problems('<script src="/static/a.js"></script><p class="x">')


@pytest.fixture
def invitation_link(client, priya, django_capture_on_commit_callbacks):
    client.force_login(priya.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/clients/invite/", {"full_name": "Carol", "email": "c@example.org"}
        )
    client.logout()
    return "/invitation/" + mail.outbox[-1].body.split("/invitation/")[1].split("/")[0]


def pages(alice):
    return [
        (None, "/accounts/login/"),
        (None, "/accounts/password/reset/"),
        (None, "/invitation/unknown-token/"),
        ("alice", "/portal/"),
        ("alice", "/accounts/password/change/"),
        ("alice", "/accounts/2fa/"),
        ("priya", "/dashboard/"),
        ("priya", "/clients/invite/"),
        ("priya", alice.get_absolute_url()),
        ("ada", "/staff/"),
        ("ada", alice.get_absolute_url()),
    ]


def test_every_page_renders_with_nothing_the_csp_would_block(
    client, request, alice, ada
):
    for who, path in pages(alice):
        client.logout()
        if who:
            person = request.getfixturevalue(who)
            client.force_login(getattr(person, "user", person))
        response = client.get(path)
        assert response.status_code in (200, 404), path
        html = response.content.decode()
        assert csp_problems(html) == [], path
        assert 'href="#main"' in html, path  # the skip link
        assert "<main" in html, path


def test_the_invitation_page_is_csp_clean(client, invitation_link):
    html = client.get(invitation_link).content.decode()
    assert csp_problems(html) == []
    assert Invitation.objects.count() == 1


def test_the_navigation_matches_the_role(client, alice, priya, ada):
    client.force_login(alice.user)
    nav = client.get("/portal/").content.decode()
    assert "My portal" in nav and "Dashboard" not in nav and "Admin site" not in nav
    client.force_login(priya.user)
    nav = client.get("/dashboard/").content.decode()
    assert "Invite a client" in nav and "Admin site" not in nav
    client.force_login(ada)
    nav = client.get("/staff/").content.decode()
    assert "Admin site" in nav and "Invite a client" not in nav


def test_a_missing_page_gets_the_friendly_404(client, alice):
    client.force_login(alice.user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


def test_a_server_error_gets_a_calm_page_that_needs_no_database(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Nothing you saved has been lost" in response.content.decode()
