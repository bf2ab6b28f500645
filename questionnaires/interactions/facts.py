"""What the engine reads about one client: CaseFacts, and parsing the CASE.json format.

Parsing is strict on purpose: a case file is written by a person, and a silent
default for a mistyped field would hide an interaction. Every error names the field
path first (``supplements[0].amount: must be a positive number``) so the command
can print it as one line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

UNITS = ("mg", "mcg", "g", "IU")
BASES = ("elemental", "compound")
SEXES = ("female", "male", "other")
SYMPTOM_SCORES = range(0, 4)

# Spellings people type for micrograms; the canonical unit is "mcg".
_UNIT_ALIASES = {
    "mg": "mg",
    "mcg": "mcg",
    "µg": "mcg",
    "μg": "mcg",
    "ug": "mcg",
    "g": "g",
    "iu": "IU",
}


class CaseError(ValueError):
    """Case facts that cannot be read; the message starts with the field path."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class MedicationEntry:
    """One medicine as the client wrote it."""

    name: str
    strength: str = ""
    frequency: str = ""
    since: str = ""
    reason: str = ""
    ref: str = ""
    matched_as: str = (
        ""  # a practitioner's manual match: a drug id; skips text matching
    )

    @property
    def label(self) -> str:
        """The entry as a person would recognise it, e.g. "Lisinopril 10mg"."""
        strength = self.strength.strip()
        squashed = self.name.lower().replace(" ", "")
        if strength and strength.lower().replace(" ", "") not in squashed:
            return f"{self.name.strip()} {strength}"
        return self.name.strip()


@dataclass(frozen=True)
class SupplementEntry:
    """One supplement product; amount is per dose, per_day doses a day."""

    name: str
    nutrient: str = ""
    form: str = ""
    amount: float | None = None
    unit: str = "mg"
    per_day: float = 1
    basis: str = "elemental"
    amount_unknown: bool = False
    ref: str = ""
    matched_as: str = ""  # a practitioner's manual match: a nutrient id

    @property
    def has_amount(self) -> bool:
        return self.amount is not None and not self.amount_unknown

    @property
    def label(self) -> str:
        """The product with its dose, e.g. "Magnesium citrate (150 mg, 2 a day)"."""
        if not self.has_amount:
            return self.name.strip()
        per_day = _number_text(self.per_day)
        compound = " as the compound" if self.basis == "compound" else ""
        amount = f"{_number_text(self.amount)} {self.unit}{compound}"
        return f"{self.name.strip()} ({amount}, {per_day} a day)"


