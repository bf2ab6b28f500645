"""Rules about the client's state: a nutrient with a condition or symptom
(condition), and symptoms that need a GP (red_flag)."""

from __future__ import annotations

from collections.abc import Iterator

from .entries import Knowledge, Rule
from .finding import Finding, make_finding
from .resolved_case import ResolvedCase, present_nutrients


def condition_findings(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge
) -> list[Finding]:
    findings = []
    for nutrient, triggers, note in present_nutrients(rule, case, knowledge):
        for condition_id in rule.conditions:
            if condition_id not in case.conditions:
                continue
            condition = knowledge.conditions[condition_id]
            names = {
                "nutrient": nutrient.name,
                "condition": condition.name,
                "symptom": "",
            }
            findings.append(
                make_finding(
                    rule,
                    knowledge,
                    names,
                    (nutrient.name, condition.name),
                    (),
                    triggers + case.conditions[condition_id],
                    note,
                )
            )
        for symptom, trigger in _scored_symptoms(rule, case):
            names = {"nutrient": nutrient.name, "condition": "", "symptom": symptom}
            findings.append(
                make_finding(
                    rule,
                    knowledge,
                    names,
                    (nutrient.name, symptom),
                    (),
                    [*triggers, trigger],
                    note,
                )
            )
    return findings


def red_flag_findings(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge
) -> list[Finding]:
    """A scored symptom, or the same symptom in the client's own words."""
    triggers: dict[str, list[tuple[str, str]]] = {}
    for symptom, trigger in _scored_symptoms(rule, case):
        triggers.setdefault(symptom, []).append(trigger)
    for key in rule.symptoms:
        for trigger in case.flag_texts.get(key, ()):
            triggers.setdefault(key.replace("_", " "), []).append(trigger)
    return [
        make_finding(rule, knowledge, {"symptom": symptom}, (symptom,), (), found)
        for symptom, found in triggers.items()
    ]


def _scored_symptoms(
    rule: Rule, case: ResolvedCase
) -> Iterator[tuple[str, tuple[str, str]]]:
    """The rule's symptoms scored at least its minimum, with the answer behind each."""
    for key in rule.symptoms:
        score = case.facts.symptoms.get(key, 0)
        if score >= rule.min_score:
            symptom = key.replace("_", " ")
            yield symptom, (f"symptoms.{key}", f"{symptom.capitalize()}: {score} of 3")
