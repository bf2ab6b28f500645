"""The client's questionnaire as operations: send it, save drafts as the client
types, validate a step, submit exactly once, and reopen it for changes."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from practice import emails
from practice.audit import record
from practice.models import AuditAction, Client, ClientErased, Practice, User
from practice.privacy import notice_version
from questionnaires.dashboard import case_summary
from questionnaires.drafts import Conflict, PostedChanges, save_rows, valid_uuids
from questionnaires.followups import visits as followup
from questionnaires.intake.entry_forms import (
    MedicationForm,
    PlanAdherenceForm,
    SupplementForm,
)
from questionnaires.intake.forms import (
    LIST_KINDS,
    SectionForm,
    field_name,
    initial_from_answers,
    questions_not_asked,
    raw_value,
    stored_to_data,
)
from questionnaires.models import (
    Answer,
    EventKind,
    Medication,
    Question,
    QuestionKind,
    QuestionnaireVersion,
    Response,
    ResponseEvent,
    Step,
    Supplement,
)
from questionnaires.templatetags.answers import answer_text

log = logging.getLogger(__name__)

QUESTIONNAIRE_KEY = "health"


class NoPublishedQuestionnaire(Exception):
    """There is no published questionnaire to send (run load_questionnaires)."""


class IncompleteResponse(Exception):
    def __init__(self, problems: list[StepProblem]) -> None:
        super().__init__(f"{len(problems)} step(s) need attention")
        self.problems = problems


@dataclass
class StepForms:
    """The bound or unbound forms of one step, and whether they validate."""

    section_form: SectionForm
    medication_forms: list[MedicationForm] = field(default_factory=list)
    supplement_forms: list[SupplementForm] = field(default_factory=list)
    plan_forms: list[PlanAdherenceForm] = field(default_factory=list)

    @property
    def row_forms(self) -> list:
        return [*self.medication_forms, *self.supplement_forms, *self.plan_forms]

    def is_valid(self) -> bool:
        forms = [self.section_form, *self.row_forms]
        # A list, not a generator: every form must validate to show all errors.
        return all([form.is_valid() for form in forms])  # noqa: C419

    def error_links(self) -> list[tuple[str, str]]:
        """(field id, message) for every error, for the summary at the top."""
        links = []
        for form in [self.section_form, *self.row_forms]:
            for name, errors in form.errors.items():
                field_id = form[name].auto_id if name in form.fields else ""
                links.extend((field_id, str(message)) for message in errors)
        return links


@dataclass
class StepProblem:
    step: Step
    messages: list[str]


# --------------------------------------------------------------- definitions


# The lists of rows a step can hold: (question kind, related rows, form, prefix).
_ROW_LISTS = (
    (QuestionKind.MEDICATIONS, "medications", MedicationForm, "medication"),
    (QuestionKind.SUPPLEMENTS, "supplements", SupplementForm, "supplement"),
    (QuestionKind.PLAN, "plan_adherence", PlanAdherenceForm, "plan"),
)


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


# ------------------------------------------------------------------- sending


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


# ------------------------------------------------------------- saving drafts

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


# ----------------------------------------------------------------- validation


def step_forms(
    *,
    response: Response,
    step: Step,
    data=None,
    answers: dict[int, Answer] | None = None,
    medications: list[Medication] | None = None,
    supplements: list[Supplement] | None = None,
) -> StepForms:
    """The forms of a step: bound to `data` if given, else showing what is stored."""
    if answers is None:
        answers = response.answers_by_question()
    skip = questions_not_asked(step.questions, response)
    if data is None:
        section_form = SectionForm(
            step.questions,
            initial=initial_from_answers(step.questions, answers),
            skip=skip,
        )
    else:
        section_form = SectionForm(step.questions, data, skip=skip)
    result = StepForms(section_form=section_form)
    if QuestionKind.MEDICATIONS in step.list_kinds:
        rows = (
            medications
            if medications is not None
            else response.medications.select_related("previous")
        )
        result.medication_forms = [
            _row_form(MedicationForm, "medication", row, data) for row in rows
        ]
    if QuestionKind.SUPPLEMENTS in step.list_kinds:
        rows = (
            supplements
            if supplements is not None
            else response.supplements.select_related("previous")
        )
        result.supplement_forms = [
            _row_form(SupplementForm, "supplement", row, data) for row in rows
        ]
    if QuestionKind.PLAN in step.list_kinds:
        result.plan_forms = [
            _row_form(PlanAdherenceForm, "plan", row, data)
            for row in response.plan_adherence.all()
        ]
    return result


def _row_form(form_class, prefix: str, row, data):
    if data is None:
        return form_class(prefix=f"{prefix}-{row.code}", instance=row)
    return form_class(data, prefix=f"{prefix}-{row.code}", instance=row)


def stored_step_forms(
    response: Response,
    step: Step,
    answers: dict[int, Answer],
    medications: list[Medication],
    supplements: list[Supplement],
) -> StepForms:
    """The step's forms bound to what is stored, to check it before submission."""
    data = stored_to_data(step.questions, answers)
    plan_rows = (
        list(response.plan_adherence.all())
        if QuestionKind.PLAN in step.list_kinds
        else []
    )
    for prefix, rows, form_class in (
        ("medication", medications, MedicationForm),
        ("supplement", supplements, SupplementForm),
        ("plan", plan_rows, PlanAdherenceForm),
    ):
        for row in rows:
            data.appendlist(prefix, str(row.code))
            for name in form_class.draft_fields:
                value = getattr(row, name)
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{row.code}-{name}"] = "on"
                else:
                    data[f"{prefix}-{row.code}-{name}"] = value
    return step_forms(
        response=response,
        step=step,
        data=data,
        answers=answers,
        medications=medications,
        supplements=supplements,
    )


def problems(response: Response) -> list[StepProblem]:
    """Every step whose stored answers would not pass "Save and continue"."""
    answers = response.answers_by_question()
    medications = list(response.medications.all())
    supplements = list(response.supplements.all())
    found = []
    for step in response.version.steps():
        forms = stored_step_forms(response, step, answers, medications, supplements)
        if not forms.is_valid():
            found.append(
                StepProblem(step=step, messages=[m for _, m in forms.error_links()])
            )
    return found


# ---------------------------------------------------------------- submitting


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
