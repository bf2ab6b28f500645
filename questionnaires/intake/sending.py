"""Sending the questionnaire to a client, on the version published now."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from practice import emails
from practice.audit import record
from practice.models import AuditAction, Client, ClientErased, Practice, User
from questionnaires.dashboard import case_summary
from questionnaires.followups import visits as followup
from questionnaires.models import (
    EventKind,
    QuestionnaireVersion,
    Response,
    ResponseEvent,
)

log = logging.getLogger(__name__)


QUESTIONNAIRE_KEY = "health"


class NoPublishedQuestionnaire(Exception):
    """There is no published questionnaire to send (run load_questionnaires)."""


def current_version(key: str = QUESTIONNAIRE_KEY) -> QuestionnaireVersion:
    version = (
        QuestionnaireVersion.objects.filter(questionnaire__key=key, status="published")
        .select_related("questionnaire")
        .first()
    )
    if version is None:
        raise NoPublishedQuestionnaire(
            f"No published '{key}' questionnaire: run manage.py load_questionnaires."
        )
    return version


def send_questionnaire(
    *,
    client: Client,
    sent_by: User | None,
    request: HttpRequest | None = None,
    follows: Response | None = None,
) -> Response:
    """Give the client the current questionnaire, or return the one they have open.

    With `follows`, the follow-up questionnaire, filled in from that visit.
    """
    open_response = client.responses.editable().first()
    if open_response:
        return open_response
    version = current_version(followup.FOLLOW_UP_KEY if follows else QUESTIONNAIRE_KEY)
    try:
        with transaction.atomic():
            # The lock makes this wait for an erasure running now, and then refuse.
            if Client.objects.select_for_update().get(pk=client.pk).is_erased:
                raise ClientErased(f"client {client.code} is erased")
            response = Response.objects.create(
                client=client, version=version, sent_by=sent_by, follows=follows
            )
            if follows:
                followup.carry_forward(response)
            ResponseEvent.objects.create(
                response=response, kind=EventKind.SENT, by=sent_by
            )
            case_summary.refresh(client.pk)
            record(
                action=AuditAction.CREATED,
                request=request,
                actor=sent_by,
                obj=response,
                detail={
                    "event": "sent",
                    "questionnaire": version.questionnaire.key,
                    "version": response.version.number,
                },
            )
            if client.has_joined:
                emails.send_questionnaire_ready_email(
                    to=client.user.email,
                    client_name=client.user.full_name,
                    practice_name=Practice.current().name,
                    client=client,
                    follow_up=follows is not None,
                )
    except IntegrityError:
        # Two sends at once: the database let one through; use it.
        return client.responses.editable().get()
    log.info("response %s sent to client %s", response.code, client.code)
    return response


ERASED_MESSAGE = "This client's data has been erased, so nothing was sent."


def send_and_tell(request: HttpRequest, client: Client) -> None:
    """Send the questionnaire and tell the practitioner what happened."""
    try:
        send_questionnaire(client=client, sent_by=request.user, request=request)
    except ClientErased:
        messages.error(request, ERASED_MESSAGE)
    except NoPublishedQuestionnaire:
        messages.warning(
            request,
            "No questionnaire is published yet, so none was sent. Ask your admin to "
            "publish one, then send it from the client's page.",
        )
    else:
        messages.success(
            request, f"{client.user.full_name} can now fill in the questionnaire."
        )
