"""The practitioner's review of a submitted case, as operations: open it, decide on
each finding (and undo), match an unrecognised entry by hand, keep private notes,
and move the case between its review states."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from practice.audit import record
from practice.models import AuditAction, User
from questionnaires.dashboard import case_summary
from questionnaires.models import (
    ActionKind,
    CaseNote,
    Decision,
    Finding,
    Medication,
    NewEvidence,
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


def refresh_state(*, response: Response, by: User | None) -> None:
    """Ready for advice when every refer and major finding is decided; back in
    review when a new one appears or a decision is undone (the caller holds the
    row lock). The client's case summary follows too: a decision changes what
    is left to decide."""
    response.follow_findings(by=by)
    case_summary.refresh(response.client_id)


def _check_reviewable(response: Response) -> None:
    if not response.is_reviewable:
        raise ValidationError(
            "This case is not open for review.", code="not_reviewable"
        )


def decide(
    *,
    finding: Finding,
    by: User,
    decision: str,
    note: str,
    request: HttpRequest | None = None,
) -> Finding:
    """Acknowledge (note optional) or dismiss (reason required) a finding."""
    note = (note or "").strip()
    client = finding.response.client
    if decision not in (Decision.ACKNOWLEDGED, Decision.DISMISSED):
        raise ValidationError("Choose Acknowledge or Dismiss.", code="bad_decision")
    if decision == Decision.DISMISSED and not note:
        raise ValidationError(
            "Please give a reason for dismissing this finding.",
            code="reason_required",
        )
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=finding.response_id)
        _check_reviewable(response)
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.withdrawn_at:
            raise ValidationError("This finding no longer applies.", code="withdrawn")
        finding.decision = decision
        finding.decision_note = note
        finding.decided_by = by
        finding.decided_at = timezone.now()
        finding.is_new = False
        finding.save(
            update_fields=[
                "decision",
                "decision_note",
                "decided_by",
                "decided_at",
                "is_new",
            ]
        )
        NewEvidence.objects.settle(finding)
        kind = (
            ActionKind.ACKNOWLEDGED
            if decision == Decision.ACKNOWLEDGED
            else ActionKind.DISMISSED
        )
        ReviewAction.objects.create(
            response=response, kind=kind, finding=finding, note=note, by=by
        )
        record(
            action=AuditAction.CHANGED,
            request=request,
            actor=by,
            obj=finding,
            client=client,
            detail={"event": kind, "response": str(response.code)},
        )
        _ensure_in_review(response, by)
        refresh_state(response=response, by=by)
    log.info("finding %s %s by user %s", finding.code, decision, by.code)
    return finding


def undo(*, finding: Finding, by: User, request: HttpRequest | None = None) -> Finding:
    """Take a decision back; the record of it stays."""
    client = finding.response.client
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=finding.response_id)
        _check_reviewable(response)
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if not finding.is_decided:
            return finding
        finding.decision = Decision.UNDECIDED
        finding.decision_note = ""
        finding.decided_by = None
        finding.decided_at = None
        finding.save(
            update_fields=["decision", "decision_note", "decided_by", "decided_at"]
        )
        ReviewAction.objects.create(
            response=response, kind=ActionKind.UNDONE, finding=finding, by=by
        )
        record(
            action=AuditAction.CHANGED,
            request=request,
            actor=by,
            obj=finding,
            client=client,
            detail={"event": ActionKind.UNDONE, "response": str(response.code)},
        )
        refresh_state(response=response, by=by)
    log.info("finding %s decision undone by user %s", finding.code, by.code)
    return finding


def _ensure_in_review(response: Response, by: User) -> None:
    if response.status == ResponseStatus.SUBMITTED:
        response.start_review(by=by)


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
        _check_reviewable(locked)
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
        _ensure_in_review(locked, by)
        refresh_state(response=locked, by=by)
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
