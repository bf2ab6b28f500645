"""Submitting the questionnaire exactly once, and reopening it for changes."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest

from practice import emails
from practice.audit import record
from practice.models import AuditAction, Practice, User
from questionnaires.intake.pages import StepProblem, problems
from questionnaires.models import (
    Response,
)

log = logging.getLogger(__name__)


class IncompleteResponse(Exception):
    def __init__(self, problems: list[StepProblem]) -> None:
        super().__init__(f"{len(problems)} step(s) need attention")
        self.problems = problems


def submit(
    *,
    response: Response,
    by: User,
    expected_round: int,
    request: HttpRequest | None = None,
) -> bool:
    """Submit the response once. Returns False if it was already submitted.

    A double click or a replayed POST finds the response no longer editable, or
    the submission round moved on, and changes nothing.
    """
    from questionnaires.review import (
        checking as findings,  # the engine's store; imported late (heavy)
    )

    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if not locked.is_editable or locked.submission_round() != expected_round:
            return False
        found = problems(locked)
        if found:
            raise IncompleteResponse(found)
        _drop_blank_rows(locked)
        locked.submit(by=by)
        record(
            action=AuditAction.CHANGED,
            request=request,
            actor=by,
            obj=locked,
            client=response.client,
            detail={"event": "submitted", "round": expected_round + 1},
        )
        findings.check_response(locked)
        practitioner = locked.client.practitioner
        if practitioner:
            emails.send_submitted_email(
                to=practitioner.user.email,
                client_name=locked.client.user.full_name,
                client_code=str(locked.client.code),
                client=locked.client,
            )
    log.info("response %s submitted", response.code)
    response.refresh_from_db()
    return True


def _drop_blank_rows(response: Response) -> None:
    for rows in (response.medications, response.supplements):
        blank = [r.pk for r in rows.all() if r.is_blank]
        if blank:
            rows.filter(pk__in=blank).delete()


def reopen(
    *,
    response: Response,
    by: User,
    message: str,
    request: HttpRequest | None = None,
) -> None:
    """Let the client change a submitted questionnaire, telling them why."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if not locked.can_reopen:
            raise ValueError("Only a submitted questionnaire can be reopened.")
        locked.reopen(by=by, message=message)
        client = locked.client
        # Not the message: the practitioner may have written about the client's health.
        record(
            action=AuditAction.CHANGED,
            request=request,
            actor=by,
            obj=locked,
            client=client,
            detail={"event": "reopened"},
        )
        emails.send_reopened_email(
            to=client.user.email,
            client_name=client.user.full_name,
            practice_name=Practice.current().name,
            client=client,
        )
    log.info("response %s reopened by user %s", response.code, by.code)
    response.refresh_from_db()
