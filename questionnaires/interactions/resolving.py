"""Resolve the client's answers into drugs, nutrient sources and conditions.

Anything that cannot be resolved becomes an `unrecognised` finding, so a miss is
always visible, never silent.
"""

from __future__ import annotations

from .doses import (
    NutrientSource,
    doses_per_day,
    resolve_supplement,
    sources_from_medication,
    sources_from_product,
)
from .entries import Knowledge
from .facts import CaseFacts
from .finding import make_finding
from .matching import Match, Matcher
from .resolved_case import ResolvedCase
from .text import normalise
from .understood import HOW, Understood, has_rules, matched


def resolve(facts: CaseFacts, knowledge: Knowledge, matcher: Matcher) -> ResolvedCase:
    """Match every entry once; unmatched entries become findings on the case."""
    case = ResolvedCase(facts)
    _resolve_medications(case, knowledge, matcher)
    _resolve_supplements(case, knowledge, matcher)
    _resolve_conditions(case, knowledge, matcher)
    find_red_flag_text(case, knowledge)
    return case


class _Entry:
    """Collects what one answer resolved to, for the case and for `entries`."""

    def __init__(
        self, case: ResolvedCase, knowledge: Knowledge, record: Understood
    ) -> None:
        self.case, self.knowledge, self.record = case, knowledge, record
        self.trigger = (record.ref, record.text)
        case.entries.append(record)

    def found(self, kind: str, ident: str, how: str) -> None:
        self.record.matched.append(matched(self.knowledge, kind, ident))
        self.record.how = HOW.get(how, how)
        self.record.has_rules = self.record.has_rules or has_rules(
            self.knowledge, kind, ident
        )

    def source(self, source: NutrientSource) -> None:
        self.case.add_source(source)
        self.record.sources.append(source)
        self.record.has_rules = self.record.has_rules or has_rules(
            self.knowledge, "nutrient", source.nutrient
        )

    def drug(self, drug_id: str, how: str) -> None:
        self.found("drug", drug_id, how)
        self.case.add_drug(drug_id, self.trigger)
        for nutrient_id in self.knowledge.drugs[drug_id].nutrients:
            for source in sources_from_medication(
                self.knowledge, nutrient_id, self.trigger
            ):
                self.source(source)

    def product(
        self, product_id: str, how: str, per_day: float | None, written: str = ""
    ) -> None:
        """A named product; `written` is where a strength may be stated."""
        self.found("product", product_id, how)
        product = self.knowledge.products[product_id]
        for source in sources_from_product(
            self.knowledge, product, per_day, self.trigger, written
        ):
            self.source(source)

    def unrecognised(self, what: str, found: Match | None, detail: str = "") -> None:
        if found is not None:
            self.record.candidates = found.candidates
            detail = _near(found)
        _unrecognised(self.case, self.knowledge, what, self.trigger, detail)


def _resolve_medications(
    case: ResolvedCase, knowledge: Knowledge, matcher: Matcher
) -> None:
    for index, entry in enumerate(case.facts.medications):
        ref = entry.ref or f"medications[{index}]"
        item = _Entry(case, knowledge, Understood("medications", ref, entry.label))
        per_day = doses_per_day(entry.frequency)
        if entry.matched_as:
            _manual_match(item, entry.matched_as, "medication", per_day)
            continue
        product = matcher.product(entry.name)
        if product.matched:
            item.product(product.ids[0], product.how, per_day)
            continue
        found = matcher.drug(entry.name)
        if found.matched:
            for drug_id in found.ids:
                item.drug(drug_id, found.how)
            continue
        # Clients often list vitamins under medicines: check them as nutrients.
        as_nutrient = matcher.nutrient(entry.name, fuzzy=False)
        if as_nutrient.matched:
            for nutrient_id in as_nutrient.ids:
                item.found("nutrient", nutrient_id, as_nutrient.how)
                for source in sources_from_medication(
                    knowledge, nutrient_id, item.trigger
                ):
                    item.source(source)
            continue
        item.unrecognised("medication", found)


def _manual_match(item: _Entry, ident: str, what: str, per_day: float | None) -> None:
    """A practitioner's match by hand: a drug, product or nutrient id."""
    knowledge = item.knowledge
    if ident in knowledge.drugs:
        item.drug(ident, "manual")
    elif ident in knowledge.products:
        item.product(ident, "manual", per_day)
    elif ident in knowledge.nutrients and what == "medication":
        item.found("nutrient", ident, "manual")
        for source in sources_from_medication(knowledge, ident, item.trigger):
            item.source(source)
    else:
        item.unrecognised(what, None, f" (the manual match {ident!r} is not in it)")


