"""Checks across entries, run once every table is read.

Each error names the file of the entry at fault, found again by its id, so the
message points where a clinician has to edit.
"""

from __future__ import annotations

from .entries import ENGINE_RULES, DrugClass, KnowledgeError, Rule
from .text import normalise


def _error(
    tables: dict, table: str, ident: str, problem: str, key: str = "id"
) -> KnowledgeError:
    """An error about one entry, naming the file that defines it."""
    file = next((f for f, e in tables.get(table, []) if e.get(key) == ident), "?")
    return KnowledgeError(file, f"{table} {ident}", problem)


def check_class_parents(tables: dict, classes: dict[str, DrugClass]) -> None:
    for cls in classes.values():
        for parent in cls.parents:
            if parent not in classes:
                raise _error(
                    tables, "class", cls.id, f"unknown parent class {parent!r}"
                )
        seen, stack = set(), list(cls.parents)
        while stack:
            current = stack.pop()
            if current == cls.id:
                raise _error(tables, "class", cls.id, "class parents form a loop")
            if current not in seen:
                seen.add(current)
                stack.extend(classes[current].parents)


def check_drug_refs(tables: dict, drugs: dict, classes: dict, nutrients: dict) -> None:
    for drug in drugs.values():
        for class_id in drug.classes:
            if class_id not in classes:
                raise _error(tables, "drug", drug.id, f"unknown class {class_id!r}")
        for nutrient_id in drug.nutrients:
            if nutrient_id not in nutrients:
                problem = f"unknown nutrient {nutrient_id!r}"
                raise _error(tables, "drug", drug.id, problem)


def check_nutrient_refs(tables: dict, nutrients: dict) -> None:
    for nutrient in nutrients.values():
        for contained in nutrient.contains:
            if contained not in nutrients:
                problem = f"`contains` names unknown nutrient {contained!r}"
                raise _error(tables, "nutrient", nutrient.id, problem)


def check_engine_rules(rules: dict[str, Rule]) -> None:
    for rule_id in ENGINE_RULES:
        if rule_id not in rules:
            raise KnowledgeError(
                "rules_unrecognised.toml",
                f"rule {rule_id}",
                "the engine needs this rule",
            )


def check_red_flags(tables: dict, rules: dict[str, Rule], symptoms: dict) -> None:
    covered = {s for r in rules.values() if r.kind == "red_flag" for s in r.symptoms}
    for rule in rules.values():
        if rule.kind == "red_flag":
            for key in rule.symptoms:
                if not symptoms[key].red_flag:
                    raise KnowledgeError(
                        rule.file, f"rule {rule.id}", f"symptom {key} is not a red flag"
                    )
    for symptom in symptoms.values():
        if symptom.red_flag and symptom.key not in covered:
            problem = "a red-flag symptom needs a red_flag rule"
            raise _error(tables, "symptom", symptom.key, problem, key="key")


def check_unique_names(tables: dict, table: str, entries: dict) -> None:
    """Two entries must not share a name, or matching would pick one at random."""
    owner: dict[str, str] = {}
    for ident, entry in entries.items():
        for term in entry.all_names:
            key = normalise(term)
            if not key:
                problem = "is empty once doses and dosing words are removed"
                raise _error(tables, table, ident, f"name {term!r} {problem}")
            if owner.setdefault(key, ident) != ident:
                problem = f"is also a name of {table} {owner[key]}"
                raise _error(tables, table, ident, f"name {term!r} {problem}")
