"""Read [[product]] and [[red_flag_text]] entries.

A product is a named combination (Adcal-D3, Centrum Advance, LoSalt): what one
tablet, capsule or portion contains, cited to its label or SmPC. Amounts are
converted to the nutrient's own unit when the file is read, so the engine only
multiplies by the doses a day.
"""

from __future__ import annotations

from typing import Any

from . import fields
from .entries import EVIDENCE_LEVELS, Product, ProductContent, RedFlagText
from .fields import Problem
from .text import normalise

# Unit conversions to milligrams and back to a nutrient's unit (also used by doses).
TO_MG = {"mg": 1.0, "g": 1000.0, "mcg": 0.001}
FROM_MG = {"mg": 1.0, "mcg": 1000.0}


def read_product(file: str, entry: dict, refs: Any) -> Product:
    fields.check_fields(
        entry,
        {
            "id",
            "name",
            "aliases",
            "per",
            "contents",
            "evidence",
            "sources",
            "licensed",
            "note",
        },
    )
    source_ids = fields.text_list(entry, "sources", required=True)
    for source_id in source_ids:
        if source_id not in refs.sources:
            raise Problem(f"unknown source {source_id!r} (add it to sources.toml)")
    raw = entry.get("contents")
    if not isinstance(raw, list) or not raw:
        raise Problem("`contents` must list at least one { nutrient = ... }")
    contents = tuple(_content(item, refs.nutrients) for item in raw)
    if len({c.nutrient for c in contents}) != len(contents):
        raise Problem("`contents` names a nutrient twice")
    licensed = fields.flag(entry, "licensed")
    return Product(
        id=entry["id"],
        name=fields.lower_name(entry),
        aliases=fields.text_list(entry, "aliases"),
        per=fields.text(entry, "per"),
        contents=contents,
        evidence=fields.choice(entry, "evidence", EVIDENCE_LEVELS),
        sources=tuple(refs.sources[s] for s in source_ids),
        licensed=licensed,
        note=fields.text(entry, "note", required=False),
    )


def _content(item: Any, nutrients: dict) -> ProductContent:
    if not isinstance(item, dict):
        raise Problem("each item of `contents` must be a table")
    fields.check_fields(item, {"nutrient", "amount", "unit", "form", "basis"})
    nutrient_id = fields.text(item, "nutrient")
    nutrient = nutrients.get(nutrient_id)
    if nutrient is None:
        raise Problem(f"`contents` names unknown nutrient {nutrient_id!r}")
    form_id = fields.text(item, "form", required=False)
    form = nutrient.form(form_id) if form_id else None
    if form_id and form is None:
        raise Problem(f"{nutrient_id}: unknown form {form_id!r}")
    amount = fields.number(item, "amount")
    if amount is None:
        if "unit" in item or "basis" in item:
            raise Problem(f"{nutrient_id}: `unit` and `basis` need an `amount`")
        return ProductContent(nutrient=nutrient_id, form=form_id)
    unit = fields.choice(item, "unit", ("mg", "mcg", "g", "IU"))
    label = f"{amount:g} {unit}"
    if unit == "IU":
        if nutrient.iu is None:
            raise Problem(f"{nutrient_id}: IU cannot be converted for this nutrient")
        converted = amount * nutrient.iu
    else:
        converted = amount * TO_MG[unit] * FROM_MG[nutrient.unit]
    if fields.choice(item, "basis", ("elemental", "compound"), "elemental") == (
        "compound"
    ):
        if form is None or form.fraction is None:
            raise Problem(f"{nutrient_id}: a compound weight needs a form's fraction")
        converted *= form.fraction
        label += f" as {nutrient.name} {form.id}"
    return ProductContent(
        nutrient=nutrient_id,
        amount=converted,
        form=form_id,
        label=label,
        stated=amount,
        stated_unit=unit,
    )


def read_red_flag_text(file: str, entry: dict, symptoms: dict) -> RedFlagText:
    fields.check_fields(entry, {"symptom", "phrases"})
    key = fields.text(entry, "symptom")
    symptom = symptoms.get(key)
    if symptom is None:
        raise Problem(f"unknown symptom {key!r}")
    if not symptom.red_flag:
        raise Problem(f"symptom {key} is not a red flag")
    phrases = []
    for phrase in fields.text_list(entry, "phrases", required=True):
        cleaned = normalise(phrase)
        if not cleaned:
            raise Problem(f"phrase {phrase!r} is empty once dosing words are removed")
        phrases.append(cleaned)
    # Stored cleaned as answers are cleaned, so matching is a plain substring test.
    return RedFlagText(symptom=key, phrases=tuple(dict.fromkeys(phrases)))
