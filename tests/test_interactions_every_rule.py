"""Every rule in the knowledge base fires on a case built from its own fields.

The cases are generated from the loaded rules, so a rule added in any *.toml file
later is tested without anyone writing a case for it. A rule that cannot be made
to fire this way is either unreachable (a wrong class, a form the matcher never
finds) or needs a recipe below; both are worth a failing test.

Boundary tests walk every threshold: an upper limit, `min_daily` (at least) and
`above_daily` (strictly above). Exactly at an upper limit is not above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from questionnaires.interactions import engine, knowledge
from questionnaires.interactions.entries import Limit, Rule
from questionnaires.interactions.facts import (
    CaseFacts,
    MedicationEntry,
    SupplementEntry,
)

KB = knowledge.load()
ADULT = 40

# Engine rules have no fields to build a case from: each gets a recipe.
ENGINE_RECIPES: dict[str, tuple[dict, str]] = {
    "unrecognised-medication": (
        {"age": ADULT, "medications": [{"name": "Zorblatrex"}]},
        "uk",
    ),
    "unrecognised-supplement": (
        {"age": ADULT, "supplements": [{"name": "Zorblat root"}]},
        "uk",
    ),
    "unrecognised-condition": (
        {"age": ADULT, "conditions": ["Zorblat syndrome"]},
        "uk",
    ),
    "unrecognised-dose": ({"age": ADULT, "supplements": [{"name": "Magnesium"}]}, "uk"),
    "limit-not-checked": (
        {"age": ADULT, "supplements": [{"name": "Potassium", "amount": 99}]},
        "eu",
    ),
    "limit-age-unknown": (
        {"supplements": [{"name": "Magnesium", "amount": 100}]},
        "uk",
    ),
    "topical-not-counted": (
        {"age": ADULT, "supplements": [{"name": "Epsom salts"}]},
        "uk",
    ),
}


@dataclass
class Case:
    """A minimal client, built up from one rule's fields."""

    age: int | None = ADULT
    pregnant: bool = False
    breastfeeding: bool = False
    conditions: list[str] = field(default_factory=list)
    medications: list[MedicationEntry] = field(default_factory=list)
    supplements: list[SupplementEntry] = field(default_factory=list)
    alcohol: float | None = None
    symptoms: dict[str, int] = field(default_factory=dict)

    def facts(self) -> CaseFacts:
        return CaseFacts(
            age=self.age,
            pregnant=self.pregnant,
            breastfeeding=self.breastfeeding,
            conditions=tuple(self.conditions),
            medications=tuple(self.medications),
            supplements=tuple(self.supplements),
            alcohol_units_per_week=self.alcohol,
            symptoms=self.symptoms,
        )

    def take(
        self, nutrient_id: str, amount: float | None = None, form: str = ""
    ) -> None:
        nutrient = KB.nutrients[nutrient_id]
        # A hand match to an id that is also a medicine's (folic_acid) is read as
        # the medicine, whose dose is unknown; the name finds the nutrient.
        self.supplements.append(
            SupplementEntry(
                name=nutrient.name,
                nutrient=nutrient.name,
                matched_as="" if nutrient_id in KB.drugs else nutrient_id,
                form=form,
                amount=amount,
                unit=nutrient.unit,
                ref=f"supplement:{len(self.supplements)}",
            )
        )

    def prescribe(self, drug_id: str) -> None:
        self.medications.append(
            MedicationEntry(
                name=KB.drugs[drug_id].name,
                matched_as=drug_id,
                ref=f"medication:{len(self.medications)}",
            )
        )


def rule_ids(kind: str | None = None) -> list[str]:
    return sorted(r.id for r in KB.rules.values() if kind in (None, r.kind))


def fired(case: Case | CaseFacts, limits: str = "uk") -> set[str]:
    facts = case.facts() if isinstance(case, Case) else case
    return {f.rule for f in engine.run(facts, KB, limits=limits)}


def swallowed_drug_in(class_id: str) -> str:
    """A medicine of the class that is taken by mouth, so every rule can fire."""
    for drug in sorted(KB.drugs.values(), key=lambda d: d.id):
        if class_id in drug.classes and drug.route == "oral":
            return drug.id
    pytest.fail(f"class {class_id!r} has no medicine taken by mouth")


