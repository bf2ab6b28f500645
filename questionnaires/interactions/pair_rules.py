"""Rules about pairs: a nutrient with a drug or another nutrient (interaction),
and a drug, nutrient or alcohol that lowers a nutrient (depletion)."""

from __future__ import annotations

from .entries import Knowledge, Rule
from .finding import Finding, amount_text, make_finding
from .resolved_case import (
    ResolvedCase,
    matching_drugs,
    present_nutrients,
    threshold_met,
)


def interaction_findings(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge
) -> list[Finding]:
    findings = []
    for nutrient, nutrient_triggers, note in present_nutrients(rule, case, knowledge):
        nutrient_id = nutrient.id
        nutrient_refs = {ref for ref, _ in nutrient_triggers}
        for drug_id in matching_drugs(rule, case, knowledge):
            if nutrient_refs <= {ref for ref, _ in case.drugs[drug_id]}:
                # The medicine is the only source (alfacalcidol's vitamin D).
                continue
            # A spacing rule is about two things swallowed together; a medicine
            # given by injection or infusion (zoledronic acid) cannot be spaced.
            swallowed_only = rule.spacing_hours is not None
            drug_triggers = case.drug_triggers(drug_id, swallowed_only)
            if not drug_triggers:
                continue
            drug = knowledge.drugs[drug_id]
            names = {"drug": drug.name, "nutrient": nutrient.name, "with": ""}
            findings.append(
                make_finding(
                    rule,
                    knowledge,
                    names,
                    (nutrient.name, drug.name),
                    knowledge.class_names(drug.classes),
                    nutrient_triggers + drug_triggers,
                    note,
                )
            )
        for other_id in rule.with_nutrients:
            other_sources = case.nutrients.get(other_id, [])
            if other_id == nutrient_id or not other_sources:
                continue
            other_triggers = [s.trigger for s in other_sources]
            if len({ref for ref, _ in nutrient_triggers + other_triggers}) == 1:
                # Both inside one product (a multivitamin): they cannot be spaced.
                continue
            other = knowledge.nutrients[other_id]
            names = {"drug": "", "nutrient": nutrient.name, "with": other.name}
            findings.append(
                make_finding(
                    rule,
                    knowledge,
                    names,
                    (nutrient.name, other.name),
                    (),
                    nutrient_triggers + other_triggers,
                    note,
                )
            )
    return findings


def depletion_findings(
    rule: Rule, case: ResolvedCase, knowledge: Knowledge
) -> list[Finding]:
    depleted = [knowledge.nutrients[n].name for n in rule.nutrients]
    nutrient_text = " and ".join(depleted)
    findings = []
    for drug_id in matching_drugs(rule, case, knowledge):
        drug = knowledge.drugs[drug_id]
        names = {"drug": drug.name, "nutrient": nutrient_text}
        findings.append(
            make_finding(
                rule,
                knowledge,
                names,
                (*depleted, drug.name),
                knowledge.class_names(drug.classes),
                case.drugs[drug_id],
            )
        )
    for cause_id in rule.by_nutrients:
        sources = case.nutrients.get(cause_id, [])
        cause = knowledge.nutrients[cause_id]
        met, note = threshold_met(rule, sources, cause.unit)
        if sources and met:
            names = {"drug": cause.name, "nutrient": nutrient_text}
            findings.append(
                make_finding(
                    rule,
                    knowledge,
                    names,
                    (*depleted, cause.name),
                    (),
                    [s.trigger for s in sources],
                    note,
                )
            )
    units = case.facts.alcohol_units_per_week
    threshold = rule.min_alcohol_units
    over = units is not None and threshold is not None and units > threshold
    if rule.lifestyle == "alcohol" and over:
        trigger = (
            "alcohol_units_per_week",
            f"Alcohol: {amount_text(units)} units a week",
        )
        names = {"drug": "alcohol", "nutrient": nutrient_text}
        findings.append(
            make_finding(rule, knowledge, names, (*depleted, "alcohol"), (), [trigger])
        )
    return findings
