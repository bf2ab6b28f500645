"""Index the rules by what makes them fire, so the engine only asks the few that can.

A rule that names a drug class is indexed under every drug in the class. The sets
the engine asks of every case (the drugs a rule names, directly or by class; the
nutrients checked by amount) are worked out here, once per load, not per case.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .entries import Drug, Rule


def indexes(rules: dict[str, Rule], drugs: dict[str, Drug]) -> dict[str, object]:
    by_drug: dict[str, list[Rule]] = {}
    by_nutrient: dict[str, list[Rule]] = {}
    by_condition: dict[str, list[Rule]] = {}
    by_symptom: dict[str, list[Rule]] = {}
    by_lifestyle: dict[str, list[Rule]] = {}
    drugs_by_class: dict[str, list[str]] = {}
    drugs_by_rule: dict[str, frozenset[str]] = {}
    for drug in drugs.values():
        for class_id in drug.classes:
            drugs_by_class.setdefault(class_id, []).append(drug.id)
    for rule in rules.values():
        drug_ids = set(rule.drugs)
        for class_id in rule.classes:
            drug_ids.update(drugs_by_class.get(class_id, ()))
        drugs_by_rule[rule.id] = frozenset(drug_ids)
        for drug_id in drug_ids:
            by_drug.setdefault(drug_id, []).append(rule)
        for nutrient_id in {*rule.nutrients, *rule.with_nutrients, *rule.by_nutrients}:
            by_nutrient.setdefault(nutrient_id, []).append(rule)
        for condition_id in rule.conditions:
            by_condition.setdefault(condition_id, []).append(rule)
        for key in rule.symptoms:
            by_symptom.setdefault(key, []).append(rule)
        if rule.lifestyle:
            by_lifestyle.setdefault(rule.lifestyle, []).append(rule)

    # Nutrients some rule checks by amount: an unknown dose of them is worth a word.
    dose_checked = frozenset(
        n
        for r in rules.values()
        if r.kind == "upper_limit"
        or r.min_daily is not None
        or r.above_daily is not None
        for n in (*r.nutrients, *r.by_nutrients)
    )
    with_upper_limit = frozenset(
        n
        for r in rules.values()
        if r.kind == "upper_limit"
        for n in (*r.nutrients, *r.with_nutrients, *r.by_nutrients)
    )

    def freeze(index: dict[str, list[Rule]]) -> Mapping[str, tuple[Rule, ...]]:
        return MappingProxyType({k: tuple(v) for k, v in sorted(index.items())})

    return {
        "rules_by_drug": freeze(by_drug),
        "rules_by_nutrient": freeze(by_nutrient),
        "rules_by_condition": freeze(by_condition),
        "rules_by_symptom": freeze(by_symptom),
        "rules_by_lifestyle": freeze(by_lifestyle),
        "drugs_by_rule": MappingProxyType(drugs_by_rule),
        "dose_checked_nutrients": dose_checked,
        "upper_limited_nutrients": with_upper_limit,
    }
