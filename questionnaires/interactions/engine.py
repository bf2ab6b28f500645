"""CaseFacts + Knowledge -> sorted Findings. Pure and deterministic.

The engine first resolves what the client told us (which drugs, which nutrients in
what daily amounts, which conditions, which symptom scores), then asks only the rules
indexed under those subjects. Anything it cannot resolve becomes a finding itself,
so a practitioner never mistakes "nothing found" for "nothing checked".

resolving.py does the first step; pair_rules.py, condition_rules.py and
limit_rules.py evaluate the rules of each kind; finding.py defines Finding, which
this module re-exports with Source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .condition_rules import condition_findings, red_flag_findings
from .entries import LIMIT_SETS, SEVERITIES, Knowledge, Rule, Source
from .facts import CaseFacts
from .finding import Finding
from .limit_rules import (
    age_unknown_findings,
    dose_unknown_findings,
    upper_limit_findings,
)
from .matching import matcher_for
from .pair_rules import depletion_findings, interaction_findings
from .resolved_case import ResolvedCase
from .resolving import resolve
from .routes import apply_routes
from .understood import Understood

__all__ = ["LIMIT_SETS", "Check", "Finding", "Source", "check", "run"]

_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Check:
    """Findings, most severe first, and what each answer was understood as."""

    findings: list[Finding]
    entries: list[Understood]


def run(facts: CaseFacts, knowledge: Knowledge, limits: str = "uk") -> list[Finding]:
    """Check one client's facts; return findings, most severe first."""
    return check(facts, knowledge, limits).findings


def check(facts: CaseFacts, knowledge: Knowledge, limits: str = "uk") -> Check:
    """Check one client's facts; keep what each entry was matched to as well."""
    if limits not in LIMIT_SETS:
        raise ValueError(f"limits must be one of {', '.join(LIMIT_SETS)}")
    case = resolve(facts, knowledge, matcher_for(knowledge))
    apply_routes(case, knowledge)
    for rule in _candidate_rules(case, knowledge):
        case.findings.extend(_evaluate(rule, case, knowledge, limits))
    dose_unknown_findings(case, knowledge)
    age_unknown_findings(case, knowledge)
    unique = {f.key: f for f in case.findings}
    findings = sorted(
        unique.values(), key=lambda f: (_SEVERITY_RANK[f.severity], f.key)
    )
    return Check(findings, case.entries)


def _candidate_rules(case: ResolvedCase, knowledge: Knowledge) -> list[Rule]:
    """Only the rules indexed under something present, each once, in id order."""
    found: dict[str, Rule] = {}
    indexes: list[tuple[Mapping[str, tuple[Rule, ...]], Iterable[str]]] = [
        (knowledge.rules_by_drug, case.drugs),
        (knowledge.rules_by_nutrient, case.nutrients),
        (knowledge.rules_by_condition, case.conditions),
        (knowledge.rules_by_symptom, (k for k, v in case.facts.symptoms.items() if v)),
        (knowledge.rules_by_symptom, case.flag_texts),
    ]
    if case.facts.alcohol_units_per_week is not None:
        indexes.append((knowledge.rules_by_lifestyle, ("alcohol",)))
    for index, keys in indexes:
        for key in keys:
            for rule in index.get(key, ()):
                found[rule.id] = rule
    return [found[rule_id] for rule_id in sorted(found)]


def _evaluate(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge, limits: str
) -> list[Finding]:
    try:
        evaluate = _EVALUATORS[rule.kind]
    except KeyError:
        # A kind with no evaluator would otherwise check nothing, silently.
        raise ValueError(f"rule {rule.id}: no evaluator for {rule.kind!r}") from None
    return evaluate(rule, case, knowledge, limits)


def _not_indexed(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge, limits: str
) -> list[Finding]:
    """Unrecognised rules name no subject, so they are never candidates: the engine
    raises them itself for what it could not read or check."""
    return []


Evaluate = Callable[[Rule, ResolvedCase, Knowledge, str], list[Finding]]
# One evaluator for each of entries.KINDS (a test checks that none is missing).
_EVALUATORS: dict[str, Evaluate] = {
    "interaction": lambda rule, case, kb, _: interaction_findings(rule, case, kb),
    "depletion": lambda rule, case, kb, _: depletion_findings(rule, case, kb),
    "condition": lambda rule, case, kb, _: condition_findings(rule, case, kb),
    "red_flag": lambda rule, case, kb, _: red_flag_findings(rule, case, kb),
    "upper_limit": upper_limit_findings,
    "unrecognised": _not_indexed,
}
