"""Load, validate and index the knowledge base in knowledge/*.toml.

The knowledge base is reviewed like code, so a mistake in it must stop the app with
a message a clinician can act on: every error names the file, the entry and the
problem. Loading also builds the indexes the engine needs to stay fast (rules by
drug, nutrient, condition and symptom). The version is a hash of the files' bytes,
so a finding can say exactly which knowledge produced it.

The work is split by job: entries.py holds the dataclasses, fields.py,
parse_entries.py and parse_rules.py read single entries, crosschecks.py checks
them against each other and indexes.py builds the lookups. This module reads the
files and puts them together; it also re-exports the public names, so callers
import everything about the knowledge base from here.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import crosschecks
from .entries import (
    BODY_SYSTEMS,
    ENGINE_RULES,
    EVIDENCE_LEVELS,
    KINDS,
    LIFESTYLES,
    LIMIT_SETS,
    NUTRIENT_UNITS,
    SEVERITIES,
    Condition,
    Drug,
    DrugClass,
    Form,
    Knowledge,
    KnowledgeError,
    Limit,
    Nutrient,
    Rule,
    Source,
    Symptom,
)
from .fields import Problem
from .indexes import indexes
from .parse_entries import (
    read_condition,
    read_drug,
    read_drug_class,
    read_nutrient,
    read_source,
    read_symptom,
)
from .parse_products import read_product, read_red_flag_text
from .parse_rules import Refs, read_rule

__all__ = [
    "BODY_SYSTEMS",
    "ENGINE_RULES",
    "EVIDENCE_LEVELS",
    "KINDS",
    "KNOWLEDGE_DIR",
    "LIFESTYLES",
    "LIMIT_SETS",
    "NUTRIENT_UNITS",
    "SEVERITIES",
    "Condition",
    "Drug",
    "DrugClass",
    "Form",
    "Knowledge",
    "KnowledgeError",
    "Limit",
    "Nutrient",
    "Rule",
    "Source",
    "Symptom",
    "load",
    "load_uncached",
]

KNOWLEDGE_DIR = Path(__file__).with_name("knowledge")
_TABLES = {
    "source",
    "class",
    "drug",
    "nutrient",
    "condition",
    "symptom",
    "rule",
    "product",
    "red_flag_text",
}


def load(directory: Path | str = KNOWLEDGE_DIR) -> Knowledge:
    """Load and validate the knowledge base once per process (it is read-only)."""
    # One key however the folder is named: load() and load(KNOWLEDGE_DIR) share
    # one Knowledge, and so one matcher and its cache (matching.matcher_for).
    return _load_once(Path(directory).resolve())


@functools.lru_cache(maxsize=4)
def _load_once(directory: Path) -> Knowledge:
    return load_uncached(directory)


def load_uncached(directory: Path) -> Knowledge:
    """Load and validate every *.toml file in `directory`."""
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise KnowledgeError(str(directory), "-", "no knowledge files (*.toml) found")
    digest = hashlib.sha256()
    tables: dict[str, list[tuple[str, dict]]] = {}
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise KnowledgeError(path.name, "-", f"not valid TOML: {error}") from error
        for table, entries in data.items():
            if table not in _TABLES:
                allowed = ", ".join(sorted(_TABLES))
                raise KnowledgeError(
                    path.name, table, f"unknown table; expected one of {allowed}"
                )
            if not isinstance(entries, list):
                raise KnowledgeError(path.name, table, f"write entries as [[{table}]]")
            tables.setdefault(table, []).extend((path.name, e) for e in entries)
    return _build(tables, digest.hexdigest()[:12])


def _build(tables: dict[str, list[tuple[str, dict]]], version: str) -> Knowledge:
    sources = _collect(tables, "source", read_source)
    classes = _collect(tables, "class", read_drug_class)
    nutrients = _collect(tables, "nutrient", read_nutrient)
    conditions = _collect(tables, "condition", read_condition)
    symptoms = _collect(tables, "symptom", read_symptom, key="key")
    raw_drugs = _collect(tables, "drug", read_drug)
    refs = Refs(sources, classes, nutrients, conditions, symptoms, raw_drugs)
    rules = _collect(tables, "rule", lambda f, e: read_rule(f, e, refs))
    products = _collect(tables, "product", lambda f, e: read_product(f, e, refs))
    red_flag_texts = _collect(
        tables,
        "red_flag_text",
        lambda f, e: read_red_flag_text(f, e, symptoms),
        key="symptom",
    )

    crosschecks.check_class_parents(tables, classes)
    drugs = {d.id: _with_inherited_classes(d, classes) for d in raw_drugs.values()}
    crosschecks.check_drug_refs(tables, drugs, classes, nutrients)
    crosschecks.check_nutrient_refs(tables, nutrients)
    crosschecks.check_engine_rules(rules)
    crosschecks.check_red_flags(tables, rules, symptoms)
    crosschecks.check_unique_names(tables, "drug", drugs)
    crosschecks.check_unique_names(tables, "nutrient", nutrients)
    crosschecks.check_unique_names(tables, "condition", conditions)
    crosschecks.check_unique_names(tables, "product", products)

    return Knowledge(
        version=version,
        sources=_frozen(sources),
        classes=_frozen(classes),
        drugs=_frozen(drugs),
        nutrients=_frozen(nutrients),
        conditions=_frozen(conditions),
        symptoms=_frozen(symptoms),
        rules=_frozen(rules),
        **indexes(rules, drugs),
        products=_frozen(products),
        red_flag_texts=tuple(red_flag_texts[k] for k in sorted(red_flag_texts)),
    )


def _frozen(mapping: dict) -> Mapping:
    return MappingProxyType(dict(sorted(mapping.items())))


def _collect(tables: dict, table: str, build, key: str = "id") -> dict:
    found: dict[str, Any] = {}
    for file, entry in tables.get(table, []):
        if not isinstance(entry, dict):
            raise KnowledgeError(file, table, "each entry must be a table")
        ident = entry.get(key)
        if not isinstance(ident, str) or not ident.strip():
            raise KnowledgeError(file, f"{table} (no {key})", f"`{key}` is required")
        where = f"{table} {ident}"
        if ident in found:
            raise KnowledgeError(file, where, f"duplicate {key}")
        try:
            found[ident] = build(file, entry)
        except Problem as problem:
            raise KnowledgeError(file, where, str(problem)) from None
    return found


def _with_inherited_classes(drug: Drug, classes: dict[str, DrugClass]) -> Drug:
    found: set[str] = set()
    stack = [c for c in drug.classes if c in classes]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(classes[current].parents)
    unknown = [c for c in drug.classes if c not in classes]
    return dataclasses.replace(drug, classes=tuple(sorted(found)) + tuple(unknown))
