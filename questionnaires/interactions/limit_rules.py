"""Rules about daily totals: upper limits, and products whose dose is not known."""

from __future__ import annotations

import dataclasses

from .doses import NutrientSource
from .entries import ADULT_AGE, LIMIT_SET_NAMES, Knowledge, Limit, Nutrient, Rule
from .finding import Finding, amount_text, make_finding
from .resolved_case import ResolvedCase


def upper_limit_findings(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge, limits: str
) -> list[Finding]:
    nutrient = knowledge.nutrients[rule.nutrients[0]]
    known = [s for s in case.nutrients.get(nutrient.id, []) if s.daily is not None]
    if not known:
        return []
    age = case.facts.age
    limit, fallback = choose_limit(rule, limits, age)
    if limit is None:
        return [_not_checked(rule, nutrient, limits, age, known, knowledge)]
    counted = [
        s for s in known if s.counts_toward_limit or s.form in limit.includes_forms
    ]
    if not counted:
        return []
    supplements = sum(s.daily for s in counted)
    total = supplements + (limit.food_typical or 0)
    # Exactly at the limit is not above it; rounding keeps float sums of label
    # amounts (10.27 + 1.73) from landing a hair over.
    if round(total, 6) <= limit.amount:
        return []
    note = _limit_note(case, nutrient, limit, counted, fallback)
    finding = make_finding(
        rule,
        knowledge,
        {"nutrient": nutrient.name},
        (nutrient.name,),
        (),
        [s.trigger for s in counted],
        note,
    )
    sources = tuple(dict.fromkeys((*limit.sources, *limit.food_sources)))
    evidence = f"{limit.evidence}: limit used: {limit.label}"
    return [dataclasses.replace(finding, sources=sources, evidence=evidence)]


def _limit_note(
    case: ResolvedCase,
    nutrient: Nutrient,
    limit: Limit,
    counted: list[NutrientSource],
    fallback: bool,
) -> str:
    """The total, each product's share, the limit used and what it leaves out."""
    unit, age = nutrient.unit, case.facts.age
    supplements = sum(s.daily for s in counted)
    lines = "; ".join(f"{s.trigger[1]}: {amount_text(s.daily)} {unit}" for s in counted)
    note = f" Total {nutrient.name}: {amount_text(supplements)} {unit} a day ({lines})."
    if limit.food_typical is not None:
        note += (
            f" With typical food intake of about {amount_text(limit.food_typical)} "
            f"{unit} a day ({limit.food_label}), the estimated total is "
            f"{amount_text(supplements + limit.food_typical)} {unit}."
        )
    used = f"{limit.label}, {amount_text(limit.amount)} {unit} a day ({limit.evidence})"
    if fallback:
        used += (
            "; the UK set has no value for this nutrient"
            + ("" if age is None else " at this age")
            + ", so the EU limit is used"
        )
    note += f" Limit used: {used}."
    note += _scope_note(limit)
    if age is None:
        note += " Age not given: the adult limit was used."
    sources = case.nutrients.get(nutrient.id, [])
    excluded = [s for s in sources if s.daily is not None and s not in counted]
    if excluded:
        labels = "; ".join(s.trigger[1] for s in excluded)
        note += f" Not added (a form this limit does not cover): {labels}."
    missing = [s for s in sources if s.daily is None]
    if missing:
        labels = "; ".join(s.trigger[1] for s in missing)
        note += f" Not counted (dose not known): {labels}."
    return note


def _scope_note(limit: Limit) -> str:
    """Say what a total-intake limit was compared with, so nobody over-reads it."""
    if limit.scope != "total":
        return ""
    if limit.food_typical is not None:
        return (
            " This limit covers food as well as supplements; food was estimated"
            " from typical intake, not from this client's diet."
        )
    return (
        " This limit covers intake from food as well as supplements; only"
        " supplements were counted, so the client's real total is higher."
    )


def choose_limit(rule: Rule, chosen: str, age: int | None) -> tuple[Limit | None, bool]:
    """The limit for this age in the chosen set, and whether the EU set stood in.

    Bands never overlap (the loader checks), so an age has at most one limit in a
    set; with the age unknown only adult bands are used, the lowest first. The UK
    set, whose guidance levels are for adults, falls back to the EU value for the
    nutrient and age when it has none; the EU and US sets have no fallback.
    """
    fallback = False
    applicable = [lim for lim in rule.limits.get(chosen, ()) if lim.applies_to(age)]
    if not applicable and chosen == "uk":
        eu = rule.limits.get("eu", ())
        applicable = [lim for lim in eu if lim.applies_to(age)]
        fallback = bool(applicable)
    if not applicable:
        return None, False
    return min(applicable, key=lambda lim: (lim.amount, lim.label)), fallback


def _not_checked(
    rule: Rule,
    nutrient: Nutrient,
    chosen: str,
    age: int | None,
    known: list[NutrientSource],
    knowledge: Knowledge,
) -> Finding:
    """Say that no limit was applied, never leave the total silently unchecked."""
    set_name = LIMIT_SET_NAMES[chosen]
    has_any = bool(rule.limits.get(chosen)) or (
        chosen == "uk" and bool(rule.limits.get("eu"))
    )
    if has_any and age is not None:
        detail = f"not checked for age {age} under the {set_name} set"
    else:
        detail = f"the {set_name} set has no upper limit for {nutrient.name}"
    total = sum(s.daily for s in known)
    unit = nutrient.unit
    note = f" Daily total from supplements: {amount_text(total)} {unit}."
    if age is not None and age < ADULT_AGE:
        note += " An adult limit is never applied to a child."
    return make_finding(
        knowledge.rules["limit-not-checked"],
        knowledge,
        {"nutrient": nutrient.name, "detail": detail, "entry": ""},
        (nutrient.name,),
        (),
        [s.trigger for s in known],
        note,
    )


def age_unknown_findings(case: ResolvedCase, knowledge: Knowledge) -> None:
    """With no age, say once that limits were checked as for an adult."""
    if case.facts.age is not None:
        return
    names = sorted(
        knowledge.nutrients[n].name
        for n, sources in case.nutrients.items()
        if any(s.daily is not None for s in sources)
        and n in knowledge.upper_limited_nutrients
    )
    if not names:
        return
    case.findings.append(
        make_finding(
            knowledge.rules["limit-age-unknown"],
            knowledge,
            {"nutrient": ", ".join(names), "detail": "", "entry": ""},
            tuple(names),
            (),
            [],
        )
    )


def dose_unknown_findings(case: ResolvedCase, knowledge: Knowledge) -> None:
    """Say which products were left out of dose checks, rather than skip them.

    One finding per answer: a multivitamin that may hold ten dose-checked
    nutrients is one thing to look up on the label, not ten.
    """
    rule = knowledge.rules["unrecognised-dose"]
    unknown: dict[tuple[str, str], list] = {}
    for nutrient_id in sorted(case.nutrients):
        if nutrient_id not in knowledge.dose_checked_nutrients:
            continue
        for source in case.nutrients[nutrient_id]:
            if source.daily is None:
                unknown.setdefault(source.trigger, []).append(source)
    for trigger, sources in unknown.items():
        names = [knowledge.nutrients[s.nutrient].name for s in sources]
        reasons = list(
            dict.fromkeys(s.unknown_reason for s in sources if s.unknown_reason)
        )
        detail = f" ({'; '.join(reasons)})" if reasons else ""
        wording = {"entry": trigger[1], "nutrient": _and(names), "detail": detail}
        case.findings.append(
            make_finding(rule, knowledge, wording, names, (), [trigger])
        )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
