"""Questionnaire definitions and versions, client responses with their answers and
structured medication and supplement entries, and the findings stored for them."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from practice.models import Client

# ---------------------------------------------------------------- definitions


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    INTEGER = "integer", "Whole number"
    DECIMAL = "decimal", "Number"
    YES_NO = "yes_no", "Yes or no"
    SINGLE_CHOICE = "single_choice", "One choice"
    MULTIPLE_CHOICE = "multiple_choice", "Several choices"
    DATE = "date", "Date"
    SYMPTOM_SCALE = "symptom_scale", "Symptom scale (0-3)"
    MEDICATIONS = "medications", "Medications list"
    SUPPLEMENTS = "supplements", "Supplements list"
    CONSENT = "consent", "Consent checkbox"


class FrozenVersionError(Exception):
    """A published or retired questionnaire version cannot be changed."""


class Questionnaire(models.Model):
    key = models.SlugField(unique=True, help_text="A stable name, e.g. 'health'.")
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def published_version(self) -> QuestionnaireVersion | None:
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()


class QuestionnaireVersion(models.Model):
    """One frozen-once-published edition of a questionnaire.

    Every Response pins the version it was answered on, so old answers stay
    readable after the questionnaire changes.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    notes = models.TextField(blank=True, help_text="What changed in this version.")
    source_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="Hash of the data file this version was loaded from, if any.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=models.Q(status=VersionStatus.PUBLISHED),
                name="one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number} ({self.get_status_display()})"

    @property
    def is_frozen(self) -> bool:
        return self.status != VersionStatus.DRAFT

    def sections_in_order(self) -> list[Section]:
        return list(self.sections.order_by("position"))


