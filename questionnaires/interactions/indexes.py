"""Index the rules by what makes them fire, so the engine only asks the few that can.

A rule that names a drug class is indexed under every drug in the class.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .entries import Drug, Rule


def indexes(rules: dict[str, Rule], drugs: dict[str, Drug]) -> dict[str, Mapping]:
    by_drug: dict[str, list[Rule]] = {}
    by_nutrient: dict[str, list[Rule]] = {}
    by_condition: dict[str, list[Rule]] = {}
    by_symptom: dict[str, list[Rule]] = {}
    by_lifestyle: dict[str, list[Rule]] = {}
    drugs_by_class: dict[str, list[str]] = {}
    for drug in drugs.values():
        for class_id in drug.classes:
            drugs_by_class.setdefault(class_id, []).append(drug.id)
    for rule in rules.values():
        drug_ids = set(rule.drugs)
        for class_id in rule.classes:
            drug_ids.update(drugs_by_class.get(class_id, ()))
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

    def freeze(index: dict[str, list[Rule]]) -> Mapping[str, tuple[Rule, ...]]:
        return MappingProxyType({k: tuple(v) for k, v in sorted(index.items())})

    return {
        "rules_by_drug": freeze(by_drug),
        "rules_by_nutrient": freeze(by_nutrient),
        "rules_by_condition": freeze(by_condition),
        "rules_by_symptom": freeze(by_symptom),
        "rules_by_lifestyle": freeze(by_lifestyle),
    }
