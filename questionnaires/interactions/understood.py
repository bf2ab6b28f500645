"""What each answer was understood as: the `entries` of a check.

A practitioner must be able to see, for every medication, supplement and
condition the client wrote, what the engine took it to be and how sure it was,
so a wrong match is caught by a person rather than trusted. The dictionary form
is a fixed interface (docs/knowledge-base.md, "The entries list").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .doses import NutrientSource
from .entries import Knowledge
from .finding import amount_text

# Match.how -> the word shown to people.
HOW = {"exact": "exact", "phrase": "phrase", "fuzzy": "fuzzy", "manual": "by hand"}
STATUS_TEXT = {
    "checked": "checked against the knowledge base",
    "no_rules": "recognised; no interaction in our knowledge base",
    "unrecognised": "not recognised: a person must match it",
}


@dataclass(frozen=True)
class Matched:
    id: str
    name: str
    kind: str  # drug, nutrient, product or condition


@dataclass
class Understood:
    """One answer and what it was matched to."""

    list: str  # medications, supplements or conditions
    ref: str
    text: str
    how: str = "unmatched"  # exact, phrase, fuzzy, by hand or unmatched
    matched: list[Matched] = field(default_factory=list)
    candidates: tuple[str, ...] = ()
    sources: list[NutrientSource] = field(default_factory=list)
    has_rules: bool = False

    @property
    def status(self) -> str:
        if not self.matched:
            return "unrecognised"
        return "checked" if self.has_rules else "no_rules"

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    def nutrient_rows(self, knowledge: Knowledge) -> list[dict]:
        rows = []
        for source in self.sources:
            nutrient = knowledge.nutrients[source.nutrient]
            rows.append(
                {
                    "id": nutrient.id,
                    "name": nutrient.name,
                    "form": source.form or "",
                    "daily": None if source.daily is None else round(source.daily, 3),
                    "daily_text": (
                        f"{amount_text(source.daily)} {nutrient.unit} a day"
                        if source.daily is not None
                        else "amount not known"
                    ),
                    "unit": nutrient.unit,
                    "counted": source.daily is not None and source.counts_toward_limit,
                    "note": source.unknown_reason,
                }
            )
        return rows

    def to_dict(self, knowledge: Knowledge) -> dict:
        return {
            "list": self.list,
            "ref": self.ref,
            "text": self.text,
            "how": self.how,
            "matched": [
                {"id": m.id, "name": m.name, "kind": m.kind} for m in self.matched
            ],
            "candidates": list(self.candidates),
            "status": self.status,
            "nutrients": [
                {k: v for k, v in row.items() if k != "daily_text"}
                for row in self.nutrient_rows(knowledge)
            ],
        }


def has_rules(knowledge: Knowledge, kind: str, ident: str) -> bool:
    """Whether any rule could fire for this substance or condition."""
    if kind == "drug":
        return bool(knowledge.rules_by_drug.get(ident))
    if kind == "condition":
        return bool(knowledge.rules_by_condition.get(ident))
    if kind == "product":
        product = knowledge.products[ident]
        return any(
            has_rules(knowledge, "nutrient", c.nutrient) for c in product.contents
        )
    if kind == "nutrient":
        nutrient = knowledge.nutrients[ident]
        return bool(knowledge.rules_by_nutrient.get(ident)) or any(
            has_rules(knowledge, "nutrient", c) for c in nutrient.contains
        )
    raise ValueError(f"no entries of kind {kind!r}")


# Where the knowledge base keeps the entries of each kind an answer may match.
_ENTRIES = {
    "drug": "drugs",
    "nutrient": "nutrients",
    "product": "products",
    "condition": "conditions",
}


def matched(knowledge: Knowledge, kind: str, ident: str) -> Matched:
    entries = getattr(knowledge, _ENTRIES[kind])
    return Matched(ident, entries[ident].name, kind)
