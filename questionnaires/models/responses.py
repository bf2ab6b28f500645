"""A client's responses: answers, medication and supplement rows, and events."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from practice.models import Client
from questionnaires.models.definitions import Question, QuestionnaireVersion


class ResponseStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    READY_FOR_ADVICE = "ready_for_advice", "Ready for advice"
    SUMMARY_ISSUED = "summary_issued", "Summary issued"
    REOPENED = "reopened", "Reopened for the client"


EDITABLE_STATUSES = (ResponseStatus.IN_PROGRESS, ResponseStatus.REOPENED)


class ResponseQuerySet(models.QuerySet):
    def editable(self) -> ResponseQuerySet:
        return self.filter(status__in=EDITABLE_STATUSES)

    def submitted(self) -> ResponseQuerySet:
        return self.exclude(status__in=EDITABLE_STATUSES)


class Response(models.Model):
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

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


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


class EntryBase(models.Model):
    """A row of a structured list (medications or supplements), kept as typed."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveIntegerField(default=0)
    # A practitioner's manual match to a knowledge-base substance id, for an entry
    # the matcher could not recognise (set in review).
    matched_as = models.CharField(max_length=100, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class Medication(EntryBase):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="medications"
    )
    name = models.CharField(max_length=200, blank=True)
    strength = models.CharField(max_length=100, blank=True)
    frequency = models.CharField("how often", max_length=100, blank=True)
    since = models.CharField("taking it since", max_length=100, blank=True)
    reason = models.CharField("what it is for", max_length=200, blank=True)

    class Meta(EntryBase.Meta):
        pass

    def __str__(self) -> str:
        return self.name or "(no name)"

    @property
    def is_blank(self) -> bool:
        return not any(
            (self.name, self.strength, self.frequency, self.since, self.reason)
        )


class SupplementUnit(models.TextChoices):
    MG = "mg", "mg"
    MCG = "mcg", "mcg (µg)"
    G = "g", "g"
    IU = "IU", "IU"


class AmountBasis(models.TextChoices):
    ELEMENTAL = "elemental", "The amount of the nutrient itself (usual on UK labels)"
    COMPOUND = "compound", "The weight of the whole compound"
    # Read as the nutrient itself (the larger figure, so limits are not missed).
    UNSURE = "unsure", "I'm not sure"


class Supplement(EntryBase):
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="supplements"
    )
    product = models.CharField("product name", max_length=200, blank=True)
    nutrient = models.CharField("nutrient or ingredient", max_length=200, blank=True)
    form = models.CharField(max_length=100, blank=True)
    # Kept as typed (text) so that a mistake is never thrown away; validated
    # before the client moves on.
    amount = models.CharField("amount per dose", max_length=40, blank=True)
    unit = models.CharField(
        max_length=10, choices=SupplementUnit.choices, default=SupplementUnit.MG
    )
    per_day = models.CharField("doses per day", max_length=40, blank=True, default="1")
    amount_unknown = models.BooleanField("I don't know the amount", default=False)
    basis = models.CharField(
        max_length=20, choices=AmountBasis.choices, default=AmountBasis.UNSURE
    )

    class Meta(EntryBase.Meta):
        pass

    def __str__(self) -> str:
        return self.product or self.nutrient or "(no name)"

    @property
    def is_blank(self) -> bool:
        return not any((self.product, self.nutrient, self.form, self.amount))

    @property
    def amount_value(self) -> Decimal | None:
        return decimal_or_none(self.amount)

    @property
    def per_day_value(self) -> Decimal | None:
        return decimal_or_none(self.per_day)


def decimal_or_none(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


class EventKind(models.TextChoices):
    SENT = "sent", "Sent to the client"
    SUBMITTED = "submitted", "Submitted"
    REOPENED = "reopened", "Reopened for the client"
    REVIEW_STARTED = "review_started", "Review started"
    READY_FOR_ADVICE = "ready_for_advice", "Ready for advice"
    BACK_IN_REVIEW = "back_in_review", "Back in review (a finding needs a decision)"
    SUMMARY_ISSUED = "summary_issued", "Summary issued"


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
