"""Questionnaire definitions: questionnaires, their versions (frozen once
published), sections and questions, and a version read as pages (steps)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.safestring import SafeString


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


#: Kinds answered as rows of a list rather than by one field of the step's form.
LIST_KINDS = (QuestionKind.MEDICATIONS, QuestionKind.SUPPLEMENTS, QuestionKind.PLAN)


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

    def steps(self) -> list[Step]:
        """Every step of the version, in order (two queries, or none once kept).

        A published (or retired) version never changes (the models refuse it), so
        its sections and questions are read from the database once per process
        rather than on every step, autosave, review and case page; a draft is read
        afresh each time, as the admin may be editing it.
        """
        if not self.is_frozen:
            return self._read_steps()
        # The id alone is not enough: SQLite hands out a rolled-back id again
        # (tests), so the key also says when the version was made and published.
        key = (self.pk, self.created_at, self.published_at)
        with _kept_lock:
            steps = _kept_steps.get(key)
            if steps is not None:
                _kept_steps.move_to_end(key)
                return list(steps)
        steps = self._read_steps()
        with _kept_lock:
            _kept_steps[key] = steps
            while len(_kept_steps) > KEPT_VERSIONS:
                _kept_steps.popitem(last=False)
        return list(steps)

    @staticmethod
    def forget_kept_steps() -> None:
        """Drop every kept version (for tests that change a frozen version's rows)."""
        with _kept_lock:
            _kept_steps.clear()

    def _read_steps(self) -> list[Step]:
        sections = self.sections.order_by("position").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position"))
        )
        return [
            Step(number=i, section=s, questions=list(s.questions.all()))
            for i, s in enumerate(sections, start=1)
        ]


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


@dataclass(eq=False)
class Step:
    """One page of the questionnaire: a section and its questions.

    Shared between requests when its version is frozen: read it, never change it.
    """

    number: int
    section: Section
    questions: list[Question]
    # Rendered choice questions by (question id, answer): see
    # questionnaires/definitions/steps.py, field_html().
    markup: dict[tuple[int, str | None], SafeString] = field(
        default_factory=dict, repr=False
    )

    @property
    def list_kinds(self) -> set[str]:
        return {q.kind for q in self.questions if q.kind in LIST_KINDS}


#: Frozen versions' steps kept per process: a practice has a handful in use at once.
KEPT_VERSIONS = 16
_kept_steps: OrderedDict[tuple, list[Step]] = OrderedDict()
_kept_lock = threading.Lock()