class FrozenGuardQuerySet(models.QuerySet):
    """Refuse bulk updates and deletes that would touch a frozen version."""

    version_path = "version"

    def _touches_frozen(self) -> bool:
        frozen = [VersionStatus.PUBLISHED, VersionStatus.RETIRED]
        return self.filter(**{f"{self.version_path}__status__in": frozen}).exists()

    def update(self, **kwargs):
        if self._touches_frozen():
            raise FrozenVersionError("A published questionnaire cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self._touches_frozen():
            raise FrozenVersionError("A published questionnaire cannot be changed.")
        return super().delete()


class FrozenGuardMixin:
    """Refuse to save or delete a part of a version that is no longer a draft."""

    def _check_not_frozen(self) -> None:
        version_id = self.version_id
        if version_id is None:
            return
        status = (
            QuestionnaireVersion.objects.filter(pk=version_id)
            .values_list("status", flat=True)
            .first()
        )
        if status and status != VersionStatus.DRAFT:
            raise FrozenVersionError(
                "This questionnaire version is published; copy it to a new draft to "
                "make changes."
            )

    def save(self, *args, **kwargs):
        self._check_not_frozen()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_not_frozen()
        return super().delete(*args, **kwargs)


class Section(FrozenGuardMixin, models.Model):
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveIntegerField()
    key = models.SlugField()
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Shown at the top of the page.")

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "key"], name="section_key_unique"
            ),
            models.UniqueConstraint(
                fields=["version", "position"], name="section_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(FrozenGuardMixin, models.Model):
    """One question. `concept` is a stable key (`conditions`, `symptom:fatigue`)
    through which the clinical engine reads the answer in any version."""

    # The version is stored on the question as well, so a concept is unique within
    # a version by a database constraint.
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveIntegerField()
    concept = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    help_text = models.TextField(blank=True)
    required = models.BooleanField(default=False)
    # [[value, label], ...] for single and multiple choice.
    choices = models.JSONField(default=list, blank=True)
    # Kind-specific settings, e.g. {"min": 0, "max": 150, "unit": "kg"} or
    # {"body_system": "digestion", "red_flag": true} for a symptom.
    options = models.JSONField(default=dict, blank=True)

    objects = FrozenGuardQuerySet.as_manager()

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "concept"], name="question_concept_unique"
            ),
            models.UniqueConstraint(
                fields=["section", "position"], name="question_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def body_system(self) -> str:
        return self.options.get("body_system", "")

    @property
    def symptom_key(self) -> str:
        """For a symptom question, the key after `symptom:`; else ''."""
        prefix = "symptom:"
        return self.concept[len(prefix) :] if self.concept.startswith(prefix) else ""


# ------------------------------------------------------------------ responses


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
        max_length=20, choices=AmountBasis.choices, default=AmountBasis.ELEMENTAL
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
        return _decimal_or_none(self.amount)

    @property
    def per_day_value(self) -> Decimal | None:
        return _decimal_or_none(self.per_day)


def _decimal_or_none(text: str) -> Decimal | None:
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


# ------------------------------------------------------------------- findings


class Severity(models.TextChoices):
    REFER = "refer", "Refer"
    MAJOR = "major", "Major"
    MODERATE = "moderate", "Moderate"
    MINOR = "minor", "Minor"
    INFO = "info", "Info"


SEVERITY_ORDER = {s.value: i for i, s in enumerate(Severity)}


class Decision(models.TextChoices):
    UNDECIDED = "", "Not decided"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DISMISSED = "dismissed", "Dismissed"


MUST_DECIDE = (Severity.REFER, Severity.MAJOR)


class FindingQuerySet(models.QuerySet):
    def current(self) -> FindingQuerySet:
        """Findings the engine still raises (not withdrawn by a re-check)."""
        return self.filter(withdrawn_at=None)

    def undecided(self) -> FindingQuerySet:
        return self.current().filter(decision=Decision.UNDECIDED)

    def blocking(self) -> FindingQuerySet:
        """Refer and major findings still waiting for a decision."""
        return self.undecided().filter(severity__in=MUST_DECIDE)


class Finding(models.Model):
    """One engine finding stored for a response.

    `key` identifies "the same finding" across re-runs of the engine: the SHA-256
    of the engine's `Finding.key` (rule, subjects and triggering entries), so a
    practitioner's decision survives a re-check. A finding the engine no longer
    raises is marked `withdrawn_at`, never deleted.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="findings"
    )
    key = models.CharField(max_length=64)
    rule = models.CharField(max_length=100)
    kind = models.CharField(max_length=30)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    subjects = models.JSONField(default=list)
    classes = models.JSONField(default=list)
    title = models.CharField(max_length=300)
    message = models.TextField()
    action = models.TextField(blank=True)
    spacing_hours = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    sources = models.JSONField(default=list)  # [{"title": ..., "url": ...}]
    triggers = models.JSONField(default=list)  # [{"ref": ..., "label": ...}]
    evidence = models.TextField(blank=True)
    knowledge_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    # Set by recheck_findings when a re-run raised this finding for the first time.
    is_new = models.BooleanField(default=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # The practitioner's current decision; every change is also kept in
    # ReviewAction, which is the record.
    decision = models.CharField(
        max_length=20, choices=Decision.choices, default=Decision.UNDECIDED, blank=True
    )
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["response", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "key"], name="one_finding_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def must_be_decided(self) -> bool:
        return self.severity in MUST_DECIDE

    @property
    def is_decided(self) -> bool:
        return self.decision != Decision.UNDECIDED


class ActionKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged a finding"
    DISMISSED = "dismissed", "Dismissed a finding"
    UNDONE = "undone", "Undid a decision"
    REMATCHED = "rematched", "Matched an entry by hand"
    UNMATCHED = "unmatched", "Removed a hand match"


class ReviewAction(models.Model):
    """One thing a practitioner did in a review, kept for the record (never edited)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="review_actions"
    )
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
    )
    entry_ref = models.CharField(
        max_length=100, blank=True, help_text="e.g. medication:<code>"
    )
    matched_as = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class CaseNote(models.Model):
    """A practitioner's private note on a case; never shown to the client."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note of {self.created_at:%Y-%m-%d %H:%M}"
