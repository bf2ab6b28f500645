"""Daily amounts: label dose x doses a day, in the nutrient's unit, elemental.

A dose that cannot be worked out is kept with the reason (no amount, an IU figure
without a cited conversion, a compound weight of an unknown salt), so the engine
can say which products it could not count instead of quietly leaving them out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .facts import SupplementEntry
from .knowledge import Form, Knowledge, Nutrient
from .matching import Match, Matcher

_TO_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}
_FROM_MG = {"mg": 1.0, "mcg": 1000.0}


@dataclass(frozen=True)
class NutrientSource:
    """One product's contribution of one nutrient."""

    nutrient: str
    trigger: tuple[str, str]  # (ref, label) of the answer
    form: str | None = None
    daily: float | None = None  # in the nutrient's unit; None when not known
    unknown_reason: str = ""
    counts_toward_limit: bool = True
    topical: bool = False  # on the skin or in the bath: checked by no rule

    @classmethod
    def unknown(
        cls, nutrient: str, trigger: tuple[str, str], reason: str = ""
    ) -> NutrientSource:
        return cls(nutrient=nutrient, trigger=trigger, unknown_reason=reason)


def sources_from_medication(
    knowledge: Knowledge, nutrient_id: str, trigger: tuple[str, str]
) -> list[NutrientSource]:
    """A medicine that supplies a nutrient (Adcal-D3, ferrous sulfate): dose unknown."""
    reason = "listed as a medicine, so its nutrient content is not worked out"
    found = [NutrientSource.unknown(nutrient_id, trigger, reason)]
    found.extend(_contained(knowledge.nutrients[nutrient_id], trigger))
    return found


def resolve_supplement(
    knowledge: Knowledge,
    matcher: Matcher,
    entry: SupplementEntry,
    found: Match,
    trigger: tuple[str, str],
) -> Iterator[NutrientSource]:
    """Turn one matched supplement answer into nutrient sources with daily amounts."""
    combination = len(found.ids) > 1
    for nutrient_id in found.ids:
        nutrient = knowledge.nutrients[nutrient_id]
        form_id = matcher.form(nutrient_id, entry.form or entry.name)
        form = nutrient.form(form_id) if form_id else None
        if form is not None and form.topical:
            yield NutrientSource(nutrient_id, trigger, form_id, topical=True)
            continue
        if combination:
            daily, reason = (
                None,
                "a combination product; the amount of each is not stated",
            )
        elif not entry.has_amount:
            daily, reason = None, "no amount given"
        else:
            daily, reason = daily_amount(nutrient, form, entry)
        yield NutrientSource(
            nutrient=nutrient_id,
            trigger=trigger,
            form=form_id,
            daily=daily,
            unknown_reason=reason,
            counts_toward_limit=form.counts_toward_limit if form else True,
        )
        yield from _contained(nutrient, trigger)


def _contained(
    nutrient: Nutrient, trigger: tuple[str, str]
) -> Iterator[NutrientSource]:
    for contained in nutrient.contains:
        reason = f"contained in {nutrient.name}; the amount is not stated"
        yield NutrientSource.unknown(contained, trigger, reason)


def daily_amount(
    nutrient: Nutrient, form: Form | None, entry: SupplementEntry
) -> tuple[float | None, str]:
    """The daily elemental amount in the nutrient's unit, or None and why not."""
    amount = (entry.amount or 0.0) * entry.per_day
    if entry.unit == "IU":
        if nutrient.iu is None:
            return None, f"IU cannot be converted for {nutrient.name}"
        amount *= nutrient.iu
    else:
        amount = amount * _TO_MG[entry.unit] * _FROM_MG[nutrient.unit]
    if entry.basis == "compound":
        if form is not None and form.fraction is not None:
            amount *= form.fraction
        elif form is not None and any(f.fraction is not None for f in nutrient.forms):
            return None, (
                f"the amount is the weight of {form.id.replace('_', ' ')}, whose "
                f"{nutrient.name} content is not known, so the elemental amount "
                "cannot be worked out; ask for the elemental amount on the label"
            )
        elif any(f.fraction is not None for f in nutrient.forms):
            return None, (
                "the amount is the compound's weight and the salt form is not known, "
                "so the elemental amount cannot be worked out"
            )
    return amount, ""
