"""Read the entries of every table except rules into their dataclasses.

Each reader takes the file name and one TOML table and returns a frozen entry, or
raises Problem naming the field; references between entries are checked later.
"""

from __future__ import annotations

import re
from typing import Any

from . import fields
from .entries import (
    BODY_SYSTEMS,
    EVIDENCE_LEVELS,
    NUTRIENT_UNITS,
    ROUTES,
    Condition,
    Drug,
    DrugClass,
    Form,
    Nutrient,
    Source,
    Symptom,
)
from .fields import Problem

_ATC = re.compile(r"^[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?$")
_FULL_ATC = re.compile(r"^[A-Z]\d{2}[A-Z]{2}(\d{2})?$")


def read_source(file: str, entry: dict) -> Source:
    fields.check_fields(entry, {"id", "title", "url", "where"})
    url = fields.text(entry, "url", required=False)
    if url and not url.startswith("https://"):
        raise Problem("`url` must start with https://")
    return Source(
        id=entry["id"],
        title=fields.text(entry, "title"),
        url=url,
        where=fields.text(entry, "where", required=False),
    )


def read_drug_class(file: str, entry: dict) -> DrugClass:
    fields.check_fields(entry, {"id", "name", "atc", "parents", "ver"})
    atc = fields.text_list(entry, "atc", required=True)
    for code in atc:
        if not _ATC.match(code):
            raise Problem(f"`atc` {code!r} is not an ATC code")
    return DrugClass(
        id=entry["id"],
        name=fields.lower_name(entry),
        atc=atc,
        parents=fields.text_list(entry, "parents"),
        ver=fields.choice(entry, "ver", EVIDENCE_LEVELS, default="U"),
    )


def read_drug(file: str, entry: dict) -> Drug:
    fields.check_fields(
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
            "route",
        },
    )
    atc = fields.text(entry, "atc")
    if not _FULL_ATC.match(atc):
        raise Problem(f"`atc` {atc!r} is not a WHO ATC substance or group code")
    return Drug(
        id=entry["id"],
        name=fields.lower_name(entry),
        atc=atc,
        atc_ver=fields.choice(entry, "atc_ver", EVIDENCE_LEVELS, default="U"),
        classes=fields.text_list(entry, "classes"),
        brands=fields.text_list(entry, "brands"),
        aliases=fields.text_list(entry, "aliases"),
        misspellings=fields.text_list(entry, "misspellings"),
        nutrients=fields.text_list(entry, "nutrients"),
        route=fields.choice(entry, "route", ROUTES, default="oral"),
    )


def _form(entry: Any) -> Form:
    if not isinstance(entry, dict) or "id" not in entry:
        raise Problem("each [[nutrient.forms]] needs an `id`")
    fields.check_fields(
        entry,
        {
            "id",
            "names",
            "formula",
            "fraction",
            "ver",
            "counts_toward_limit",
            "note",
            "topical",
        },
    )
    fraction = fields.number(entry, "fraction")
    if fraction is not None and not 0 < fraction <= 1:
        raise Problem(f"form {entry['id']}: `fraction` must be above 0 and at most 1")
    try:
        counts = fields.flag(entry, "counts_toward_limit", default=True)
        topical = fields.flag(entry, "topical")
    except Problem as problem:
        raise Problem(f"form {entry['id']}: {problem}") from None
    return Form(
        id=entry["id"],
        names=fields.text_list(entry, "names", required=True),
        formula=fields.text(entry, "formula", required=False),
        fraction=fraction,
        ver=fields.text(entry, "ver", required=False),
        counts_toward_limit=counts,
        note=fields.text(entry, "note", required=False),
        topical=topical,
    )


def read_nutrient(file: str, entry: dict) -> Nutrient:
    fields.check_fields(
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
        raise Problem("two forms share an id")
    iu = fields.number(entry, "iu")
    if iu is not None and not fields.text_list(entry, "iu_sources"):
        raise Problem("`iu` needs `iu_sources`: a conversion must be cited")
    return Nutrient(
        id=entry["id"],
        name=fields.lower_name(entry),
        kind=fields.text(entry, "kind"),
        unit=fields.choice(entry, "unit", NUTRIENT_UNITS),
        aliases=fields.text_list(entry, "aliases", required=True),
        forms=forms,
        iu=iu,
        contains=fields.text_list(entry, "contains"),
        note=fields.text(entry, "note", required=False),
    )


def read_condition(file: str, entry: dict) -> Condition:
    fields.check_fields(entry, {"id", "name", "synonyms"})
    return Condition(
        id=entry["id"],
        name=fields.text(entry, "name"),
        synonyms=fields.text_list(entry, "synonyms", required=True),
    )


def read_symptom(file: str, entry: dict) -> Symptom:
    fields.check_fields(entry, {"key", "system", "question", "red_flag"})
    red_flag = fields.flag(entry, "red_flag")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", entry["key"]):
        raise Problem("`key` must be lower case letters, digits and underscores")
    return Symptom(
        key=entry["key"],
        system=fields.choice(entry, "system", BODY_SYSTEMS),
        question=fields.text(entry, "question"),
        red_flag=red_flag,
    )
