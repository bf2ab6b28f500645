"""What the engine recognised each medication and supplement entry as, for the
practitioner's tables: generic name and classes of a drug, nutrient, form and
daily elemental amount of a supplement, or "not recognised"."""

from __future__ import annotations

from dataclasses import dataclass, field

from questionnaires.interactions.facts import CaseFacts
from questionnaires.interactions.finding import amount_text
from questionnaires.interactions.knowledge import Knowledge
from questionnaires.interactions.matching import matcher_for
from questionnaires.interactions.resolving import resolve


@dataclass(frozen=True)
class DrugMatch:
    id: str
    name: str
    atc: str
    classes: tuple[str, ...]


@dataclass(frozen=True)
class NutrientMatch:
    id: str
    name: str
    form: str
    daily: str  # e.g. "300 mg a day", or "amount not known"


@dataclass
class EntryMatch:
    drugs: list[DrugMatch] = field(default_factory=list)
    nutrients: list[NutrientMatch] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        return bool(self.drugs or self.nutrients)


def entry_matches(facts: CaseFacts, knowledge: Knowledge) -> dict[str, EntryMatch]:
    """For each entry ref (e.g. "medication:<code>"), what it was matched to."""
    case = resolve(facts, knowledge, matcher_for(knowledge))
    found: dict[str, EntryMatch] = {}
    for drug_id, triggers in case.drugs.items():
        drug = knowledge.drugs[drug_id]
        classes = tuple(
            knowledge.classes[c].name for c in drug.classes if c in knowledge.classes
        )
        for ref, _ in triggers:
            found.setdefault(ref, EntryMatch()).drugs.append(
                DrugMatch(drug.id, drug.name, drug.atc, classes)
            )
    for nutrient_id, sources in case.nutrients.items():
        nutrient = knowledge.nutrients[nutrient_id]
        for source in sources:
            daily = (
                f"{amount_text(source.daily)} {nutrient.unit} a day"
                if source.daily is not None
                else "amount not known"
            )
            found.setdefault(source.trigger[0], EntryMatch()).nutrients.append(
                NutrientMatch(nutrient.id, nutrient.name, source.form or "", daily)
            )
    return found


LIST_LABELS = {
    "medications": "Medicine",
    "supplements": "Supplement",
    "conditions": "Condition",
}


def understood_entries(facts: CaseFacts, knowledge: Knowledge) -> list[dict]:
    """Every medication, supplement and condition entry and how it was understood.

    The same facts as the case-file command's `entries` (docs/knowledge-base.md),
    with the words a practitioner reads: what it was matched to, how (exact,
    phrase, fuzzy, by hand, unmatched), whether any rule can fire for it, and the
    daily amount of each nutrient counted.
    """
    case = resolve(facts, knowledge, matcher_for(knowledge))
    return [
        {
            **item.to_dict(knowledge),
            "list_label": LIST_LABELS[item.list],
            "status_text": item.status_text,
            "nutrient_rows": item.nutrient_rows(knowledge),
        }
        for item in case.entries
    ]
