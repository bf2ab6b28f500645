"""Daily amounts: label dose x doses a day, in the nutrient's unit, elemental.

A dose that cannot be worked out is kept with the reason (no amount, an IU figure
without a cited conversion, a compound weight of an unknown salt), so the engine
can say which products it could not count instead of quietly leaving them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .entries import Product
from .facts import SupplementEntry
from .knowledge import Form, Knowledge, Nutrient
from .matching import Match, Matcher
from .parse_products import FROM_MG as _FROM_MG
from .parse_products import TO_MG as _TO_MG


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


def sources_from_product(
    knowledge: Knowledge,
    product: Product,
    per_day: float | None,
    trigger: tuple[str, str],
    written: str = "",
) -> list[NutrientSource]:
    """A named product's nutrients: per-unit amount x units a day, where known.

    A nutrient whose amount the source does not state, or a product taken an
    unknown number of times a day, is still a source: the rules about it fire,
    and the dose checks say it could not be counted. A strength written in the
    answer that contradicts the label ("Calcichew D3 500mg/400IU" is not the
    200 IU Calcichew-D3) stops the amounts being counted, since another product
    of that name was meant.
    """
    conflict = strength_conflict(knowledge, product, written or trigger[1])
    found = []
    for content in product.contents:
        nutrient = knowledge.nutrients[content.nutrient]
        form = nutrient.form(content.form) if content.form else None
        if conflict:
            daily, reason = None, conflict
        elif content.amount is None:
            daily, reason = (
                None,
                f"contained in {product.name}; the amount is not stated",
            )
        elif per_day is None:
            daily = None
            reason = (
                f"one {product.per} of {product.name} has {content.label}, "
                "but how many a day is not known"
            )
        else:
            daily, reason = content.amount * per_day, ""
        found.append(
            NutrientSource(
                nutrient=content.nutrient,
                trigger=trigger,
                form=content.form or None,
                daily=daily,
                unknown_reason=reason,
                counts_toward_limit=form.counts_toward_limit if form else True,
            )
        )
        found.extend(_contained(nutrient, trigger))
    return found


_TIMES = (
    (re.compile(r"\b(four times|qds|qid|4 times)\b"), 4),
    (re.compile(r"\b(three times|tds|tid|3 times)\b"), 3),
    (re.compile(r"\b(twice|bd|bid|2 times|morning and (evening|night))\b"), 2),
    (
        re.compile(
            r"\b(once|od|daily|a day|every day|each day|morning|evening|night|"
            r"nightly|mane|nocte|at bedtime)\b"
        ),
        1,
    ),
)
_COUNT = re.compile(r"\b(one|two|three|four|1|2|3|4)\s+(tablets?|caplets?|capsules?)")
_A_DAY = re.compile(r"\b(one|two|three|four|[1-4])\s*(?:x\s*)?(?:a|per|each)\s+day\b")
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4}
_NOT_DAILY = re.compile(r"\b(week|weekly|month|monthly|when needed|as needed|prn)\b")


def doses_per_day(text: str) -> float | None:
    """Units a day from a medicine's "how often" ("one tablet twice daily": 2).

    Only plain patterns are read; anything else is None, so the amount is
    reported as not known rather than guessed.
    """
    text = text.lower()
    if not text.strip() or _NOT_DAILY.search(text):
        return None
    stated = _A_DAY.search(text)
    if stated:
        word = stated.group(1)
        times = _COUNT_WORDS.get(word) or int(word)
    else:
        times = next((n for pattern, n in _TIMES if pattern.search(text)), None)
    if times is None:
        return None
    count = _COUNT.search(text)
    per_dose = 1
    if count:
        word = count.group(1)
        per_dose = _COUNT_WORDS.get(word) or int(word)
    return float(times * per_dose)


_STRENGTH = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(mg|mcg|µg|μg|ug|micrograms?|iu|g)(?![a-z])", re.IGNORECASE
)
_UNITS = {
    "µg": "mcg",
    "μg": "mcg",
    "ug": "mcg",
    "microgram": "mcg",
    "micrograms": "mcg",
}


def strength_conflict(knowledge: Knowledge, product: Product, text: str) -> str:
    """Why the written strength contradicts the product's label, or "".

    A figure is compared with a content given in the same unit (500 mg with 500 mg
    of calcium), and an IU figure with the product's vitamin given in IU or in
    micrograms (400 IU is 10 micrograms of vitamin D, not 5).
    """
    written: dict[str, set[float]] = {}
    for number, unit in _STRENGTH.findall(text):
        unit = unit.lower()
        unit = "IU" if unit == "iu" else _UNITS.get(unit, unit)
        written.setdefault(unit, set()).add(float(number.replace(",", ".")))
    for content in product.contents:
        if content.stated is None or content.amount is None:
            continue
        nutrient = knowledge.nutrients[content.nutrient]
        same = written.get(content.stated_unit)
        if same and content.stated not in same:
            return _conflict(product, content, same, content.stated_unit)
        in_iu = written.get("IU")
        converts = in_iu and nutrient.iu and content.stated_unit != "IU"
        if converts and not any(
            abs(n * nutrient.iu - content.amount) < 1e-6 for n in in_iu
        ):
            return _conflict(product, content, in_iu, "IU")
    return ""


def _conflict(product: Product, content, written: set[float], unit: str) -> str:
    shown = ", ".join(f"{n:g} {unit}" for n in sorted(written))
    return (
        f"the strength written ({shown}) is not that of {product.name} "
        f"({content.label}); check which product it is"
    )
