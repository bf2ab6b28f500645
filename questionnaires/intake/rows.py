"""The medicines and supplements a client lists: one row each, saved as typed."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from questionnaires.intake.models import (
    Response,
)
from questionnaires.values import parse_number


class SinceLast(models.TextChoices):
    """What a follow-up's client says about a medicine or supplement they told us
    about last time."""

    TAKING = "taking", "I still take it"
    STOPPED = "stopped", "I have stopped it"
    CHANGED = "changed", "It has changed (change the details below)"


class EntryBase(models.Model):
    """A row of a structured list (medications or supplements), kept as typed."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveIntegerField(default=0)
    # In a follow-up: the row of the earlier visit this one was copied from (None
    # for a row added since), and what the client says about it now. "" when not
    # asked (an intake's rows, a new row).
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    since_last = models.CharField(
        "since last time", max_length=10, choices=SinceLast.choices, blank=True
    )
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

    @property
    def since_last_words(self) -> str:
        """For the answers page: "still taking", "stopped", "changed"."""
        return {"taking": "still taking"}.get(self.since_last, self.since_last)

    @property
    def is_stopped(self) -> bool:
        """The client has stopped it: no longer one of their current facts."""
        return self.since_last == SinceLast.STOPPED


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


class DoseValues:
    """A row's amount and doses a day, kept as typed, read as numbers."""

    amount: str
    per_day: str

    @property
    def amount_value(self) -> Decimal | None:
        return parse_number(self.amount)

    @property
    def per_day_value(self) -> Decimal | None:
        return parse_number(self.per_day)


class Supplement(DoseValues, EntryBase):
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
