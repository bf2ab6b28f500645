"""The practitioner sends the questionnaire, follows the client's progress, and can
reopen a submitted one with a message."""

import pytest
from django.core import mail

from questionnaires.intake import sending
from questionnaires.models import ResponseStatus
from tests.intake_helpers import answer_everything, shipped_version


@pytest.fixture
def version(db):
    return shipped_version()


def test_sending_the_questionnaire_from_the_client_page(client, priya, alice, version):
    client.force_login(priya.user)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "Send the health questionnaire" in page
    client.post(f"/clients/{alice.code}/send-questionnaire/")
    response = alice.responses.get()
    assert response.version == version
    assert response.status == ResponseStatus.IN_PROGRESS
    # Sending again does not make a second one.
    client.post(f"/clients/{alice.code}/send-questionnaire/")
    assert alice.responses.count() == 1


def test_inviting_a_client_can_send_the_questionnaire_too(
    client, priya, version, django_capture_on_commit_callbacks
):
    client.force_login(priya.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/clients/invite/",
            {
                "full_name": "Carol Cole",
                "email": "carol@example.org",
                "send_questionnaire": "on",
            },
        )
    carol = priya.clients.get(user__email="carol@example.org")
    assert carol.responses.get().status == ResponseStatus.IN_PROGRESS
    assert len(mail.outbox) == 1  # the invitation only: she has no password yet


def test_without_a_published_questionnaire_the_practitioner_is_told(
    client, priya, alice
):
    client.force_login(priya.user)
    result = client.post(f"/clients/{alice.code}/send-questionnaire/", follow=True)
    assert "No questionnaire is published yet" in result.content.decode()


def test_the_client_page_shows_progress(client, priya, alice, version):
    response = sending.send_questionnaire(client=alice, sent_by=priya.user)
    client.force_login(alice.user)
    client.get(f"/q/{response.code}/step/4/")
    client.force_login(priya.user)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "Reached step 4 of 14" in page
    dashboard = client.get("/dashboard/").content.decode()
    assert "In progress (step 4)" in dashboard


def test_reopening_needs_a_message(client, priya, alice, version):
    response = sending.send_questionnaire(client=alice, sent_by=priya.user)
    client.force_login(alice.user)
    answer_everything(client, response)
    client.post(f"/q/{response.code}/submit/", {"round": 0})
    client.force_login(priya.user)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "Reopen the questionnaire" in page
    result = client.post(f"/responses/{response.code}/reopen/", {"message": ""})
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    client.post(
        f"/responses/{response.code}/reopen/", {"message": "Please add vitamin D."}
    )
    response.refresh_from_db()
    assert response.status == ResponseStatus.REOPENED
    assert response.reopen_message == "Please add vitamin D."
    assert result.status_code == 302
