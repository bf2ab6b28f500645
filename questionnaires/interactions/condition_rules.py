"""Rules about the client's state: a nutrient with a condition or symptom
(condition), and symptoms that need a GP (red_flag)."""

from __future__ import annotations

from .case import ResolvedCase, present_nutrients
from .entries import Knowledge, Rule
from .finding import Finding, make_finding


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
        for key in rule.symptoms:
            score = case.facts.symptoms.get(key, 0)
            if score >= rule.min_score:
                symptom = key.replace("_", " ")
                names = {"nutrient": nutrient.name, "condition": "", "symptom": symptom}
                trigger = (f"symptoms.{key}", f"{_symptom_label(key)}: {score} of 3")
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
    findings = []
    for key in rule.symptoms:
        score = case.facts.symptoms.get(key, 0)
        if score >= rule.min_score:
            trigger = (f"symptoms.{key}", f"{_symptom_label(key)}: {score} of 3")
            names = {"symptom": key.replace("_", " ")}
            subjects = (key.replace("_", " "),)
            findings.append(
                make_finding(rule, knowledge, names, subjects, (), [trigger])
            )
    return findings


def _symptom_label(key: str) -> str:
    return key.replace("_", " ").capitalize()
