"""Read [[rule]] entries: fields, references to other entries, and shape by kind.

A rule must name what its kind needs in order to fire, and nothing its kind would
ignore, so a rule that can never fire is an error rather than a silent gap.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from . import fields
from .entries import (
    EVIDENCE_LEVELS,
    KINDS,
    LIFESTYLES,
    LIMIT_SCOPES,
    LIMIT_SETS,
    SEVERITIES,
    Limit,
    Rule,
    Source,
)
from .fields import Problem

_PLACEHOLDERS = {
    "interaction": {"drug", "nutrient", "with"},
    "depletion": {"drug", "nutrient"},
    "upper_limit": {"nutrient"},
    "condition": {"nutrient", "condition", "symptom"},
    "red_flag": {"symptom"},
    "unrecognised": {"entry", "detail", "nutrient"},
}


@dataclass(frozen=True)
class Refs:
    """The entries already read, by id, that a rule may name."""

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
    "above_daily",
    "lifestyle",
    "min_alcohol_units",
    "limits",
}


def read_rule(file: str, entry: dict, refs: Refs) -> Rule:
    fields.check_fields(entry, _RULE_FIELDS)
    kind = fields.choice(entry, "kind", KINDS)
    sources = fields.text_list(entry, "sources")
    if not sources:
        raise Problem("`sources` must cite at least one source")
    min_score = entry.get("min_score", 1)
    if isinstance(min_score, bool) or min_score not in (1, 2, 3):
        raise Problem("`min_score` must be 1, 2 or 3")
    rule = Rule(
        id=entry["id"],
        kind=kind,
        severity=fields.choice(entry, "severity", SEVERITIES),
        title=fields.text(entry, "title"),
        mechanism=fields.text(entry, "mechanism"),
        action=fields.text(entry, "action"),
        evidence=fields.choice(entry, "evidence", EVIDENCE_LEVELS),
        evidence_note=fields.text(entry, "evidence_note", required=False),
        sources=_resolve_sources(sources, refs),
        file=file,
        spacing_hours=fields.number(entry, "spacing_hours"),
        nutrients=_refs(entry, "nutrients", refs.nutrients, "nutrient"),
        forms=fields.text_list(entry, "forms"),
        drugs=_refs(entry, "drugs", refs.drugs, "drug"),
        classes=_refs(entry, "classes", refs.classes, "class"),
        with_nutrients=_refs(entry, "with_nutrients", refs.nutrients, "nutrient"),
        by_nutrients=_refs(entry, "by_nutrients", refs.nutrients, "nutrient"),
        conditions=_refs(entry, "conditions", refs.conditions, "condition"),
        symptoms=_refs(entry, "symptoms", refs.symptoms, "symptom"),
        min_score=min_score,
        min_daily=fields.number(entry, "min_daily"),
        above_daily=fields.number(entry, "above_daily"),
        lifestyle=fields.choice(entry, "lifestyle", ("", *LIFESTYLES), default=""),
        min_alcohol_units=fields.number(entry, "min_alcohol_units"),
        limits=_limits(entry.get("limits"), refs) if kind == "upper_limit" else {},
    )
    _check_rule_shape(rule, entry, refs)
    return rule


def _resolve_sources(ids: tuple[str, ...], refs: Refs) -> tuple[Source, ...]:
    for source_id in ids:
        if source_id not in refs.sources:
            raise Problem(f"unknown source {source_id!r} (add it to sources.toml)")
    return tuple(refs.sources[s] for s in ids)


def _refs(entry: dict, name: str, known: dict, what: str) -> tuple[str, ...]:
    ids = fields.text_list(entry, name)
    for ident in ids:
        if ident not in known:
            raise Problem(f"`{name}` names unknown {what} {ident!r}")
    return ids


_LIMIT_FIELDS = {
    "amount",
    "label",
    "evidence",
    "sources",
    "min_age",
    "max_age",
    "scope",
    "includes_forms",
    "food_typical",
    "food_label",
    "food_sources",
}


def _limits(value: Any, refs: Refs) -> Mapping[str, tuple[Limit, ...]]:
    if not isinstance(value, dict) or not value:
        raise Problem("an upper_limit rule needs [[rule.limits.uk]] (or eu, us) tables")
    limits = {}
    for set_name, items in value.items():
        if set_name not in LIMIT_SETS:
            raise Problem(f"limits set {set_name!r} must be one of uk, eu, us")
        items = items if isinstance(items, list) else [items]
        parsed = [_limit(set_name, item, refs) for item in items]
        _check_bands(set_name, parsed)
        limits[set_name] = tuple(parsed)
    return MappingProxyType(limits)


def _limit(set_name: str, item: Any, refs: Refs) -> Limit:
    if not isinstance(item, dict):
        raise Problem(f"limits.{set_name}: each limit must be a table")
    fields.check_fields(item, _LIMIT_FIELDS)
    amount = fields.number(item, "amount", required=True)
    if not amount:
        raise Problem(f"limits.{set_name}: `amount` must be above zero")
    min_age = fields.number(item, "min_age")
    max_age = fields.number(item, "max_age")
    scope = fields.choice(item, "scope", LIMIT_SCOPES, default="supplements")
    food = fields.number(item, "food_typical")
    food_sources = fields.text_list(item, "food_sources")
    if food is not None:
        if scope != "total":
            raise Problem(
                f"limits.{set_name}: `food_typical` only makes sense with "
                'scope = "total"'
            )
        if not food_sources or not fields.text(item, "food_label", required=False):
            raise Problem(
                f"limits.{set_name}: `food_typical` needs `food_label` and "
                "`food_sources`: typical food intake must be cited"
            )
    return Limit(
        set=set_name,
        amount=amount,
        label=fields.text(item, "label"),
        evidence=fields.choice(item, "evidence", EVIDENCE_LEVELS),
        sources=_resolve_sources(
            fields.text_list(item, "sources", required=True), refs
        ),
        min_age=None if min_age is None else int(min_age),
        max_age=None if max_age is None else int(max_age),
        scope=scope,
        includes_forms=fields.text_list(item, "includes_forms"),
        food_typical=food,
        food_label=fields.text(item, "food_label", required=False),
        food_sources=_resolve_sources(food_sources, refs),
    )


def _check_bands(set_name: str, limits: list[Limit]) -> None:
    """Age bands in one set must not overlap, or the limit for an age is a guess."""
    for index, first in enumerate(limits):
        if (
            first.min_age is not None
            and first.max_age is not None
            and first.min_age > first.max_age
        ):
            raise Problem(f"limits.{set_name}: `min_age` is above `max_age`")
        for second in limits[index + 1 :]:
            low = max(first.min_age or 0, second.min_age or 0)
            high = min(
                130 if first.max_age is None else first.max_age,
                130 if second.max_age is None else second.max_age,
            )
            if low <= high:
                raise Problem(
                    f"limits.{set_name}: two limits both cover age {low} "
                    f"({first.label!r} and {second.label!r})"
                )


def _check_rule_shape(rule: Rule, entry: dict, refs: Refs) -> None:
    """Check that each kind names what it needs to fire, and nothing it ignores."""
    other_side = rule.drugs or rule.classes or rule.with_nutrients
    if rule.kind == "interaction" and not (rule.nutrients and other_side):
        raise Problem(
            "an interaction needs `nutrients` and `drugs`, `classes` "
            "or `with_nutrients`"
        )
    if rule.kind == "depletion" and not (
        rule.nutrients
        and (rule.drugs or rule.classes or rule.lifestyle or rule.by_nutrients)
    ):
        raise Problem(
            "a depletion needs `nutrients` and `drugs`, `classes`, `by_nutrients` "
            "or `lifestyle`"
        )
    if rule.lifestyle and rule.min_alcohol_units is None:
        raise Problem("a lifestyle rule needs `min_alcohol_units`")
    if rule.kind == "condition" and not (
        rule.nutrients and (rule.conditions or rule.symptoms)
    ):
        raise Problem(
            "a condition rule needs `nutrients` and `conditions` or `symptoms`"
        )
    if rule.kind == "red_flag" and not rule.symptoms:
        raise Problem("a red_flag rule needs `symptoms`")
    if rule.kind == "upper_limit" and len(rule.nutrients) != 1:
        raise Problem("an upper_limit rule names exactly one nutrient")
    if rule.kind != "upper_limit" and "limits" in entry:
        raise Problem("only upper_limit rules have `limits`")
    if rule.min_daily is not None and rule.above_daily is not None:
        raise Problem("use either `min_daily` (at least) or `above_daily`, not both")
    for limit in (lim for lims in rule.limits.values() for lim in lims):
        for form_id in limit.includes_forms:
            if not any(refs.nutrients[n].form(form_id) for n in rule.nutrients):
                raise Problem(
                    f"limits.{limit.set}: `includes_forms` names {form_id!r}, "
                    f"not a form of {rule.nutrients}"
                )
    for form_id in rule.forms:
        if not any(refs.nutrients[n].form(form_id) for n in rule.nutrients):
            raise Problem(f"`forms` names {form_id!r}, not a form of {rule.nutrients}")
    for text_field in ("title", "mechanism", "action"):
        text = getattr(rule, text_field)
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
        except ValueError as error:
            raise Problem(f"`{text_field}` has a broken placeholder: {error}") from None
        unknown = names - _PLACEHOLDERS[rule.kind]
        if unknown:
            allowed = ", ".join(sorted(_PLACEHOLDERS[rule.kind]))
            raise Problem(
                f"`{text_field}` uses {{{sorted(unknown)[0]}}}; "
                f"a {rule.kind} rule may use {allowed}"
            )
