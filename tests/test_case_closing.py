"""Closing a case from its page (so new knowledge no longer re-checks it) and opening
it again: recorded in the case history and the audit log, and only by the
client's own practitioner."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from practice.models import AuditEvent
from questionnaires.interactions import knowledge
from questionnaires.models import EventKind, Response, ResponseStatus
from questionnaires.rechecks import after_deploy as rechecks
from questionnaires.review.checking import check_response
from tests.questionnaire_factories import health_version, osteoporosis_case


@pytest.fixture
def case(alice):
    case = osteoporosis_case(alice, health_version())
    check_response(case)
    return case


def close(client, case, **data):
    return client.post(f"/cases/{case.code}/close/", data)


def test_priya_closes_a_case_with_a_reason(client, priya, case):
    client.force_login(priya.user)

    response = close(client, case, note="Moved away")

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_closed and case.closed_by == priya.user
    assert case.events.get(kind=EventKind.CLOSED).message == "Moved away"
    audit = AuditEvent.objects.get(detail__event=EventKind.CLOSED)
    assert audit.object_id == str(case.code)
    assert "Moved away" not in str(audit.detail)  # a note may hold health data
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "This case was closed on" in page
    assert "Open the case again" in page
    assert "Moved away" in page  # in the case history


def test_a_closed_case_is_not_rechecked_until_it_is_opened_again(
    client, priya, case, django_capture_on_commit_callbacks
):
    client.force_login(priya.user)
    close(client, case)
    Response.objects.filter(pk=case.pk).update(knowledge_version="0ld")

    assert rechecks.schedule_recheck() is None

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/cases/{case.code}/open/").status_code == 302
    case.refresh_from_db()
    assert not case.is_closed
    # Knowledge that changed while it was closed is checked when it opens.
    assert case.knowledge_version == knowledge.load().version
    assert case.events.filter(kind=EventKind.OPENED_AGAIN).exists()
    assert AuditEvent.objects.filter(detail__event=EventKind.OPENED_AGAIN).exists()


def test_closing_twice_says_so_and_records_it_once(client, priya, case):
    client.force_login(priya.user)
    close(client, case)

    response = close(client, case, note="again")

    assert "This case is already closed." in [
        str(m) for m in response.wsgi_request._messages
    ]
    assert case.events.filter(kind=EventKind.CLOSED).count() == 1


def test_opening_a_case_that_is_not_closed_changes_nothing(client, priya, case):
    client.force_login(priya.user)

    response = client.post(f"/cases/{case.code}/open/", follow=True)

    assert "This case is not closed." in response.content.decode()
    assert not case.events.filter(kind=EventKind.OPENED_AGAIN).exists()


def test_a_reason_too_long_is_refused_next_to_the_field(client, priya, case):
    client.force_login(priya.user)

    response = close(client, case, note="x" * 501)

    assert response.status_code == 400
    form = response.context["close_form"]
    assert form.errors.as_data()["note"][0].code == "max_length"
    page = response.content.decode()
    assert "Please keep the reason under 500 characters (it has 501)." in page
    assert 'aria-invalid="true"' in page
    case.refresh_from_db()
    assert not case.is_closed


def test_a_questionnaire_still_with_the_client_cannot_be_closed(alice, priya):
    case = osteoporosis_case(alice, health_version(), status=ResponseStatus.IN_PROGRESS)

    with pytest.raises(ValidationError, match="Only a case the client has sent") as e:
        case.close(by=priya.user)

    assert e.value.code == "not_submitted"
    assert not Response.objects.get(pk=case.pk).is_closed


def test_signed_out_visitors_are_sent_to_sign_in(client, case):
    for action in ("close", "open"):
        response = client.post(f"/cases/{case.code}/{action}/")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    case.refresh_from_db()
    assert not case.is_closed


@pytest.mark.parametrize("who", ["bob", "omar", "alice"])
def test_nobody_else_can_close_or_open_alices_case(client, request, case, who):
    client.force_login(request.getfixturevalue(who).user)

    assert close(client, case).status_code == 404
    Response.objects.filter(pk=case.pk).update(closed_at=case.created_at)
    assert client.post(f"/cases/{case.code}/open/").status_code == 404

    case.refresh_from_db()
    assert case.is_closed  # as set above, not opened by them
    assert not case.events.filter(
        kind__in=[EventKind.CLOSED, EventKind.OPENED_AGAIN]
    ).exists()


def test_closing_needs_a_post(client, priya, case):
    client.force_login(priya.user)
    assert client.get(f"/cases/{case.code}/close/").status_code == 405
