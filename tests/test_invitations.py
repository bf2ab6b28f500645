"""A practitioner invites a client; the client sets a password through a single-use
link that lasts 7 days."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from practice.models import Client, Invitation, InvitationState, Role, User

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def invite(client, priya, email="carol@example.org", **extra):
    client.force_login(priya.user)
    data = {"full_name": "Carol Cole", "email": email, "date_of_birth": "1950-05-17"}
    data.update(extra)
    return client.post("/clients/invite/", data)


def link_from(message) -> str:
    match = re.search(r"http://testserver(/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invited(client, priya, django_capture_on_commit_callbacks):
    """Carol, invited by Priya; returns the path of her invitation link."""
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, priya)
    client.logout()
    return link_from(mail.outbox[-1])


def test_inviting_creates_an_assigned_client_and_emails_a_link(
    client, priya, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, priya, email="Carol@Example.org")
    carol = Client.objects.get(user__email="carol@example.org")
    assert response.status_code == 302
    assert response["Location"] == carol.get_absolute_url()
    assert carol.practitioner == priya
    assert carol.date_of_birth == datetime.date(1950, 5, 17)
    assert carol.user.role == Role.CLIENT
    assert not carol.user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["carol@example.org"]
    assert "Carol Cole" in message.body
    assert link_from(message)


def test_inviting_an_existing_email_is_refused_next_to_the_field(client, priya, alice):
    response = invite(client, priya, email=alice.user.email.upper())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone already has an account with this email address" in page
    assert 'value="Carol Cole"' in page  # what was typed is kept
    assert 'aria-invalid="true"' in page
    assert not Client.objects.filter(user__full_name="Carol Cole").exists()


def test_the_link_sets_a_password_signs_in_and_lands_on_the_portal(client, invited):
    page = client.get(invited)
    assert page.status_code == 200
    assert "Choose a password" in page.content.decode()
    response = client.post(
        invited, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    carol = User.objects.get(email="carol@example.org")
    assert carol.check_password(NEW_PASSWORD)
    assert client.get("/portal/").context["user"] == carol


def test_the_link_works_only_once(client, invited):
    client.post(invited, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    again = client.get(invited)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    replay = client.post(
        invited, {"new_password1": "another-password-9x", "new_password2": "x"}
    )
    assert replay.status_code == 410
    assert User.objects.get(email="carol@example.org").check_password(NEW_PASSWORD)


def test_an_expired_link_says_so_and_what_to_do(client, invited):
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(invited)
    page = response.content.decode()
    assert response.status_code == 410
    assert "This invitation has expired" in page
    assert "ask your practitioner to send you a new one" in page
    post = client.post(
        invited, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert post.status_code == 410
    assert not User.objects.get(email="carol@example.org").has_usable_password()


def test_links_last_seven_days(invited):
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    assert invitation.state == InvitationState.PENDING


def test_an_unknown_link_is_a_clear_404(client, db):
    response = client.get("/invitation/not-a-real-token/")
    assert response.status_code == 404
    assert "We don't recognise this link" in response.content.decode()


def test_a_weak_password_is_refused_and_the_link_still_works(client, invited):
    response = client.post(
        invited, {"new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    assert Invitation.objects.get().state == InvitationState.PENDING


def test_resending_replaces_the_old_link(
    client, priya, invited, django_capture_on_commit_callbacks
):
    carol = Client.objects.get(user__email="carol@example.org")
    client.force_login(priya.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/clients/{carol.code}/resend-invitation/")
    assert response.status_code == 302
    new_link = link_from(mail.outbox[-1])
    assert new_link != invited
    client.logout()
    old = client.get(invited)
    assert old.status_code == 410
    assert "A newer invitation has been sent" in old.content.decode()
    assert client.get(new_link).status_code == 200


def test_resending_to_a_client_who_has_joined_sends_nothing(client, priya, alice):
    client.force_login(priya.user)
    response = client.post(f"/clients/{alice.code}/resend-invitation/", follow=True)
    assert "has already set a password" in response.content.decode()
    assert mail.outbox == []


def test_the_client_page_shows_the_invitation_state(client, priya, invited):
    carol = Client.objects.get(user__email="carol@example.org")
    client.force_login(priya.user)
    page = client.get(carol.get_absolute_url()).content.decode()
    assert "Invitation waiting for the client" in page
    assert "Send a new invitation" in page


def test_the_invitation_email_carries_no_health_data_or_password(invited):
    body = mail.outbox[-1].body.lower()
    for word in ("questionnaire answers", "medication", "password:"):
        assert word not in body
