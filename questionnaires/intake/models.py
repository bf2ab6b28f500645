"""A client's responses: their states, answers and events (medicines and
supplements are in rows.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from practice.models import Client
from questionnaires.definitions.models import (
    LIST_KINDS,
    Question,
    QuestionKind,
    QuestionnaireVersion,
)
from questionnaires.rechecks.models import CaseUpkeep


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    READY_FOR_ADVICE = "ready_for_advice", "Ready for advice"
    SUMMARY_ISSUED = "summary_issued", "Summary issued"
    REOPENED = "reopened", "Reopened for the client"


EDITABLE_STATUSES = (ResponseStatus.IN_PROGRESS, ResponseStatus.REOPENED)


class InvalidTransition(ValidationError):
    """A response was asked to move from a state it may not leave that way."""


class ResponseQuerySet(models.QuerySet):
    def editable(self) -> ResponseQuerySet:
        return self.filter(status__in=EDITABLE_STATUSES)

    def submitted(self) -> ResponseQuerySet:
        return self.exclude(status__in=EDITABLE_STATUSES)

    def kept_current(self) -> ResponseQuerySet:
        """The cases a knowledge change re-checks: each client's latest submitted
        response (an earlier visit's facts are out of date), unless closed."""
        newer = Response.objects.submitted().filter(
            client=OuterRef("client"), created_at__gt=OuterRef("created_at")
        )
        return self.submitted().filter(closed_at=None).exclude(Exists(newer))


class Response(CaseUpkeep):
    """A client's answers to one pinned questionnaire version."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="responses"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    status = models.CharField(
        max_length=20,
        choices=ResponseStatus.choices,
        default=ResponseStatus.IN_PROGRESS,
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    step_reached = models.PositiveIntegerField(
        default=0, help_text="The furthest step the client has opened (1-based)."
    )
    last_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="The latest submission."
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_message = models.TextField(blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_notice_version = models.CharField(max_length=40, blank=True)
    # A follow-up points at the visit it follows: its list rows start as copies of
    # that visit's, and what it does not ask (age, conditions) is read from there.
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A client works on one questionnaire at a time.
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(status__in=EDITABLE_STATUSES),
                name="one_open_response_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version.questionnaire} for {self.client}"

    def get_absolute_url(self) -> str:
        return reverse("questionnaires:resume", args=[self.code])

    # The response's states, and the one place that moves it between them
    # (docs/decisions.md, "The case's states"). Callers hold the row lock.
    EDITABLE = frozenset(EDITABLE_STATUSES)
    #: The practitioner may decide findings and match entries by hand; after a
    #: summary is issued too, so that a revised plan can be decided and reissued.
    REVIEWABLE = frozenset(
        {
            ResponseStatus.SUBMITTED,
            ResponseStatus.IN_REVIEW,
            ResponseStatus.READY_FOR_ADVICE,
            ResponseStatus.SUMMARY_ISSUED,
        }
    )
    #: Whether refer and major findings decide the state (in review or ready).
    FOLLOWS_FINDINGS = frozenset(
        {
            ResponseStatus.IN_REVIEW,
            ResponseStatus.READY_FOR_ADVICE,
            ResponseStatus.SUMMARY_ISSUED,
        }
    )
    REOPENABLE = frozenset(
        {
            ResponseStatus.SUBMITTED,
            ResponseStatus.IN_REVIEW,
            ResponseStatus.READY_FOR_ADVICE,
        }
    )
    #: A summary may be issued from these (when nothing blocks it).
    ISSUABLE = frozenset(
        {
            ResponseStatus.IN_REVIEW,
            ResponseStatus.READY_FOR_ADVICE,
            ResponseStatus.SUMMARY_ISSUED,
        }
    )

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_follow_up(self) -> bool:
        return self.follows_id is not None

    @property
    def is_reviewable(self) -> bool:
        return self.status in self.REVIEWABLE

    @property
    def can_reopen(self) -> bool:
        return self.status in self.REOPENABLE

    @property
    def is_issuable(self) -> bool:
        return self.status in self.ISSUABLE

    @property
    def is_ready_for_advice(self) -> bool:
        return self.status == ResponseStatus.READY_FOR_ADVICE

    def submit(self, *, by) -> None:
        """The client sends the questionnaire (again, after a reopen)."""
        self.submitted_at = timezone.now()
        self._move(
            ResponseStatus.SUBMITTED,
            EventKind.SUBMITTED,
            by=by,
            allowed=self.EDITABLE,
            fields=["submitted_at"],
        )

    def reopen(self, *, by, message: str) -> None:
        """The practitioner gives the questionnaire back to the client."""
        self.reopened_at = timezone.now()
        self.reopen_message = message
        self._move(
            ResponseStatus.REOPENED,
            EventKind.REOPENED,
            by=by,
            allowed=self.REOPENABLE,
            message=message,
            fields=["reopened_at", "reopen_message"],
        )

    def start_review(self, *, by) -> None:
        self._move(
            ResponseStatus.IN_REVIEW,
            EventKind.REVIEW_STARTED,
            by=by,
            allowed={ResponseStatus.SUBMITTED},
        )

    def mark_ready(self, *, by) -> None:
        """Every refer and major finding is decided."""
        self._move(
            ResponseStatus.READY_FOR_ADVICE,
            EventKind.READY_FOR_ADVICE,
            by=by,
            allowed={ResponseStatus.IN_REVIEW},
        )

    def back_to_review(self, *, by) -> None:
        """A refer or major finding needs a decision again (new, changed or undone),
        also after a summary was issued."""
        self._move(
            ResponseStatus.IN_REVIEW,
            EventKind.BACK_IN_REVIEW,
            by=by,
            allowed={ResponseStatus.READY_FOR_ADVICE, ResponseStatus.SUMMARY_ISSUED},
        )

    def mark_issued(self, *, by, version: int) -> None:
        self._move(
            ResponseStatus.SUMMARY_ISSUED,
            EventKind.SUMMARY_ISSUED,
            by=by,
            allowed=self.ISSUABLE,
            message=f"Version {version}",
        )

    def follow_findings(self, *, by, blocked: bool | None = None) -> None:
        """Ready when no refer or major finding waits for a decision; back in
        review when one does. `blocked` says whether one does, when the caller
        has just read them under the case's lock."""
        if self.status not in self.FOLLOWS_FINDINGS:
            return
        if blocked is None:
            blocked = self.findings.blocking().exists()
        if blocked and self.status != ResponseStatus.IN_REVIEW:
            self.back_to_review(by=by)
        elif not blocked and self.status == ResponseStatus.IN_REVIEW:
            self.mark_ready(by=by)

    def check_reviewable(self) -> None:
        """Refuse a review action (a decision, a match by hand) on a case that is
        not open for review."""
        if not self.is_reviewable:
            raise ValidationError(
                "This case is not open for review.", code="not_reviewable"
            )

    def ensure_in_review(self, *, by) -> None:
        """The practitioner acted on a submitted case: it is in review now."""
        if self.status == ResponseStatus.SUBMITTED:
            self.start_review(by=by)

    def follow_decisions(self, *, by) -> None:
        """A finding was decided, undone or checked again: ready for advice or back
        in review as the findings now say. The client's case summary follows too,
        as a decision changes what is left to decide even when the state stays."""
        self.follow_findings(by=by)
        from questionnaires.dashboard import case_summary  # see _move

        case_summary.refresh(self.client_id)

    def _move(
        self,
        to: str,
        kind: str,
        *,
        by,
        allowed,
        message: str = "",
        fields: list[str] = (),
    ) -> None:
        if self.status not in allowed:
            raise InvalidTransition(
                f"A case that is {self.get_status_display().lower()} cannot "
                f"become {ResponseStatus(to).label.lower()}.",
                code="invalid_transition",
            )
        self.status = to
        self.save(update_fields=["status", *fields])
        ResponseEvent.objects.create(response=self, kind=kind, by=by, message=message)
        # Imported here: the summary's SQL is built from these models.
        from questionnaires.dashboard import case_summary

        case_summary.refresh(self.client_id)

    def answers_by_question(self) -> dict[int, Answer]:
        return {a.question_id: a for a in self.answers.all()}

    def answers_for_reading(self) -> dict:
        """Every answer by section, with the list rows, for a read-only page.

        Used by the client's review and the practitioner's case page (one query per
        kind of thing, whatever the number of answers).
        """
        # Imported here: the forms are built from these models.
        from questionnaires.intake.forms import not_asked

        answers = self.answers_by_question()
        steps = self.version.steps()
        questions = [q for step in steps for q in step.questions]
        by_concept = {
            q.concept: answers[q.pk].value for q in questions if q.pk in answers
        }
        skip = not_asked(questions, by_concept)  # as on the pages: not asked
        return {
            "sections": [
                {
                    "step": step,
                    "rows": [
                        (q, answers.get(q.pk))
                        for q in step.questions
                        if q.kind not in LIST_KINDS and q.pk not in skip
                    ],
                    "has_medications": QuestionKind.MEDICATIONS in step.list_kinds,
                    "has_supplements": QuestionKind.SUPPLEMENTS in step.list_kinds,
                    "has_plan": QuestionKind.PLAN in step.list_kinds,
                }
                for step in steps
            ],
            "plan_adherence": (
                list(self.plan_adherence.all())
                if any(QuestionKind.PLAN in step.list_kinds for step in steps)
                else []
            ),
            "medications": [m for m in self.medications.all() if not m.is_blank],
            "supplements": [s for s in self.supplements.all() if not s.is_blank],
        }

    def submission_round(self) -> int:
        """How many times the response has been submitted; guards against replays."""
        return self.events.filter(kind=EventKind.SUBMITTED).count()

    def history(self) -> list:
        """What happened to the case, oldest first: its events and every review
        action with its note (kept, even when a decision was undone or carried)."""
        events = list(self.events.select_related("by"))
        actions = list(self.review_actions.select_related("by", "finding"))
        return sorted([*events, *actions], key=lambda item: (item.at, item.pk))


class Answer(models.Model):
    """What the client entered for one question, kept as typed.

    Values are saved as drafts while the client types, before validation, so
    nothing typed is ever lost; they are validated when the client moves on and
    again before submission.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers"
    )
    # A string, a list of strings (multiple choice), or null.
    value = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="one_answer_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question.concept}"


class EventKind(models.TextChoices):
    SENT = "sent", "Sent to the client"
    SUBMITTED = "submitted", "Submitted"
    REOPENED = "reopened", "Reopened for the client"
    REVIEW_STARTED = "review_started", "Review started"
    READY_FOR_ADVICE = "ready_for_advice", "Ready for advice"
    BACK_IN_REVIEW = "back_in_review", "Back in review (a finding needs a decision)"
    SUMMARY_ISSUED = "summary_issued", "Summary issued"
    RECHECKED = "rechecked", "Checked again against new knowledge"
    CLOSED = "closed", "Case closed"
    OPENED_AGAIN = "opened_again", "Case opened again"


class ResponseEvent(models.Model):
    """What happened to a response and who did it: kept for the record."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