def _resolve_supplements(
    case: ResolvedCase, knowledge: Knowledge, matcher: Matcher
) -> None:
    for index, entry in enumerate(case.facts.supplements):
        ref = entry.ref or f"supplements[{index}]"
        item = _Entry(case, knowledge, Understood("supplements", ref, entry.label))
        if entry.matched_as and entry.matched_as not in knowledge.nutrients:
            _manual_match(item, entry.matched_as, "supplement", entry.per_day)
            continue
        if entry.matched_as:
            found = Match("matched", (entry.matched_as,), "manual")
        else:
            product = matcher.product(entry.name)
            if product.matched:
                # The amount fields may hold the tablet's weight: read the name.
                item.product(product.ids[0], product.how, entry.per_day, entry.name)
                continue
            found = matcher.nutrient(entry.nutrient or entry.name)
        if not found.matched:
            as_drug = matcher.drug(entry.name, fuzzy=False)
            if as_drug.matched:
                for drug_id in as_drug.ids:
                    item.drug(drug_id, as_drug.how)
                continue
            item.unrecognised("supplement", found)
            continue
        for nutrient_id in found.ids:
            item.found("nutrient", nutrient_id, found.how)
        for source in resolve_supplement(
            knowledge, matcher, entry, found, item.trigger
        ):
            item.source(source)


def _resolve_conditions(
    case: ResolvedCase, knowledge: Knowledge, matcher: Matcher
) -> None:
    facts = case.facts
    if facts.pregnant:
        case.add_condition("pregnancy", ("pregnant", "Pregnant"))
    if facts.breastfeeding:
        case.add_condition("breastfeeding", ("breastfeeding", "Breastfeeding"))
    if facts.smoker and "smoking" in knowledge.conditions:
        case.add_condition("smoking", ("smoking", "Smokes"))
    seen: set[str] = set()
    for text in facts.conditions:
        ref = condition_ref(text)
        if ref in seen:  # the same condition written twice is checked once
            continue
        seen.add(ref)
        item = _Entry(case, knowledge, Understood("conditions", ref, text))
        found = matcher.condition(text)
        if found.matched:
            for condition_id in found.ids:
                item.found("condition", condition_id, found.how)
                case.add_condition(condition_id, item.trigger)
        else:
            item.unrecognised("condition", found)


def find_red_flag_text(case: ResolvedCase, knowledge: Knowledge) -> None:
    """Red-flag words typed anywhere ("black stools") count as the symptom.

    Negation is not read ("no chest pain" still raises it): the finding quotes the
    words, and a practitioner can dismiss it with a note; a missed red flag costs
    more than a dismissed one.
    """
    texts = [(f"notes.{key}", text) for key, text in case.facts.notes.items()]
    texts += [(condition_ref(text), text) for text in case.facts.conditions]
    texts += [
        (entry.ref or f"medications[{index}]", entry.reason)
        for index, entry in enumerate(case.facts.medications)
        if entry.reason
    ]
    for ref, text in texts:
        padded = f" {normalise(text)} "
        for flag in knowledge.red_flag_texts:
            if any(f" {phrase} " in padded for phrase in flag.phrases):
                case.add_flag_text(flag.symptom, (ref, f'"{text.strip()}"'))


def condition_ref(text: str) -> str:
    """Name a typed condition by what it says, never by its place in the list.

    A finding's key is made of refs, and a practitioner's decision is stored against
    the key, so adding a condition before another must not change the other's ref.
    Conditions have no stored row to give a code, so the ref is the text cleaned as
    the matcher cleans it ("Kidney disease (CKD)" and "kidney disease ckd" agree).
    """
    return f"condition:{normalise(text) or text.strip().lower()}"


def _near(found: Match) -> str:
    if found.status == "ambiguous":
        return f"; it is ambiguous between {', '.join(found.candidates)}"
    if found.candidates:
        return f"; closest names: {', '.join(found.candidates)}"
    return ""


def _unrecognised(
    case: ResolvedCase,
    knowledge: Knowledge,
    what: str,
    trigger: tuple[str, str],
    detail: str,
) -> None:
    rule = knowledge.rules[f"unrecognised-{what}"]
    names = {"entry": trigger[1], "detail": detail, "nutrient": ""}
    subject = normalise(trigger[1]) or trigger[1].lower()
    case.findings.append(
        make_finding(rule, knowledge, names, (subject,), (), [trigger])
    )
