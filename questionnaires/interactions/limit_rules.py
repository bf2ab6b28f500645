"""Rules about daily totals: upper limits, and products whose dose is not known."""

from __future__ import annotations

from .case import ResolvedCase
from .entries import Knowledge, Limit, Rule
from .finding import Finding, amount_text, make_finding


def upper_limit_findings(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge, limits: str
) -> list[Finding]:
    nutrient = knowledge.nutrients[rule.nutrients[0]]
    counted = [
        s
        for s in case.nutrients.get(nutrient.id, [])
        if s.daily is not None and s.counts_toward_limit
    ]
    if not counted:
        return []
    limit, fallback = _choose_limit(rule, limits, case.facts.age)
    if limit is None:
        return []
    total = sum(s.daily for s in counted)
    if total <= limit.amount:
        return []
    unit = nutrient.unit
    lines = "; ".join(f"{s.trigger[1]}: {amount_text(s.daily)} {unit}" for s in counted)
    used = f"{limit.label}, {amount_text(limit.amount)} {unit} a day ({limit.evidence})"
    if fallback:
        used += "; the UK set has no value for this nutrient, so the EU limit is used"
    note = (
        f" Total {nutrient.name}: {amount_text(total)} {unit} a day ({lines})."
        f" Limit used: {used}."
    )
    missing = [s for s in case.nutrients.get(nutrient.id, []) if s.daily is None]
    if missing:
        labels = "; ".join(s.trigger[1] for s in missing)
        note += f" Not counted (dose not known): {labels}."
    finding = make_finding(
        rule,
        knowledge,
        {"nutrient": nutrient.name},
        (nutrient.name,),
        (),
        [s.trigger for s in counted],
        note,
    )
    return [
        Finding(
            **{
                **finding.__dict__,
                "sources": limit.sources,
                "evidence": f"{limit.evidence}: limit used: {limit.label}",
            }
        )
    ]


def _choose_limit(
    rule: Rule, chosen: str, age: int | None
) -> tuple[Limit | None, bool]:
    limits = rule.limits.get(chosen, ())
    fallback = False
    if not limits and chosen == "uk":
        limits, fallback = rule.limits.get("eu", ()), True
    applicable = [limit for limit in limits if limit.applies_to(age)]
    if not applicable:
        return None, False
    # With the age unknown several may apply: the lowest is the safe choice.
    return min(applicable, key=lambda limit: (limit.amount, limit.label)), fallback


def dose_unknown_findings(case: ResolvedCase, knowledge: Knowledge) -> None:
    """Say which products were left out of dose checks, rather than skip them.

    One finding per answer: a multivitamin that may hold ten dose-checked
    nutrients is one thing to look up on the label, not ten.
    """
    dose_checked = {
        n
        for r in knowledge.rules.values()
        if r.kind == "upper_limit" or r.min_daily is not None
        for n in (*r.nutrients, *r.by_nutrients)
    }
    rule = knowledge.rules["unrecognised-dose"]
    unknown: dict[tuple[str, str], list] = {}
    for nutrient_id in sorted(case.nutrients):
        if nutrient_id not in dose_checked:
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