def dose_meeting(rule: Rule) -> float | None:
    """A daily amount that meets the rule's threshold, or None if it has none."""
    if rule.min_daily is not None:
        return rule.min_daily
    if rule.above_daily is not None:
        return rule.above_daily * 1.1
    return None


def form_for(rule: Rule) -> str:
    if not rule.forms:
        return ""
    nutrient = next(
        KB.nutrients[n] for n in rule.nutrients if KB.nutrients[n].form(rule.forms[0])
    )
    return nutrient.form(rule.forms[0]).names[0]


def minimal_case(rule: Rule) -> Case:
    """The smallest client the rule should fire for, from its own fields."""
    case = Case()
    dose = dose_meeting(rule)
    if rule.kind in ("interaction", "condition"):
        case.take(rule.nutrients[0], dose, form_for(rule))
    if rule.kind in ("interaction", "depletion"):
        if rule.drugs:
            case.prescribe(rule.drugs[0])
        elif rule.classes:
            case.prescribe(swallowed_drug_in(rule.classes[0]))
        elif rule.with_nutrients:
            other = next(n for n in rule.with_nutrients if n != rule.nutrients[0])
            case.take(other)
        elif rule.by_nutrients:
            case.take(rule.by_nutrients[0], dose)
        elif rule.lifestyle == "alcohol":
            case.alcohol = (rule.min_alcohol_units or 0) + 1
    if rule.kind == "condition":
        if rule.conditions:
            condition = rule.conditions[0]
            if condition == "pregnancy":
                case.pregnant = True
            elif condition == "breastfeeding":
                case.breastfeeding = True
            else:
                case.conditions.append(KB.conditions[condition].name)
        else:
            case.symptoms[rule.symptoms[0]] = rule.min_score
    if rule.kind == "red_flag":
        case.symptoms[rule.symptoms[0]] = rule.min_score
    return case


@pytest.mark.parametrize("rule_id", rule_ids())
def test_every_rule_fires_on_a_case_built_from_its_own_fields(rule_id):
    rule = KB.rules[rule_id]
    if rule.kind == "unrecognised":
        assert rule_id in ENGINE_RECIPES, (
            f"engine rule {rule_id} has no recipe in ENGINE_RECIPES: add a case "
            "that should raise it"
        )
        data, limits = ENGINE_RECIPES[rule_id]
        assert rule_id in fired(CaseFacts.from_dict(data), limits)
        return
    if rule.kind == "upper_limit":
        limit_set, limit = next(
            (name, limits[0]) for name, limits in sorted(rule.limits.items())
        )
        assert rule_id in fired(over_limit(rule, limit), limit_set)
        return
    assert rule_id in fired(minimal_case(rule)), f"{rule_id} did not fire"


# --- upper limits: every band of every set ---------------------------------------


def bands() -> list[tuple[str, str, int]]:
    return [
        (rule.id, set_name, index)
        for rule in KB.rules.values()
        if rule.kind == "upper_limit"
        for set_name, limits in sorted(rule.limits.items())
        for index in range(len(limits))
    ]


def age_in(limit: Limit) -> int:
    if limit.min_age is not None:
        return limit.min_age
    if limit.max_age is not None:
        return limit.max_age
    return ADULT


def case_at(rule: Rule, limit: Limit, supplements: float, age: int) -> Case:
    case = Case(age=age)
    case.take(rule.nutrients[0], supplements)
    return case


def over_limit(rule: Rule, limit: Limit) -> Case:
    room = limit.amount - (limit.food_typical or 0)
    return case_at(rule, limit, room * 1.01 + 0.01, age_in(limit))