def _number_text(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _frozen_symptoms(value: Mapping[str, int] | None) -> Mapping[str, int]:
    return MappingProxyType(dict(sorted((value or {}).items())))


@dataclass(frozen=True)
class CaseFacts:
    """Everything the engine may look at; built from a response or a CASE.json file."""

    age: int | None = None
    sex: str = ""
    pregnant: bool = False
    breastfeeding: bool = False
    conditions: tuple[str, ...] = ()
    medications: tuple[MedicationEntry, ...] = ()
    supplements: tuple[SupplementEntry, ...] = ()
    alcohol_units_per_week: float | None = None
    diet_pattern: str = ""
    symptoms: Mapping[str, int] = field(default_factory=dict)
    smoker: bool = False
    # Other free-text answers by key ("anything_else"), read for red-flag words.
    notes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Tuples and read-only mappings stop the engine (or a caller) changing the
        # facts between runs. They do not make CaseFacts hashable: a mapping is not.
        object.__setattr__(self, "conditions", tuple(self.conditions))
        object.__setattr__(self, "medications", tuple(self.medications))
        object.__setattr__(self, "supplements", tuple(self.supplements))
        object.__setattr__(self, "symptoms", _frozen_symptoms(self.symptoms))
        object.__setattr__(self, "notes", MappingProxyType(dict(self.notes or {})))

    @classmethod
    def from_dict(cls, data: Any) -> CaseFacts:
        """Read the CASE.json format; raise CaseError naming the first bad field."""
        return _parse_case(data)


# --- parsing -------------------------------------------------------------------

_CASE_FIELDS = {
    "age",
    "sex",
    "pregnant",
    "breastfeeding",
    "conditions",
    "medications",
    "supplements",
    "alcohol_units_per_week",
    "diet_pattern",
    "symptoms",
    "smoker",
    "notes",
}
_MEDICATION_FIELDS = {
    "name",
    "strength",
    "frequency",
    "since",
    "reason",
    "ref",
    "matched_as",
}
_SUPPLEMENT_FIELDS = {
    "name",
    "nutrient",
    "form",
    "amount",
    "unit",
    "per_day",
    "basis",
    "amount_unknown",
    "ref",
    "matched_as",
}


def _parse_case(data: Any) -> CaseFacts:
    if not isinstance(data, dict):
        raise CaseError("case", "must be a JSON object")
    _reject_unknown(data, _CASE_FIELDS, "")
    conditions = _list(data, "conditions", "")
    medications = _list(data, "medications", "")
    supplements = _list(data, "supplements", "")
    return CaseFacts(
        age=_age(data.get("age")),
        sex=_choice(data, "sex", "", SEXES, default=""),
        pregnant=_bool(data, "pregnant", ""),
        breastfeeding=_bool(data, "breastfeeding", ""),
        conditions=tuple(
            _nonempty_text(item, f"conditions[{i}]")
            for i, item in enumerate(conditions)
        ),
        medications=tuple(
            _medication(item, f"medications[{i}]") for i, item in enumerate(medications)
        ),
        supplements=tuple(
            _supplement(item, f"supplements[{i}]") for i, item in enumerate(supplements)
        ),
        alcohol_units_per_week=_optional_number(
            data, "alcohol_units_per_week", "", allow_zero=True
        ),
        diet_pattern=_text(data, "diet_pattern", ""),
        symptoms=_symptoms(data.get("symptoms")),
        smoker=_bool(data, "smoker", ""),
        notes=_notes(data.get("notes")),
    )


def _notes(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CaseError("notes", "must be an object mapping answer keys to text")
    notes = {}
    for key, text in value.items():
        if not isinstance(text, str):
            raise CaseError(f"notes.{key}", "must be text")
        if text.strip():
            notes[str(key)] = text.strip()
    return notes


def _medication(item: Any, path: str) -> MedicationEntry:
    if not isinstance(item, dict):
        raise CaseError(path, "must be an object with at least a name")
    _reject_unknown(item, _MEDICATION_FIELDS, path)
    return MedicationEntry(
        name=_required_name(item, path),
        strength=_text(item, "strength", path),
        frequency=_text(item, "frequency", path),
        since=_text(item, "since", path),
        reason=_text(item, "reason", path),
        ref=_text(item, "ref", path) or path,
        matched_as=_text(item, "matched_as", path),
    )


def _supplement(item: Any, path: str) -> SupplementEntry:
    if not isinstance(item, dict):
        raise CaseError(path, "must be an object with at least a name")
    _reject_unknown(item, _SUPPLEMENT_FIELDS, path)
    unit_text = _text(item, "unit", path) or "mg"
    unit = _UNIT_ALIASES.get(unit_text.strip().lower())
    if unit is None:
        raise CaseError(f"{path}.unit", f"must be one of {', '.join(UNITS)}")
    per_day = _optional_number(item, "per_day", path, allow_zero=False)
    return SupplementEntry(
        name=_required_name(item, path),
        nutrient=_text(item, "nutrient", path),
        form=_text(item, "form", path),
        amount=_optional_number(item, "amount", path, allow_zero=False),
        unit=unit,
        per_day=1 if per_day is None else per_day,
        basis=_choice(item, "basis", path, BASES, default="elemental"),
        amount_unknown=_bool(item, "amount_unknown", path),
        ref=_text(item, "ref", path) or path,
        matched_as=_text(item, "matched_as", path),
    )


def _symptoms(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CaseError("symptoms", "must be an object mapping symptom keys to 0-3")
    scores = {}
    for key, score in value.items():
        if isinstance(score, bool) or not isinstance(score, int):
            raise CaseError(f"symptoms.{key}", "must be a whole number from 0 to 3")
        if score not in SYMPTOM_SCORES:
            raise CaseError(f"symptoms.{key}", "must be a whole number from 0 to 3")
        scores[str(key)] = score
    return scores


def check_symptom_keys(facts: CaseFacts, known: Mapping[str, object]) -> None:
    """Raise CaseError for a symptom key the knowledge base does not define."""
    for key in facts.symptoms:
        if key not in known:
            raise CaseError(f"symptoms.{key}", "is not a known symptom key")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _reject_unknown(data: dict, allowed: set[str], path: str) -> None:
    for key in data:
        if key not in allowed:
            raise CaseError(_join(path, str(key)), "is not a known field")


def _list(data: dict, name: str, path: str) -> list:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise CaseError(_join(path, name), "must be a list")
    return value


def _text(data: dict, name: str, path: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CaseError(_join(path, name), "must be text")
    return value.strip()


def _nonempty_text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CaseError(path, "must be non-empty text")
    return value.strip()


def _required_name(data: dict, path: str) -> str:
    if "name" not in data:
        raise CaseError(f"{path}.name", "is required")
    return _nonempty_text(data["name"], f"{path}.name")


def _bool(data: dict, name: str, path: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise CaseError(_join(path, name), "must be true or false")
    return value


def _choice(data: dict, name: str, path: str, choices: tuple, default: str) -> str:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise CaseError(_join(path, name), f"must be one of {', '.join(choices)}")
    return value.strip().lower()


def _optional_number(
    data: dict, name: str, path: str, *, allow_zero: bool
) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    where = _join(path, name)
    wanted = "a number, zero or more" if allow_zero else "a positive number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CaseError(where, f"must be {wanted}")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise CaseError(where, f"must be {wanted}")
    return float(value)


def _age(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise CaseError("age", "must be a whole number of years from 0 to 130")
    return value
