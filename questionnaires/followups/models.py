"""What a follow-up asks about the last advice: one row per item of its plan."""

from __future__ import annotations

import uuid

from django.db import models

from questionnaires.intake.models import (
    Response,
)


class Adherence(models.TextChoices):
    AS_ADVISED = "as_advised", "I take it as advised"
    STOPPED = "stopped", "I have stopped it"
    SIDE_EFFECTS = "side_effects", "I take it, but it gives me side effects"
    NOT_STARTED = "not_started", "I have not started it"


class PlanAdherence(models.Model):
    """A follow-up's question about one item of the last advice's supplement plan,
    and the client's answer. The item is copied as words, as the client read it in
    their summary, so the answer keeps its meaning when the plan is revised."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="plan_adherence"
    )
    position = models.PositiveIntegerField(default=0)
    item = models.CharField("plan item", max_length=300)
    answer = models.CharField(
        "how it is going", max_length=20, choices=Adherence.choices, blank=True
    )
    note = models.CharField("anything to add", max_length=300, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.item