@pytest.mark.parametrize(("rule_id", "limit_set", "index"), bands())
def test_each_limit_band_fires_just_above_and_not_exactly_at_it(
    rule_id, limit_set, index
):
    rule = KB.rules[rule_id]
    limit = rule.limits[limit_set][index]
    room = limit.amount - (limit.food_typical or 0)
    for age in {age_in(limit), limit.max_age if limit.max_age is not None else 90}:
        at = case_at(rule, limit, room, age)
        assert rule_id not in fired(at, limit_set), f"fired at the limit, age {age}"
        assert rule_id in fired(
            case_at(rule, limit, room * 1.01 + 0.01, age), limit_set
        )


@pytest.mark.parametrize(("rule_id", "limit_set", "index"), bands())
def test_a_limit_names_its_value_and_whether_food_was_counted(
    rule_id, limit_set, index
):
    rule = KB.rules[rule_id]
    limit = rule.limits[limit_set][index]
    [finding] = [
        f
        for f in engine.run(over_limit(rule, limit).facts(), KB, limits=limit_set)
        if f.rule == rule_id
    ]
    assert limit.label in finding.message
    if limit.scope == "total" and limit.food_typical is None:
        assert "only supplements were counted" in finding.message
    if limit.food_typical is not None:
        assert "typical food intake" in finding.message
    if limit.scope == "supplements":
        assert "only supplements were counted" not in finding.message
        assert "typical food intake" not in finding.message


def ages_without_a_limit(rule: Rule, limit_set: str) -> list[int]:
    """Sample ages the set (with the UK's per-age fallback to EFSA) has no limit for."""
    sets = [limit_set] + (["eu"] if limit_set == "uk" else [])

    def covered(age: int) -> bool:
        return any(
            limit.applies_to(age)
            for name in sets
            for limit in rule.limits.get(name, ())
        )

    return [a for a in (0, 1, 5, 9, 13, 16, 17, 18, 40, 80) if not covered(a)]


def uncovered() -> list[tuple[str, str, int]]:
    return [
        (rule.id, limit_set, age)
        for rule in KB.rules.values()
        if rule.kind == "upper_limit"
        for limit_set in ("uk", "eu", "us")
        for age in ages_without_a_limit(rule, limit_set)
    ]


@pytest.mark.parametrize(("rule_id", "limit_set", "age"), uncovered())
def test_an_age_or_set_without_a_limit_says_so_instead_of_staying_silent(
    rule_id, limit_set, age
):
    rule = KB.rules[rule_id]
    case = Case(age=age)
    case.take(rule.nutrients[0], 100_000)  # far above any adult limit
    findings = {f.rule: f for f in engine.run(case.facts(), KB, limits=limit_set)}
    assert rule_id not in findings, "an adult limit was applied where none is set"
    note = findings["limit-not-checked"]
    assert KB.nutrients[rule.nutrients[0]].name in note.title
    if rule.limits.get(limit_set) or (limit_set == "uk" and rule.limits.get("eu")):
        assert f"not checked for age {age}" in note.title


def test_no_adult_limit_is_applied_to_a_child():
    for rule in KB.rules.values():
        for limit_set, limits in rule.limits.items():
            for limit in limits:
                if limit.min_age is None and limit.max_age is None:
                    pytest.fail(f"{rule.id} {limit_set}: a limit for every age")
                if limit.max_age is None:
                    assert limit.min_age is not None and limit.min_age >= 4, (
                        f"{rule.id} {limit_set}: {limit.label} reaches young children"
                    )


# --- thresholds on other rules ------------------------------------------------------


def threshold_rules() -> list[str]:
    return sorted(
        r.id
        for r in KB.rules.values()
        if r.min_daily is not None or r.above_daily is not None
    )


def with_dose(rule: Rule, amount: float) -> Case:
    case = minimal_case(rule)
    dosed = rule.by_nutrients[0] if rule.by_nutrients else rule.nutrients[0]
    case.supplements = [
        SupplementEntry(**{**s.__dict__, "amount": amount})
        if s.nutrient == KB.nutrients[dosed].name
        else s
        for s in case.supplements
    ]
    return case


@pytest.mark.parametrize("rule_id", threshold_rules())
def test_dose_thresholds_are_exact(rule_id):
    rule = KB.rules[rule_id]
    if rule.min_daily is not None:
        threshold = rule.min_daily
        assert rule_id in fired(with_dose(rule, threshold)), "at least: fires at it"
    else:
        threshold = rule.above_daily
        assert rule_id not in fired(with_dose(rule, threshold)), "above: not at it"
        assert rule_id in fired(with_dose(rule, threshold + 0.1))
    assert rule_id not in fired(with_dose(rule, threshold - 0.1))


