"""Closing a case (the practice no longer advises on it, so new knowledge does not
re-check it) and opening it again; both kept in the case history and audited."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest

from practice.audit import record
from practice.models import AuditAction, User
from questionnaires.models import EventKind, Response
from questionnaires.rechecks import after_deploy as rechecks

log = logging.getLogger(__name__)


def close_case(
    *, response: Response, by: User, note: str = "", request: HttpRequest | None = None
) -> None:
    """Close the case; raises ValidationError (closed, not_submitted) if it cannot."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        locked.close(by=by, note=note.strip())
        _audit(locked, EventKind.CLOSED, by=by, request=request)
    log.info("case %s closed by user %s", response.code, by.code)


def open_case(
    *, response: Response, by: User, request: HttpRequest | None = None
) -> None:
    """Open a closed case again; raises ValidationError (not_closed) if it is not.

    Knowledge that changed while it was closed is checked now, in the background.
    """
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        locked.open_again(by=by)
        _audit(locked, EventKind.OPENED_AGAIN, by=by, request=request)
        rechecks.schedule_recheck()
    log.info("case %s opened again by user %s", response.code, by.code)


def _audit(response: Response, event: str, *, by: User, request) -> None:
    record(
        action=AuditAction.CHANGED,
        request=request,
        actor=by,
        obj=response,
        client=response.client,
        detail={"event": event},
    )
