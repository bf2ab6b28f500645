"""The knowledge base as loaded: frozen dataclasses and the fixed vocabularies.

Everything here is read-only once loaded; knowledge.py reads the files into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
LIMIT_SET_NAMES = {"uk": "UK", "eu": "EU (EFSA)", "us": "US (IOM)"}
# What a published limit covers: supplements (and medicines) only, or all intake
# including food. A `total` limit compared with supplements alone under-warns.
LIMIT_SCOPES = ("supplements", "total")
# How a medicine is given. Spacing rules are about two things swallowed together,
# so a medicine given by injection or infusion never triggers them.
ROUTES = ("oral", "injection")
# A limit for adults starts here; without an age, only adult limits are used.
ADULT_AGE = 18
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
    "limit-not-checked",
    "limit-age-unknown",
    "topical-not-counted",
)


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
    route: str = "oral"  # "injection" for medicines never swallowed (zoledronic acid)

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every name a client may write for it; each must belong to this drug."""
        return (self.name, *self.aliases, *self.brands, *self.misspellings)


@dataclass(frozen=True)
class Form:
    id: str
    names: tuple[str, ...]
    formula: str = ""
    fraction: float | None = None
    ver: str = ""
    counts_toward_limit: bool = True
    note: str = ""
    topical: bool = False  # put on the skin or in the bath: not intake by mouth


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

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def form(self, form_id: str) -> Form | None:
        return next((f for f in self.forms if f.id == form_id), None)


@dataclass(frozen=True)
class Condition:
    id: str
    name: str
    synonyms: tuple[str, ...]

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.synonyms)


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
    scope: str = "supplements"  # or "total": the limit covers food as well
    includes_forms: tuple[str, ...] = ()  # forms counted here though not by default
    food_typical: float | None = None  # typical daily intake from food, cited
    food_label: str = ""
    food_sources: tuple[Source, ...] = ()

    def applies_to(self, age: int | None) -> bool:
        """Whether the limit is for this age; with no age, whether it is for adults."""
        if age is None:
            return self.max_age is None or self.max_age >= ADULT_AGE
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
    min_daily: float | None = None  # fires at this daily total or more
    above_daily: float | None = None  # fires only above this daily total
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
class ProductContent:
    """One nutrient in a product; `amount` per unit in the nutrient's unit."""

    nutrient: str
    amount: float | None = None  # None: present, amount not stated
    form: str = ""
    label: str = ""  # as the source states it, e.g. "400 IU"
    stated: float | None = None  # the source's figure and unit, e.g. 400 and "IU"
    stated_unit: str = ""


@dataclass(frozen=True)
class Product:
    """A named combination product (Adcal-D3, Centrum): what one unit contains."""

    id: str
    name: str
    aliases: tuple[str, ...]
    per: str
    contents: tuple[ProductContent, ...]
    evidence: str
    sources: tuple[Source, ...]
    licensed: bool = False
    note: str = ""

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class RedFlagText:
    """Words typed anywhere that mean a red-flag symptom ("black stools")."""

    symptom: str
    phrases: tuple[str, ...]


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
    # The drugs each rule names, directly or through a class, by rule id.
    drugs_by_rule: Mapping[str, frozenset[str]]
    # Nutrients a rule checks by daily amount, and those with an upper limit.
    dose_checked_nutrients: frozenset[str]
    upper_limited_nutrients: frozenset[str]
    products: Mapping[str, Product] = field(default_factory=dict)
    red_flag_texts: tuple[RedFlagText, ...] = ()

    def class_names(self, class_ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.classes[c].name for c in class_ids)
