"""Resolve the client's answers into drugs, nutrient sources and conditions.

Anything that cannot be resolved becomes an `unrecognised` finding, so a miss is
always visible, never silent.
"""

from __future__ import annotations

from .case import ResolvedCase
from .doses import NutrientSource, resolve_supplement, sources_from_medication
from .entries import Knowledge
from .facts import CaseFacts
from .finding import make_finding
from .matching import Match, Matcher
from .text import normalise


def resolve(facts: CaseFacts, knowledge: Knowledge, matcher: Matcher) -> ResolvedCase:
    """Match every entry once; unmatched entries become findings on the case."""
    case = ResolvedCase(facts)
    _resolve_medications(case, knowledge, matcher)
    _resolve_supplements(case, knowledge, matcher)
    _resolve_conditions(case, knowledge, matcher)
    return case


def _resolve_medications(
    case: ResolvedCase, knowledge: Knowledge, matcher: Matcher
) -> None:
    for index, entry in enumerate(case.facts.medications):
        trigger = (entry.ref or f"medications[{index}]", entry.label)
        if entry.matched_as:
            if entry.matched_as in knowledge.drugs:
                _add_matched_drug(case, knowledge, entry.matched_as, trigger)
            elif entry.matched_as in knowledge.nutrients:
                case.add_source(NutrientSource.unknown(entry.matched_as, trigger))
            else:
                _unrecognised(case, knowledge, "medication", trigger, _manual(entry))
            continue
        found = matcher.drug(entry.name)
        if found.matched:
            for drug_id in found.ids:
                _add_matched_drug(case, knowledge, drug_id, trigger)
            continue
        # Clients often list vitamins under medicines: check them as nutrients.
        as_nutrient = matcher.nutrient(entry.name, fuzzy=False)
        if as_nutrient.matched:
            for nutrient_id in as_nutrient.ids:
                for source in sources_from_medication(knowledge, nutrient_id, trigger):
                    case.add_source(source)
            continue
        _unrecognised(case, knowledge, "medication", trigger, _near(found))


def _add_matched_drug(
    case: ResolvedCase, knowledge: Knowledge, drug_id: str, trigger: tuple[str, str]
) -> None:
    case.add_drug(drug_id, trigger)
    for nutrient_id in knowledge.drugs[drug_id].nutrients:
        for source in sources_from_medication(knowledge, nutrient_id, trigger):
            case.add_source(source)


def _resolve_supplements(
    case: ResolvedCase, knowledge: Knowledge, matcher: Matcher
) -> None:
    for index, entry in enumerate(case.facts.supplements):
        trigger = (entry.ref or f"supplements[{index}]", entry.label)
        if entry.matched_as and entry.matched_as in knowledge.drugs:
            _add_matched_drug(case, knowledge, entry.matched_as, trigger)
            continue
        if entry.matched_as and entry.matched_as not in knowledge.nutrients:
            _unrecognised(case, knowledge, "supplement", trigger, _manual(entry))
            continue
        if entry.matched_as:
            found = Match("matched", (entry.matched_as,), "manual")
        else:
            found = matcher.nutrient(entry.nutrient or entry.name)
        if not found.matched:
            as_drug = matcher.drug(entry.name, fuzzy=False)
            if as_drug.matched:
                for drug_id in as_drug.ids:
                    _add_matched_drug(case, knowledge, drug_id, trigger)
                continue
            _unrecognised(case, knowledge, "supplement", trigger, _near(found))
            continue
        for source in resolve_supplement(knowledge, matcher, entry, found, trigger):
            case.add_source(source)


def _resolve_conditions(
    case: ResolvedCase, knowledge: Knowledge, matcher: Matcher
) -> None:
    facts = case.facts
    if facts.pregnant:
        case.add_condition("pregnancy", ("pregnant", "Pregnant"))
    if facts.breastfeeding:
        case.add_condition("breastfeeding", ("breastfeeding", "Breastfeeding"))
    seen: set[str] = set()
    for text in facts.conditions:
        ref = condition_ref(text)
        if ref in seen:  # the same condition written twice is checked once
            continue
        seen.add(ref)
        trigger = (ref, text)
        found = matcher.condition(text)
        if found.matched:
            for condition_id in found.ids:
                case.add_condition(condition_id, trigger)
        else:
            _unrecognised(case, knowledge, "condition", trigger, _near(found))


def condition_ref(text: str) -> str:
    """Name a typed condition by what it says, never by its place in the list.

    A finding's key is made of refs, and a practitioner's decision is stored against
    the key, so adding a condition before another must not change the other's ref.
    Conditions have no stored row to give a code, so the ref is the text cleaned as
    the matcher cleans it ("Kidney disease (CKD)" and "kidney disease ckd" agree).
    """
    return f"condition:{normalise(text) or text.strip().lower()}"


def _manual(entry: object) -> str:
    return f" (the manual match {getattr(entry, 'matched_as', '')!r} is not in it)"


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
