"""The advice a practitioner writes, its supplement plan, reusable snippets, and
issued (immutable) summaries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from questionnaires.intake.models import (
    Response,
)
from questionnaires.intake.rows import (
    DoseValues,
    Supplement,
    SupplementUnit,
)


class Timing(models.TextChoices):
    ON_WAKING = "on_waking", "On waking, on an empty stomach"
    BREAKFAST = "breakfast", "With breakfast"
    LUNCH = "lunch", "With lunch"
    EVENING_MEAL = "evening_meal", "With the evening meal"
    BEDTIME = "bedtime", "At bedtime"
    AS_DIRECTED = "as_directed", "As described in the notes"


class AdviceDraft(models.Model):
    """The advice a practitioner is writing for a case; issued as numbered PDFs."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="advice"
    )
    key_points = models.TextField("key points", blank=True)
    diet = models.TextField("dietary advice", blank=True)
    lifestyle = models.TextField("lifestyle advice", blank=True)
    gp_notes = models.TextField("notes for your GP", blank=True)
    follow_up = models.TextField("follow-up", blank=True)
    # What the next version changes, printed under "This replaces version N".
    changes = models.TextField("what has changed since the last version", blank=True)
    include_symptom_chart = models.BooleanField(
        "include the symptom chart in the PDF", default=False
    )
    # When the client takes each medicine, for the PDF's daily timetable:
    # {medication code: Timing value}. Only what the practitioner chose.
    medicine_timings = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The fingerprint of the plan (its rows and what happens to the client's own
    # supplements) as it was last checked; a plan whose fingerprint differs is
    # "not checked yet" and cannot be issued. Set only by the check itself.
    checked_plan = models.CharField(max_length=64, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Advice for {self.response}"


class PlanItem(DoseValues, models.Model):
    """One row of the supplement plan; checked by the engine like the client's own."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    advice = models.ForeignKey(
        AdviceDraft, on_delete=models.CASCADE, related_name="plan"
    )
    position = models.PositiveIntegerField(default=0)
    product = models.CharField("product or nutrient", max_length=200, blank=True)
    nutrient = models.CharField(max_length=200, blank=True)
    form = models.CharField(max_length=100, blank=True)
    amount = models.CharField("amount per dose", max_length=40, blank=True)
    unit = models.CharField(
        max_length=10, choices=SupplementUnit.choices, default=SupplementUnit.MG
    )
    per_day = models.CharField("doses a day", max_length=40, blank=True, default="1")
    timing = models.CharField(
        "when to take it",
        max_length=20,
        choices=Timing.choices,
        default=Timing.BREAKFAST,
    )
    # Other times of day for a supplement taken more than once a day: Timing
    # values separated by commas, e.g. "evening_meal".
    more_timings = models.CharField("also take it", max_length=100, blank=True)
    spacing = models.CharField(
        "keep apart from",
        max_length=300,
        blank=True,
        help_text="Filled in from the acknowledged findings; you can change it.",
    )
    duration = models.CharField("for how long", max_length=100, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.product or self.nutrient or "(no name)"

    @property
    def is_blank(self) -> bool:
        return not any((self.product, self.nutrient, self.amount))

    @property
    def timings(self) -> tuple[str, ...]:
        """Every time of day it is taken, in the day's order, without repeats."""
        chosen = {self.timing, *self.more_timings.split(",")}
        return tuple(t for t in Timing.values if t in chosen)


class CurrentAction(models.TextChoices):
    CONTINUE = "continue", "Keep taking it"
    STOP = "stop", "Stop taking it"
    CHANGE_DOSE = "change_dose", "Change the dose"
    REPLACE = "replace", "Replace it with an item of the plan"


class CurrentSupplement(DoseValues, models.Model):
    """What the plan says about a supplement the client already takes.

    A supplement with no row is kept (continue). The plan check totals the
    regimen that results; the PDF lists what to stop and what to keep taking.
    """

    advice = models.ForeignKey(
        AdviceDraft, on_delete=models.CASCADE, related_name="current"
    )
    supplement = models.ForeignKey(
        Supplement, on_delete=models.CASCADE, related_name="+"
    )
    action = models.CharField(
        max_length=20, choices=CurrentAction.choices, default=CurrentAction.CONTINUE
    )
    # The new dose, kept as typed, for "change the dose".
    amount = models.CharField("new amount per dose", max_length=40, blank=True)
    per_day = models.CharField("doses a day", max_length=40, blank=True)
    replaced_by = models.ForeignKey(
        PlanItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["advice", "supplement"], name="one_choice_per_supplement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.supplement}"


class SnippetSection(models.TextChoices):
    KEY_POINTS = "key_points", "Key points"
    DIET = "diet", "Dietary advice"
    LIFESTYLE = "lifestyle", "Lifestyle advice"
    GP_NOTES = "gp_notes", "Notes for the GP"
    FOLLOW_UP = "follow_up", "Follow-up"


class AdviceSnippet(models.Model):
    """A practitioner's reusable piece of advice, inserted into a section."""

    owner = models.ForeignKey(
        "practice.Practitioner", on_delete=models.CASCADE, related_name="snippets"
    )
    section = models.CharField(max_length=20, choices=SnippetSection.choices)
    title = models.CharField(max_length=120)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["section", "title"]

    def __str__(self) -> str:
        return self.title


class IssuedSummary(models.Model):
    """An advice summary as issued: a PDF that never changes.

    A new issue is a new row with the next version number; the file is written
    once, outside any public URL, and its SHA-256 is kept to prove it unchanged.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(
        Response, on_delete=models.PROTECT, related_name="summaries"
    )
    version = models.PositiveIntegerField()
    file_name = models.CharField(max_length=300, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveIntegerField(editable=False)
    pages = models.PositiveIntegerField(default=0, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["response", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "version"], name="one_summary_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"Advice summary v{self.version} for {self.response.client}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An issued summary never changes; issue a new version.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("questionnaires:download-summary", args=[self.code])
