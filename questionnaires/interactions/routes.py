"""How each answer is taken: swallowed, injected, or put on the skin.

Absorption rules (those with a spacing) are about two things swallowed together,
and upper limits are about intake by mouth. So after the answers are resolved,
this marks medicines given by injection or infusion, which spacing rules skip,
and takes skin and bath products out of the nutrient totals with a finding that
says so. It runs as its own step so the resolving code stays about matching.
"""

from __future__ import annotations

import re

from .entries import Knowledge
from .finding import make_finding
from .resolved_case import ResolvedCase

# Words that say a medicine is not swallowed: "Bonviva 3 mg injection every 3
# months", "zoledronic acid infusion", "B12 jab".
_INJECTED = re.compile(
    r"\b(injections?|injected|inject|infusions?|infused|intravenous(ly)?|iv|drip|"
    r"jabs?|subcutaneous(ly)?|intramuscular(ly)?)\b",
    re.IGNORECASE,
)


def said_injected(*texts: str) -> bool:
    """Whether an answer says the medicine is given by injection or infusion."""
    return any(_INJECTED.search(text or "") for text in texts)


def apply_routes(case: ResolvedCase, knowledge: Knowledge) -> None:
    """Mark injected medicines and set skin and bath products aside, with a word."""
    _mark_injected(case, knowledge)
    _set_topical_aside(case, knowledge)


def _answer_texts(case: ResolvedCase) -> dict[str, tuple[str, ...]]:
    facts = case.facts
    texts: dict[str, tuple[str, ...]] = {}
    for index, med in enumerate(facts.medications):
        ref = med.ref or f"medications[{index}]"
        texts[ref] = (med.name, med.strength, med.frequency)
    for index, sup in enumerate(facts.supplements):
        texts[sup.ref or f"supplements[{index}]"] = (sup.name, sup.form)
    return texts


def _mark_injected(case: ResolvedCase, knowledge: Knowledge) -> None:
    texts = _answer_texts(case)
    for drug_id, triggers in case.drugs.items():
        never_swallowed = knowledge.drugs[drug_id].route == "injection"
        for ref, _label in triggers:
            if never_swallowed or said_injected(*texts.get(ref, ())):
                case.injected.add((drug_id, ref))


def _set_topical_aside(case: ResolvedCase, knowledge: Knowledge) -> None:
    rule = knowledge.rules["topical-not-counted"]
    for nutrient_id in sorted(case.nutrients):
        sources = case.nutrients[nutrient_id]
        topical = [s for s in sources if s.topical]
        if not topical:
            continue
        kept = [s for s in sources if not s.topical]
        if kept:
            case.nutrients[nutrient_id] = kept
        else:
            del case.nutrients[nutrient_id]
        nutrient = knowledge.nutrients[nutrient_id]
        for source in topical:
            names = {
                "entry": source.trigger[1],
                "detail": "",
                "nutrient": nutrient.name,
            }
            case.findings.append(
                make_finding(
                    rule, knowledge, names, (nutrient.name,), (), [source.trigger]
                )
            )
