"""The practitioner's review of a submitted case, as operations: open it, match an
unrecognised entry by hand, and keep private notes. Deciding a finding (and undoing
it) is the finding's own: `Finding.decide()`, `Finding.undo()`."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from practice.audit import record
from practice.models import AuditAction, User
from questionnaires.models import (
    ActionKind,
    CaseNote,
    Medication,
    Response,
    ResponseStatus,
    ReviewAction,
    Supplement,
)

log = logging.getLogger(__name__)


def start_review(*, response: Response, by: User) -> None:
    """The first time a practitioner opens a submitted case, it is in review."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        if locked.status != ResponseStatus.SUBMITTED:
            return
        locked.start_review(by=by)
        locked.follow_findings(by=by)
    response.refresh_from_db(fields=["status"])


def rematch(
    *,
    response: Response,
    entry: Medication | Supplement,
    substance_id: str,
    by: User,
    request: HttpRequest | None = None,
) -> None:
    """Match an entry the engine did not recognise to a known substance by hand,
    and check the case again. Decisions already made stay: findings keep their
    identity across re-checks."""
    from questionnaires.review import checking as findings  # the engine's store

    kind = "medication" if isinstance(entry, Medication) else "supplement"
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        locked.check_reviewable()
        entry.matched_as = substance_id
        entry.matched_by = by if substance_id else None
        entry.matched_at = timezone.now() if substance_id else None
        entry.save(update_fields=["matched_as", "matched_by", "matched_at"])
        ReviewAction.objects.create(
            response=locked,
            kind=ActionKind.REMATCHED if substance_id else ActionKind.UNMATCHED,
            entry_ref=f"{kind}:{entry.code}",
            matched_as=substance_id,
            by=by,
        )
        # Not the substance: what a medicine was matched to names the medicine.
        record(
            action=AuditAction.CHANGED,
            request=request,
            actor=by,
            obj=entry,
            client=response.client,
            detail={
                "event": ActionKind.REMATCHED if substance_id else ActionKind.UNMATCHED,
                "response": str(response.code),
            },
        )
        findings.check_response(locked, recheck=True)
        locked.ensure_in_review(by=by)
        locked.follow_decisions(by=by)
    log.info("entry %s matched as %r by user %s", entry.code, substance_id, by.code)
    response.refresh_from_db(fields=["status"])


def add_note(
    *, response: Response, by: User, text: str, request: HttpRequest | None = None
) -> CaseNote:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write something to save a note.", code="empty")
    with transaction.atomic():
        note = CaseNote.objects.create(response=response, author=by, text=text)
        record(
            action=AuditAction.CREATED,
            request=request,
            actor=by,
            obj=note,
            client=response.client,
            detail={"response": str(response.code)},
        )
    return note
