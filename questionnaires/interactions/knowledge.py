"""Load, validate and index the knowledge base in knowledge/*.toml.

The knowledge base is reviewed like code, so a mistake in it must stop the app with
a message a clinician can act on: every error names the file, the entry and the
problem. Loading also builds the indexes the engine needs to stay fast (rules by
drug, nutrient, condition and symptom). The version is a hash of the files' bytes,
so a finding can say exactly which knowledge produced it.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .text import normalise

KNOWLEDGE_DIR = Path(__file__).with_name("knowledge")

KINDS = (
    "interaction",
    "depletion",
    "upper_limit",
    "condition",
    "red_flag",
    "unrecognised",
)
SEVERITIES = ("refer", "major", "moderate", "minor", "info")
EVIDENCE_LEVELS = ("V1", "V2", "C", "U")
LIMIT_SETS = ("uk", "eu", "us")
NUTRIENT_UNITS = ("mg", "mcg")
LIFESTYLES = ("alcohol",)
BODY_SYSTEMS = (
    "energy",
    "sleep",
    "mood and mind",
    "head",
    "muscles and joints",
    "digestion",
    "skin",
    "heart and circulation",
    "hormones and periods",
    "urinary",
)
# Rules the engine raises itself; the knowledge base must define their wording.
ENGINE_RULES = (
    "unrecognised-medication",
    "unrecognised-supplement",
    "unrecognised-condition",
    "unrecognised-dose",
)
_ATC = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")
_FULL_ATC = re.compile(r"^[A-Z]\d{2}[A-Z]{2}(\d{2})?$")
_PLACEHOLDERS = {
    "interaction": {"drug", "nutrient", "with"},
    "depletion": {"drug", "nutrient"},
    "upper_limit": {"nutrient"},
    "condition": {"nutrient", "condition", "symptom"},
    "red_flag": {"symptom"},
    "unrecognised": {"entry", "detail", "nutrient"},
}


class KnowledgeError(ValueError):
    """A knowledge file that cannot be used; names the file, entry and problem."""

    def __init__(self, file: str, entry: str, problem: str) -> None:
        super().__init__(f"{file}: {entry}: {problem}")
        self.file = file
        self.entry = entry
        self.problem = problem


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str = ""
    where: str = ""


@dataclass(frozen=True)
class DrugClass:
    id: str
    name: str
    atc: tuple[str, ...]
    parents: tuple[str, ...] = ()
    ver: str = "U"


@dataclass(frozen=True)
class Drug:
    id: str
    name: str
    atc: str
    atc_ver: str
    classes: tuple[str, ...]  # direct and inherited class ids, sorted
    brands: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()
    nutrients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    id: str
    names: tuple[str, ...]
    formula: str = ""
    fraction: float | None = None
    ver: str = ""
    counts_toward_limit: bool = True
    note: str = ""


@dataclass(frozen=True)
class Nutrient:
    id: str
    name: str
    kind: str
    unit: str
    aliases: tuple[str, ...]
    forms: tuple[Form, ...] = ()
    iu: float | None = None  # `unit` per IU
    contains: tuple[str, ...] = ()
    note: str = ""

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class Symptom:
    key: str
    system: str
    question: str
    red_flag: bool = False


@dataclass(frozen=True)
class Limit:
    set: str
    amount: float
    label: str
    evidence: str
    sources: tuple[Source, ...]
    min_age: int | None = None
    max_age: int | None = None

    def applies_to(self, age: int | None) -> bool:
        if age is None:
            return True
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age > self.max_age)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    severity: str
    title: str
    mechanism: str
    action: str
    evidence: str
    sources: tuple[Source, ...]
    file: str = ""
    evidence_note: str = ""
    spacing_hours: float | None = None
    nutrients: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    drugs: tuple[str, ...] = ()
    classes: tuple[str, ...] = ()
    with_nutrients: tuple[str, ...] = ()
    by_nutrients: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    min_score: int = 1
    min_daily: float | None = None
    lifestyle: str = ""
    min_alcohol_units: float | None = None
    limits: Mapping[str, tuple[Limit, ...]] = field(default_factory=dict)

    @property
    def evidence_text(self) -> str:
        return (
            f"{self.evidence}: {self.evidence_note}"
            if self.evidence_note
            else self.evidence
        )


@dataclass(frozen=True)
class Knowledge:
    version: str
    sources: Mapping[str, Source]
    classes: Mapping[str, DrugClass]
    drugs: Mapping[str, Drug]
    nutrients: Mapping[str, Nutrient]
    conditions: Mapping[str, Condition]
    symptoms: Mapping[str, Symptom]
    rules: Mapping[str, Rule]
    # Indexes: which rules could fire for a drug, nutrient, condition or symptom.
    rules_by_drug: Mapping[str, tuple[Rule, ...]]
    rules_by_nutrient: Mapping[str, tuple[Rule, ...]]
    rules_by_condition: Mapping[str, tuple[Rule, ...]]
    rules_by_symptom: Mapping[str, tuple[Rule, ...]]
    rules_by_lifestyle: Mapping[str, tuple[Rule, ...]]

    def class_names(self, class_ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.classes[c].name for c in class_ids)


# --- loading ------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def load(directory: Path | str = KNOWLEDGE_DIR) -> Knowledge:
    """Load and validate the knowledge base once per process (it is read-only)."""
    return load_uncached(Path(directory))


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
            if table not in _BUILDERS:
                allowed = ", ".join(sorted(_BUILDERS))
                raise KnowledgeError(
                    path.name, table, f"unknown table; expected one of {allowed}"
                )
            if not isinstance(entries, list):
                raise KnowledgeError(path.name, table, f"write entries as [[{table}]]")
            tables.setdefault(table, []).extend((path.name, e) for e in entries)
    return _build(tables, digest.hexdigest()[:12])


def _build(tables: dict[str, list[tuple[str, dict]]], version: str) -> Knowledge:
    sources = _collect(tables, "source", _source)
    classes = _collect(tables, "class", _drug_class)
    nutrients = _collect(tables, "nutrient", _nutrient)
    conditions = _collect(tables, "condition", _condition)
    symptoms = _collect(tables, "symptom", _symptom, key="key")
    raw_drugs = _collect(tables, "drug", _drug)
    refs = _Refs(sources, classes, nutrients, conditions, symptoms, raw_drugs)
    rules = _collect(tables, "rule", lambda f, e: _rule(f, e, refs))

    _check_class_parents(tables, classes)
    drugs = {d.id: _with_inherited_classes(d, classes) for d in raw_drugs.values()}
    _check_drug_refs(tables, drugs, classes, nutrients)
    _check_nutrient_refs(tables, nutrients)
    _check_engine_rules(rules)
    _check_red_flags(tables, rules, symptoms)
    _check_unique_names(tables, "drug", drugs, _drug_terms)
    _check_unique_names(tables, "nutrient", nutrients, lambda n: (n.name, *n.aliases))
    _check_unique_names(
        tables, "condition", conditions, lambda c: (c.name, *c.synonyms)
    )

    return Knowledge(
        version=version,
        sources=_frozen(sources),
        classes=_frozen(classes),
        drugs=_frozen(drugs),
        nutrients=_frozen(nutrients),
        conditions=_frozen(conditions),
        symptoms=_frozen(symptoms),
        rules=_frozen(rules),
        **_indexes(rules, drugs),
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
        except _Problem as problem:
            raise KnowledgeError(file, where, str(problem)) from None
    return found


class _Problem(ValueError):
    """A problem in one entry; _collect adds the file and entry name."""


# --- field readers -------------------------------------------------------------


def _check_fields(entry: dict, allowed: set[str]) -> None:
    for name in entry:
        if name not in allowed:
            raise _Problem(f"unknown field `{name}`")


def _str(entry: dict, name: str, required: bool = True) -> str:
    value = entry.get(name)
    if value is None:
        if required:
            raise _Problem(f"`{name}` is required")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Problem(f"`{name}` must be non-empty text")
    return value.strip()


def _str_list(entry: dict, name: str, required: bool = False) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.strip() for v in value
    ):
        raise _Problem(f"`{name}` must be a list of non-empty text")
    if required and not value:
        raise _Problem(f"`{name}` must list at least one item")
    return tuple(v.strip() for v in value)


def _number(entry: dict, name: str, required: bool = False) -> float | None:
    value = entry.get(name)
    if value is None:
        if required:
            raise _Problem(f"`{name}` is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _Problem(f"`{name}` must be a number, zero or more")
    return float(value)


def _choice(entry: dict, name: str, choices: tuple[str, ...], default: str = "") -> str:
    value = entry.get(name, default)
    if value not in choices:
        raise _Problem(f"`{name}` must be one of {', '.join(choices)} (got {value!r})")
    return value


# --- entries ------------------------------------------------------------------


def _source(file: str, entry: dict) -> Source:
    _check_fields(entry, {"id", "title", "url", "where"})
    url = _str(entry, "url", required=False)
    if url and not url.startswith("https://"):
        raise _Problem("`url` must start with https://")
    return Source(
        id=entry["id"],
        title=_str(entry, "title"),
        url=url,
        where=_str(entry, "where", required=False),
    )


def _drug_class(file: str, entry: dict) -> DrugClass:
    _check_fields(entry, {"id", "name", "atc", "parents", "ver"})
    atc = _str_list(entry, "atc", required=True)
    for code in atc:
        if not _ATC.match(code):
            raise _Problem(f"`atc` {code!r} is not an ATC code")
    return DrugClass(
        id=entry["id"],
        name=_lower_name(entry),
        atc=atc,
        parents=_str_list(entry, "parents"),
        ver=_choice(entry, "ver", EVIDENCE_LEVELS, default="U"),
    )


def _lower_name(entry: dict) -> str:
    name = _str(entry, "name")
    if name != name.lower():
        raise _Problem("`name` must be lower case (it is shown as the canonical name)")
    return name


def _drug(file: str, entry: dict) -> Drug:
    _check_fields(
        entry,
        {
            "id",
            "name",
            "atc",
            "atc_ver",
            "classes",
            "brands",
            "aliases",
            "misspellings",
            "nutrients",
        },
    )
    atc = _str(entry, "atc")
    if not _FULL_ATC.match(atc):
        raise _Problem(f"`atc` {atc!r} is not a WHO ATC substance or group code")
    return Drug(
        id=entry["id"],
        name=_lower_name(entry),
        atc=atc,
        atc_ver=_choice(entry, "atc_ver", EVIDENCE_LEVELS, default="U"),
        classes=_str_list(entry, "classes"),
        brands=_str_list(entry, "brands"),
        aliases=_str_list(entry, "aliases"),
        misspellings=_str_list(entry, "misspellings"),
        nutrients=_str_list(entry, "nutrients"),
    )


def _form(entry: Any) -> Form:
    if not isinstance(entry, dict) or "id" not in entry:
        raise _Problem("each [[nutrient.forms]] needs an `id`")
    _check_fields(
        entry,
        {"id", "names", "formula", "fraction", "ver", "counts_toward_limit", "note"},
    )
    fraction = _number(entry, "fraction")
    if fraction is not None and not 0 < fraction <= 1:
        raise _Problem(f"form {entry['id']}: `fraction` must be above 0 and at most 1")
    counts = entry.get("counts_toward_limit", True)
    if not isinstance(counts, bool):
        raise _Problem(
            f"form {entry['id']}: `counts_toward_limit` must be true or false"
        )
    return Form(
        id=entry["id"],
        names=_str_list(entry, "names", required=True),
        formula=_str(entry, "formula", required=False),
        fraction=fraction,
        ver=_str(entry, "ver", required=False),
        counts_toward_limit=counts,
        note=_str(entry, "note", required=False),
    )


def _nutrient(file: str, entry: dict) -> Nutrient:
    _check_fields(
        entry,
        {
            "id",
            "name",
            "kind",
            "unit",
            "aliases",
            "forms",
            "iu",
            "iu_sources",
            "iu_ver",
            "contains",
            "note",
            "sources",
        },
    )
    forms = tuple(_form(f) for f in entry.get("forms", []))
    if len({f.id for f in forms}) != len(forms):
        raise _Problem("two forms share an id")
    iu = _number(entry, "iu")
    if iu is not None and not _str_list(entry, "iu_sources"):
        raise _Problem("`iu` needs `iu_sources`: a conversion must be cited")
    return Nutrient(
        id=entry["id"],
        name=_lower_name(entry),
        kind=_str(entry, "kind"),
        unit=_choice(entry, "unit", NUTRIENT_UNITS),
        aliases=_str_list(entry, "aliases", required=True),
        forms=forms,
        iu=iu,
        contains=_str_list(entry, "contains"),
        note=_str(entry, "note", required=False),
    )


def _condition(file: str, entry: dict) -> Condition:
    _check_fields(entry, {"id", "name", "synonyms"})
    return Condition(
        id=entry["id"],
        name=_str(entry, "name"),
        synonyms=_str_list(entry, "synonyms", required=True),
    )


def _symptom(file: str, entry: dict) -> Symptom:
    _check_fields(entry, {"key", "system", "question", "red_flag"})
    red_flag = entry.get("red_flag", False)
    if not isinstance(red_flag, bool):
        raise _Problem("`red_flag` must be true or false")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", entry["key"]):
        raise _Problem("`key` must be lower case letters, digits and underscores")
    return Symptom(
        key=entry["key"],
        system=_choice(entry, "system", BODY_SYSTEMS),
        question=_str(entry, "question"),
        red_flag=red_flag,
    )


@dataclass(frozen=True)
class _Refs:
    sources: dict
    classes: dict
    nutrients: dict
    conditions: dict
    symptoms: dict
    drugs: dict


_RULE_FIELDS = {
    "id",
    "kind",
    "severity",
    "title",
    "mechanism",
    "action",
    "evidence",
    "evidence_note",
    "sources",
    "spacing_hours",
    "nutrients",
    "forms",
    "drugs",
    "classes",
    "with_nutrients",
    "by_nutrients",
    "conditions",
    "symptoms",
    "min_score",
    "min_daily",
    "lifestyle",
    "min_alcohol_units",
    "limits",
}


def _rule(file: str, entry: dict, refs: _Refs) -> Rule:
    _check_fields(entry, _RULE_FIELDS)
    kind = _choice(entry, "kind", KINDS)
    sources = _str_list(entry, "sources")
    if not sources:
        raise _Problem("`sources` must cite at least one source")
    min_score = entry.get("min_score", 1)
    if isinstance(min_score, bool) or min_score not in (1, 2, 3):
        raise _Problem("`min_score` must be 1, 2 or 3")
    rule = Rule(
        id=entry["id"],
        kind=kind,
        severity=_choice(entry, "severity", SEVERITIES),
        title=_str(entry, "title"),
        mechanism=_str(entry, "mechanism"),
        action=_str(entry, "action"),
        evidence=_choice(entry, "evidence", EVIDENCE_LEVELS),
        evidence_note=_str(entry, "evidence_note", required=False),
        sources=_resolve_sources(sources, refs),
        file=file,
        spacing_hours=_number(entry, "spacing_hours"),
        nutrients=_refs(entry, "nutrients", refs.nutrients, "nutrient"),
        forms=_str_list(entry, "forms"),
        drugs=_refs(entry, "drugs", refs.drugs, "drug"),
        classes=_refs(entry, "classes", refs.classes, "class"),
        with_nutrients=_refs(entry, "with_nutrients", refs.nutrients, "nutrient"),
        by_nutrients=_refs(entry, "by_nutrients", refs.nutrients, "nutrient"),
        conditions=_refs(entry, "conditions", refs.conditions, "condition"),
        symptoms=_refs(entry, "symptoms", refs.symptoms, "symptom"),
        min_score=min_score,
        min_daily=_number(entry, "min_daily"),
        lifestyle=_choice(entry, "lifestyle", ("", *LIFESTYLES), default=""),
        min_alcohol_units=_number(entry, "min_alcohol_units"),
        limits=_limits(entry.get("limits"), refs) if kind == "upper_limit" else {},
    )
    _check_rule_shape(rule, entry, refs)
    return rule


def _resolve_sources(ids: tuple[str, ...], refs: _Refs) -> tuple[Source, ...]:
    for source_id in ids:
        if source_id not in refs.sources:
            raise _Problem(f"unknown source {source_id!r} (add it to sources.toml)")
    return tuple(refs.sources[s] for s in ids)


def _refs(entry: dict, name: str, known: dict, what: str) -> tuple[str, ...]:
    ids = _str_list(entry, name)
    for ident in ids:
        if ident not in known:
            raise _Problem(f"`{name}` names unknown {what} {ident!r}")
    return ids


def _limits(value: Any, refs: _Refs) -> Mapping[str, tuple[Limit, ...]]:
    if not isinstance(value, dict) or not value:
        raise _Problem(
            "an upper_limit rule needs [[rule.limits.uk]] (or eu, us) tables"
        )
    limits = {}
    for set_name, items in value.items():
        if set_name not in LIMIT_SETS:
            raise _Problem(f"limits set {set_name!r} must be one of uk, eu, us")
        items = items if isinstance(items, list) else [items]
        parsed = []
        for item in items:
            if not isinstance(item, dict):
                raise _Problem(f"limits.{set_name}: each limit must be a table")
            _check_fields(
                item, {"amount", "label", "evidence", "sources", "min_age", "max_age"}
            )
            amount = _number(item, "amount", required=True)
            if not amount:
                raise _Problem(f"limits.{set_name}: `amount` must be above zero")
            min_age, max_age = _number(item, "min_age"), _number(item, "max_age")
            parsed.append(
                Limit(
                    set=set_name,
                    amount=amount,
                    label=_str(item, "label"),
                    evidence=_choice(item, "evidence", EVIDENCE_LEVELS),
                    sources=_resolve_sources(_str_list(item, "sources", True), refs),
                    min_age=None if min_age is None else int(min_age),
                    max_age=None if max_age is None else int(max_age),
                )
            )
        limits[set_name] = tuple(parsed)
    return MappingProxyType(limits)


def _check_rule_shape(rule: Rule, entry: dict, refs: _Refs) -> None:
    """Check that each kind names what it needs to fire, and nothing it ignores."""
    other_side = rule.drugs or rule.classes or rule.with_nutrients
    if rule.kind == "interaction" and not (rule.nutrients and other_side):
        raise _Problem(
            "an interaction needs `nutrients` and `drugs`, `classes` "
            "or `with_nutrients`"
        )
    if rule.kind == "depletion" and not (
        rule.nutrients
        and (rule.drugs or rule.classes or rule.lifestyle or rule.by_nutrients)
    ):
        raise _Problem(
            "a depletion needs `nutrients` and `drugs`, `classes`, `by_nutrients` "
            "or `lifestyle`"
        )
    if rule.lifestyle and rule.min_alcohol_units is None:
        raise _Problem("a lifestyle rule needs `min_alcohol_units`")
    if rule.kind == "condition" and not (
        rule.nutrients and (rule.conditions or rule.symptoms)
    ):
        raise _Problem(
            "a condition rule needs `nutrients` and `conditions` or `symptoms`"
        )
    if rule.kind == "red_flag" and not rule.symptoms:
        raise _Problem("a red_flag rule needs `symptoms`")
    if rule.kind == "upper_limit" and len(rule.nutrients) != 1:
        raise _Problem("an upper_limit rule names exactly one nutrient")
    if rule.kind != "upper_limit" and "limits" in entry:
        raise _Problem("only upper_limit rules have `limits`")
    for form_id in rule.forms:
        if not any(refs.nutrients[n].form(form_id) for n in rule.nutrients):
            raise _Problem(f"`forms` names {form_id!r}, not a form of {rule.nutrients}")
    for text_field in ("title", "mechanism", "action"):
        text = getattr(rule, text_field)
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        except ValueError as error:
            raise _Problem(
                f"`{text_field}` has a broken placeholder: {error}"
            ) from None
        unknown = names - _PLACEHOLDERS[rule.kind]
        if unknown:
            allowed = ", ".join(sorted(_PLACEHOLDERS[rule.kind]))
            raise _Problem(
                f"`{text_field}` uses {{{sorted(unknown)[0]}}}; "
                f"a {rule.kind} rule may use {allowed}"
            )


# --- cross-entry checks -------------------------------------------------------


def _where(tables: dict, table: str, ident: str, key: str = "id") -> str:
    for file, entry in tables.get(table, []):
        if entry.get(key) == ident:
            return file
    return "?"


def _check_class_parents(tables: dict, classes: dict[str, DrugClass]) -> None:
    for cls in classes.values():
        for parent in cls.parents:
            if parent not in classes:
                raise KnowledgeError(
                    _where(tables, "class", cls.id),
                    f"class {cls.id}",
                    f"unknown parent class {parent!r}",
                )
        seen, stack = set(), list(cls.parents)
        while stack:
            current = stack.pop()
            if current == cls.id:
                raise KnowledgeError(
                    _where(tables, "class", cls.id),
                    f"class {cls.id}",
                    "class parents form a loop",
                )
            if current not in seen:
                seen.add(current)
                stack.extend(classes[current].parents)


def _with_inherited_classes(drug: Drug, classes: dict[str, DrugClass]) -> Drug:
    found: set[str] = set()
    stack = [c for c in drug.classes if c in classes]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(classes[current].parents)
    unknown = [c for c in drug.classes if c not in classes]
    return Drug(**{**drug.__dict__, "classes": tuple(sorted(found)) + tuple(unknown)})


def _check_drug_refs(tables: dict, drugs: dict, classes: dict, nutrients: dict) -> None:
    for drug in drugs.values():
        where = (_where(tables, "drug", drug.id), f"drug {drug.id}")
        for class_id in drug.classes:
            if class_id not in classes:
                raise KnowledgeError(*where, f"unknown class {class_id!r}")
        for nutrient_id in drug.nutrients:
            if nutrient_id not in nutrients:
                raise KnowledgeError(*where, f"unknown nutrient {nutrient_id!r}")


def _check_nutrient_refs(tables: dict, nutrients: dict) -> None:
    for nutrient in nutrients.values():
        for contained in nutrient.contains:
            if contained not in nutrients:
                raise KnowledgeError(
                    _where(tables, "nutrient", nutrient.id),
                    f"nutrient {nutrient.id}",
                    f"`contains` names unknown nutrient {contained!r}",
                )


def _check_engine_rules(rules: dict[str, Rule]) -> None:
    for rule_id in ENGINE_RULES:
        if rule_id not in rules:
            raise KnowledgeError(
                "rules_unrecognised.toml",
                f"rule {rule_id}",
                "the engine needs this rule",
            )


def _check_red_flags(tables: dict, rules: dict[str, Rule], symptoms: dict) -> None:
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
            raise KnowledgeError(
                _where(tables, "symptom", symptom.key, key="key"),
                f"symptom {symptom.key}",
                "a red-flag symptom needs a red_flag rule",
            )


def _drug_terms(drug: Drug) -> tuple[str, ...]:
    return (drug.name, *drug.aliases, *drug.brands, *drug.misspellings)


def _check_unique_names(tables: dict, table: str, entries: dict, terms) -> None:
    """Two entries must not share a name, or matching would pick one at random."""
    owner: dict[str, str] = {}
    for ident, entry in entries.items():
        for term in terms(entry):
            key = normalise(term)
            if not key:
                raise KnowledgeError(
                    _where(tables, table, ident),
                    f"{table} {ident}",
                    f"name {term!r} is empty once doses and dosing words are removed",
                )
            if owner.setdefault(key, ident) != ident:
                raise KnowledgeError(
                    _where(tables, table, ident),
                    f"{table} {ident}",
                    f"name {term!r} is also a name of {table} {owner[key]}",
                )


# --- indexes ------------------------------------------------------------------


def _indexes(rules: dict[str, Rule], drugs: dict[str, Drug]) -> dict[str, Mapping]:
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


_BUILDERS = {"source", "class", "drug", "nutrient", "condition", "symptom", "rule"}
