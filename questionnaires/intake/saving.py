"""Saving the client's answers as they type: only what changed, conflicts
found against what the page last saw, rows added and removed, all under the
response's lock."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from practice.audit import record
from practice.models import AuditAction
from practice.privacy import notice_version
from questionnaires.dashboard import case_summary
from questionnaires.drafts import Conflict, PostedChanges, save_rows, valid_uuids
from questionnaires.intake.entry_forms import (
    MedicationForm,
    PlanAdherenceForm,
    SupplementForm,
)
from questionnaires.intake.forms import (
    LIST_KINDS,
    field_name,
    raw_value,
    stored_to_data,
)
from questionnaires.models import (
    Answer,
    Medication,
    Question,
    QuestionKind,
    Response,
    Step,
    Supplement,
)
from questionnaires.templatetags.answers import answer_text

# The lists of rows a step can hold: (question kind, related rows, form, prefix).
_ROW_LISTS = (
    (QuestionKind.MEDICATIONS, "medications", MedicationForm, "medication"),
    (QuestionKind.SUPPLEMENTS, "supplements", SupplementForm, "supplement"),
    (QuestionKind.PLAN, "plan_adherence", PlanAdherenceForm, "plan"),
)


#: The most rows a medication or supplement list takes (past about 110 rows the
#: step could no longer be posted at all; 50 is well beyond anyone's real list).
MAX_ROWS = 50


class NotEditable(Exception):
    """The questionnaire was sent (or is being sent) and can no longer change."""

    message = "This questionnaire has been sent and can no longer change."


class TooManyRows(Exception):
    def __init__(self, kind: str) -> None:
        noun = "medicines" if kind == "medication" else "supplements"
        super().__init__(
            f"This list holds up to {MAX_ROWS} {noun}. If you take more, please "
            "tell your practitioner."
        )


@dataclass
class SaveResult:
    saved_at: datetime
    conflicts: list[Conflict] = field(default_factory=list)


def _names_of(changes: PostedChanges, question: Question) -> list[str]:
    """The changed input names that belong to a question (q12, q12_0, ...)."""
    return changes.names_under(field_name(question))


def _touches(changes: PostedChanges, question: Question) -> bool:
    return not changes.partial or bool(_names_of(changes, question))


def save_draft(
    *, response: Response, step: Step, data, request: HttpRequest | None = None
) -> SaveResult:
    """Store what the client entered on one step, as typed, without validating.

    Under a lock on the response, re-checked inside it, so a save racing a
    submission either lands before it or is refused (NotEditable). The number of
    queries does not grow with the number of questions or rows. A save that
    changed something is one audit event: the section and how many answers and
    rows changed, never what they say.
    """
    with transaction.atomic():
        locked = _lock_editable(response)
        if Response.client.is_cached(response):
            locked.client = response.client  # for the audit row, without a query
        result = _save_locked(locked, step, PostedChanges(data), request)
    response.last_saved_at = locked.last_saved_at
    response.step_reached = locked.step_reached
    return result


def _save_locked(
    response: Response, step: Step, changes: PostedChanges, request
) -> SaveResult:
    now = timezone.now()
    touched = [
        q for q in step.questions if q.kind not in LIST_KINDS and _touches(changes, q)
    ]
    # Only the answers this save may change: the saver posts one or two fields.
    answers = (
        {a.question_id: a for a in response.answers.filter(question__in=touched)}
        if touched
        else {}
    )
    to_create, to_update, conflicts = [], [], []
    consent_fields = []
    for question in touched:
        answer = answers.get(question.pk)
        stored = answer.value if answer else None
        # `stored` fills the boxes of a date or a height that the post left out.
        value = raw_value(question, changes.data, stored)
        if stored == value:
            continue
        if changes.partial and stored != raw_value(question, changes.base, stored):
            conflicts.append(_answer_conflict(question, changes, stored, value))
            continue
        if answer is None:
            to_create.append(Answer(response=response, question=question, value=value))
        else:
            answer.value = value
            answer.updated_at = now
            to_update.append(answer)
        if question.kind == QuestionKind.CONSENT:
            _record_consent(response, given=value == "yes", at=now)
            consent_fields = ["consent_at", "consent_notice_version"]
    # Under the response lock no other save can create these rows meanwhile.
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(to_update, ["value", "updated_at"])
    rows_changed = sum(
        save_rows(getattr(response, rows), form, prefix, changes, conflicts)
        for kind, rows, form, prefix in _ROW_LISTS
        if kind in step.list_kinds
    )
    response.last_saved_at = now
    response.step_reached = max(response.step_reached, step.number)
    response.save(update_fields=["last_saved_at", "step_reached", *consent_fields])
    case_summary.note_activity(response.client_id, now)
    answers_changed = len(to_create) + len(to_update)
    if answers_changed or rows_changed:
        record(
            action=AuditAction.CHANGED,
            request=request,
            obj=response,
            detail={
                "event": "answers_saved",
                "section": step.section.key,
                "answers_changed": answers_changed,
                "rows_changed": rows_changed,
            },
        )
    return SaveResult(saved_at=now, conflicts=conflicts)


def _answer_conflict(
    question: Question, changes: PostedChanges, stored, value
) -> Conflict:
    theirs = stored_to_data(
        [question], {question.pk: Answer(question=question, value=stored)}
    )
    return Conflict(
        names=_names_of(changes, question),
        label=question.text,
        theirs=answer_text(question, Answer(question=question, value=stored)),
        yours=answer_text(question, Answer(question=question, value=value)),
        theirs_data={k: [str(v) for v in theirs.getlist(k)] for k in theirs},
    )


def _record_consent(response: Response, *, given: bool, at) -> None:
    if given and not response.consent_at:
        response.consent_at = at
        response.consent_notice_version = notice_version()
    elif not given:
        response.consent_at = None
        response.consent_notice_version = ""


def add_row(*, response: Response, kind: str) -> Medication | Supplement:
    """Add an empty medication or supplement row at the end of the list.

    Under the response lock: refused once the questionnaire is sent, and once
    the list holds MAX_ROWS rows (two adds at once cannot both pass the count).
    """
    with transaction.atomic():
        locked = _lock_editable(response)
        rows = locked.medications if kind == "medication" else locked.supplements
        if rows.count() >= MAX_ROWS:
            raise TooManyRows(kind)
        last = rows.order_by("-position").values_list("position", flat=True).first()
        return rows.create(position=(last or 0) + 1)


def remove_row(
    *, response: Response, kind: str, code: str, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        locked = _lock_editable(response)
        rows = locked.medications if kind == "medication" else locked.supplements
        deleted, _ = rows.filter(code__in=valid_uuids([code])).delete()
        if deleted:
            record(
                action=AuditAction.DELETED,
                request=request,
                object_type=kind,
                object_id=code,
                client=response.client,
                detail={"response": str(response.code)},
            )


def _lock_editable(response: Response) -> Response:
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if not locked.is_editable:
        raise NotEditable(NotEditable.message)
    return locked


def ensure_a_row(*, response: Response, step: Step) -> None:
    """A list step starts with one empty row, so the client sees what to fill in."""
    if (
        QuestionKind.MEDICATIONS in step.list_kinds
        and not response.medications.exists()
    ):
        _add_first_row(response, "medication")
    if (
        QuestionKind.SUPPLEMENTS in step.list_kinds
        and not response.supplements.exists()
    ):
        _add_first_row(response, "supplement")


def _add_first_row(response: Response, kind: str) -> None:
    with contextlib.suppress(NotEditable):  # sent meanwhile: the next page says so
        add_row(response=response, kind=kind)