@pytest.mark.parametrize("rule_id", threshold_rules())
def test_an_unknown_dose_is_left_to_the_dose_not_known_finding(rule_id):
    rule = KB.rules[rule_id]
    case = minimal_case(rule)
    dosed = rule.by_nutrients[0] if rule.by_nutrients else rule.nutrients[0]
    case.supplements = [
        SupplementEntry(**{**s.__dict__, "amount": None})
        if s.nutrient == KB.nutrients[dosed].name
        else s
        for s in case.supplements
    ]
    rules = fired(case)
    assert "unrecognised-dose" in rules
    # Only condition rules (vitamin A in pregnancy) fire on a dose that could be over.
    assert (rule_id in rules) == (rule.kind == "condition")


def test_nutrients_without_any_dose_rule_raise_no_dose_not_known_finding():
    dose_checked = {
        n
        for r in KB.rules.values()
        if r.kind == "upper_limit"
        or r.min_daily is not None
        or r.above_daily is not None
        for n in (*r.nutrients, *r.by_nutrients)
    }
    unchecked = sorted(
        n
        for n in set(KB.nutrients) - dose_checked
        if not set(KB.nutrients[n].contains) & dose_checked  # cod liver oil: vitamin A
    )
    assert unchecked, "every nutrient has a dose rule; this test needs a new example"
    for nutrient_id in unchecked:
        case = Case()
        case.take(nutrient_id)
        assert "unrecognised-dose" not in fired(case), nutrient_id


# --- nutrient pairs and depletions by nutrients ---------------------------------------


def pair_rules() -> list[str]:
    return sorted(r.id for r in KB.rules.values() if r.with_nutrients)


@pytest.mark.parametrize("rule_id", pair_rules())
def test_a_nutrient_pair_needs_both_sides(rule_id):
    rule = KB.rules[rule_id]
    dose = dose_meeting(rule)
    other = next(n for n in rule.with_nutrients if n not in rule.nutrients)
    only_first, only_other = Case(), Case()
    only_first.take(rule.nutrients[0], dose)
    only_other.take(other, 100_000)
    assert rule_id not in fired(only_first)
    assert rule_id not in fired(only_other)
    both = Case()
    both.take(rule.nutrients[0], dose)
    both.take(other)
    assert rule_id in fired(both)


@pytest.mark.parametrize(
    "rule_id", [r for r in pair_rules() if dose_meeting(KB.rules[r])]
)
def test_a_pair_threshold_applies_to_its_own_side_only(rule_id):
    # zinc-high-dose-mg: 142 mg of zinc with any magnesium, never the reverse.
    rule = KB.rules[rule_id]
    other = next(n for n in rule.with_nutrients if n not in rule.nutrients)
    reversed_case = Case()
    reversed_case.take(rule.nutrients[0], 1)
    reversed_case.take(other, 100_000)
    assert rule_id not in fired(reversed_case)


def depletions_by_nutrients() -> list[str]:
    return sorted(r.id for r in KB.rules.values() if r.by_nutrients)


@pytest.mark.parametrize("rule_id", depletions_by_nutrients())
def test_a_depletion_by_a_nutrient_fires_without_the_depleted_nutrient(rule_id):
    rule = KB.rules[rule_id]
    case = Case()
    case.take(rule.by_nutrients[0], dose_meeting(rule))
    findings = {f.rule: f for f in engine.run(case.facts(), KB)}
    finding = findings[rule_id]
    cause = KB.nutrients[rule.by_nutrients[0]].name
    assert {KB.nutrients[n].name for n in rule.nutrients} <= set(finding.subjects)
    assert cause in finding.subjects
    # Taking only the depleted nutrient is not a cause.
    depleted_only = Case()
    depleted_only.take(rule.nutrients[0], 100_000)
    assert rule_id not in fired(depleted_only)
