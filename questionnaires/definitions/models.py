"""Questionnaire definitions: questionnaires, their versions (frozen once
published), sections and questions."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


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
    # A follow-up's check-in on each item of the last advice's supplement plan.
    PLAN = "plan", "Supplement plan check-in"
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
