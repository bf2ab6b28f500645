"""ResolvedCase: what the engine made of the facts, and the questions rules ask it.

Built once per run by resolving.py; the rule modules read it to see which drugs,
nutrients (with daily amounts) and conditions the client has, and from which
answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .doses import NutrientSource
from .entries import Knowledge, Nutrient, Rule
from .facts import CaseFacts
from .finding import Finding, amount_text
from .understood import Understood


@dataclass
class ResolvedCase:
    """What the engine resolved from the facts; built once per run."""

    facts: CaseFacts
    drugs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    nutrients: dict[str, list[NutrientSource]] = field(default_factory=dict)
    conditions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    entries: list[Understood] = field(default_factory=list)
    # Red-flag symptoms named in free text, with the words behind each.
    flag_texts: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # (drug id, answer ref) of medicines given by injection or infusion (routes.py)
    injected: set[tuple[str, str]] = field(default_factory=set)

    def add_drug(self, drug_id: str, trigger: tuple[str, str]) -> None:
        _append_once(self.drugs.setdefault(drug_id, []), trigger)

    def drug_triggers(
        self, drug_id: str, swallowed_only: bool
    ) -> list[tuple[str, str]]:
        """The answers behind a drug; with `swallowed_only`, not the injected ones."""
        triggers = self.drugs.get(drug_id, [])
        if not swallowed_only:
            return triggers
        return [t for t in triggers if (drug_id, t[0]) not in self.injected]

    def add_condition(self, condition_id: str, trigger: tuple[str, str]) -> None:
        _append_once(self.conditions.setdefault(condition_id, []), trigger)

    def add_source(self, source: NutrientSource) -> None:
        self.nutrients.setdefault(source.nutrient, []).append(source)

    def add_flag_text(self, symptom: str, trigger: tuple[str, str]) -> None:
        _append_once(self.flag_texts.setdefault(symptom, []), trigger)


def _append_once(items: list, item: object) -> None:
    if item not in items:
        items.append(item)


def sources_for(
    rule: Rule, case: ResolvedCase, nutrient_id: str
) -> list[NutrientSource]:
    """The client's sources of one nutrient, in the forms the rule names if any."""
    sources = case.nutrients.get(nutrient_id, [])
    if rule.forms:
        sources = [s for s in sources if s.form in rule.forms]
    return sources


def threshold_met(
    rule: Rule, sources: list[NutrientSource], unit: str
) -> tuple[bool, str]:
    """Whether a dose threshold is met: `min_daily` or more, or above `above_daily`.

    For condition rules (vitamin A in pregnancy) an unknown dose counts, since it
    could be over; elsewhere the "dose not known" finding already asks for the label.
    """
    at_least, above = rule.min_daily, rule.above_daily
    if at_least is None and above is None:
        return bool(sources), ""
    total = round(sum(s.daily for s in sources if s.daily is not None), 6)
    met = total >= at_least if at_least is not None else total > above
    if met:
        return True, f" The daily total found is {amount_text(total)} {unit}."
    if rule.kind == "condition" and any(s.daily is None for s in sources):
        wanted = (
            f"{amount_text(at_least)} {unit} or more"
            if at_least is not None
            else f"above {amount_text(above)} {unit}"
        )
        return True, (
            f" The dose of at least one product is not known, so a daily total "
            f"{wanted} could not be ruled out."
        )
    return False, ""


def matching_drugs(rule: Rule, case: ResolvedCase, knowledge: Knowledge) -> list[str]:
    """The client's drugs the rule names, directly or by class, in id order."""
    named = knowledge.drugs_by_rule[rule.id]
    return sorted(drug_id for drug_id in case.drugs if drug_id in named)


def present_nutrients(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge
) -> Iterable[tuple[Nutrient, list[tuple[str, str]], str]]:
    """The rule's nutrients the client takes (past any threshold), with triggers."""
    for nutrient_id in rule.nutrients:
        sources = sources_for(rule, case, nutrient_id)
        nutrient = knowledge.nutrients[nutrient_id]
        met, note = threshold_met(rule, sources, nutrient.unit)
        if met:
            yield nutrient, [s.trigger for s in sources], note
