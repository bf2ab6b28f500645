"""Daily totals of each nutrient across every product, as the upper-limit rules
count them: a regimen before and after a plan can then be compared."""

from __future__ import annotations

from dataclasses import dataclass

from .entries import Knowledge
from .facts import CaseFacts
from .finding import amount_text
from .matching import matcher_for
from .resolving import resolve


@dataclass(frozen=True)
class Total:
    """One nutrient's daily amount from supplements (doses not known count 0)."""

    unit: str
    amount: float

    @property
    def text(self) -> str:
        return f"{amount_text(self.amount)} {self.unit} a day"


def daily_totals(facts: CaseFacts, knowledge: Knowledge) -> dict[str, Total]:
    """Nutrient name -> its total, for every nutrient the supplements supply."""
    case = resolve(facts, knowledge, matcher_for(knowledge))
    totals = {}
    for nutrient_id, sources in sorted(case.nutrients.items()):
        nutrient = knowledge.nutrients[nutrient_id]
        counted = [s.daily for s in sources if s.daily is not None]
        totals[nutrient.name] = Total(nutrient.unit, sum(counted))
    return totals
