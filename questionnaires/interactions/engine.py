"""CaseFacts + Knowledge -> sorted Findings. Pure and deterministic.

The engine first resolves what the client told us (which drugs, which nutrients in
what daily amounts, which conditions, which symptom scores), then asks only the rules
indexed under those subjects. Anything it cannot resolve becomes a finding itself,
so a practitioner never mistakes "nothing found" for "nothing checked".
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .doses import NutrientSource, resolve_supplement, sources_from_medication
from .facts import CaseFacts
from .knowledge import SEVERITIES, Knowledge, Limit, Nutrient, Rule, Source
from .matching import Match, Matcher, matcher_for
from .text import normalise

LIMIT_SETS = ("uk", "eu", "us")
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    """One thing the practitioner should see, with why, what to do and the source."""

    rule: str
    kind: str
    severity: str
    subjects: tuple[str, ...]
    classes: tuple[str, ...]
    title: str
    message: str
    action: str
    spacing_hours: float | None
    sources: tuple[Source, ...]
    triggers: tuple[tuple[str, str], ...]  # (ref, label) of the answers behind it
    evidence: str
    knowledge_version: str
    key: str = field(default="")

    def __post_init__(self) -> None:
        if not self.key:
            refs = sorted({ref for ref, _ in self.triggers})
            key = f"{self.rule}|{','.join(sorted(self.subjects))}|{','.join(refs)}"
            object.__setattr__(self, "key", key)

    def to_dict(self) -> dict:
        spacing = self.spacing_hours
        if spacing is not None and float(spacing).is_integer():
            spacing = int(spacing)
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "subjects": list(self.subjects),
            "classes": list(self.classes),
            "title": self.title,
            "message": self.message,
            "action": self.action,
            "spacing_hours": spacing,
            "sources": [{"title": s.title, "url": s.url} for s in self.sources],
            "triggers": [{"ref": ref, "label": label} for ref, label in self.triggers],
            "evidence": self.evidence,
            "knowledge_version": self.knowledge_version,
            "key": self.key,
        }


@dataclass
class _Case:
    """What the engine resolved from the facts; built once per run."""

    facts: CaseFacts
    drugs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    nutrients: dict[str, list[NutrientSource]] = field(default_factory=dict)
    conditions: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def add_drug(self, drug_id: str, trigger: tuple[str, str]) -> None:
        _append_once(self.drugs.setdefault(drug_id, []), trigger)

    def add_condition(self, condition_id: str, trigger: tuple[str, str]) -> None:
        _append_once(self.conditions.setdefault(condition_id, []), trigger)

    def add_source(self, source: NutrientSource) -> None:
        self.nutrients.setdefault(source.nutrient, []).append(source)


def _append_once(items: list, item: object) -> None:
    if item not in items:
        items.append(item)


def run(facts: CaseFacts, knowledge: Knowledge, limits: str = "uk") -> list[Finding]:
    """Check one client's facts; return findings, most severe first."""
    if limits not in LIMIT_SETS:
        raise ValueError(f"limits must be one of {', '.join(LIMIT_SETS)}")
    matcher = matcher_for(knowledge)
    case = _Case(facts)
    _resolve_medications(case, knowledge, matcher)
    _resolve_supplements(case, knowledge, matcher)
    _resolve_conditions(case, knowledge, matcher)
    for rule in _candidate_rules(case, knowledge):
        case.findings.extend(_evaluate(rule, case, knowledge, limits))
    _dose_unknown_findings(case, knowledge)
    unique = {f.key: f for f in case.findings}
    return sorted(unique.values(), key=lambda f: (_SEVERITY_RANK[f.severity], f.key))


# --- resolving the facts ------------------------------------------------------


def _resolve_medications(case: _Case, knowledge: Knowledge, matcher: Matcher) -> None:
    for index, entry in enumerate(case.facts.medications):
        trigger = (entry.ref or f"medications[{index}]", entry.label)
        if entry.matched_as:
            if entry.matched_as in knowledge.drugs:
                _add_matched_drug(case, knowledge, entry.matched_as, trigger)
            elif entry.matched_as in knowledge.nutrients:
                case.add_source(NutrientSource.unknown(entry.matched_as, trigger))
            else:
                _unrecognised(case, knowledge, "medication", trigger, _manual(entry))
            continue
        found = matcher.drug(entry.name)
        if found.matched:
            for drug_id in found.ids:
                _add_matched_drug(case, knowledge, drug_id, trigger)
            continue
        # Clients often list vitamins under medicines: check them as nutrients.
        as_nutrient = matcher.nutrient(entry.name, fuzzy=False)
        if as_nutrient.matched:
            for nutrient_id in as_nutrient.ids:
                for source in sources_from_medication(knowledge, nutrient_id, trigger):
                    case.add_source(source)
            continue
        _unrecognised(case, knowledge, "medication", trigger, _near(found))


def _add_matched_drug(
    case: _Case, knowledge: Knowledge, drug_id: str, trigger: tuple[str, str]
) -> None:
    case.add_drug(drug_id, trigger)
    for nutrient_id in knowledge.drugs[drug_id].nutrients:
        for source in sources_from_medication(knowledge, nutrient_id, trigger):
            case.add_source(source)


def _resolve_supplements(case: _Case, knowledge: Knowledge, matcher: Matcher) -> None:
    for index, entry in enumerate(case.facts.supplements):
        trigger = (entry.ref or f"supplements[{index}]", entry.label)
        if entry.matched_as and entry.matched_as in knowledge.drugs:
            _add_matched_drug(case, knowledge, entry.matched_as, trigger)
            continue
        if entry.matched_as and entry.matched_as not in knowledge.nutrients:
            _unrecognised(case, knowledge, "supplement", trigger, _manual(entry))
            continue
        if entry.matched_as:
            found = Match("matched", (entry.matched_as,), "manual")
        else:
            found = matcher.nutrient(entry.nutrient or entry.name)
        if not found.matched:
            as_drug = matcher.drug(entry.name, fuzzy=False)
            if as_drug.matched:
                for drug_id in as_drug.ids:
                    _add_matched_drug(case, knowledge, drug_id, trigger)
                continue
            _unrecognised(case, knowledge, "supplement", trigger, _near(found))
            continue
        for source in resolve_supplement(knowledge, matcher, entry, found, trigger):
            case.add_source(source)


def _resolve_conditions(case: _Case, knowledge: Knowledge, matcher: Matcher) -> None:
    facts = case.facts
    if facts.pregnant:
        case.add_condition("pregnancy", ("pregnant", "Pregnant"))
    if facts.breastfeeding:
        case.add_condition("breastfeeding", ("breastfeeding", "Breastfeeding"))
    for index, text in enumerate(facts.conditions):
        trigger = (f"conditions[{index}]", text)
        found = matcher.condition(text)
        if found.matched:
            for condition_id in found.ids:
                case.add_condition(condition_id, trigger)
        else:
            _unrecognised(case, knowledge, "condition", trigger, _near(found))


def _manual(entry: object) -> str:
    return f" (the manual match {getattr(entry, 'matched_as', '')!r} is not in it)"


def _near(found: Match) -> str:
    if found.status == "ambiguous":
        return f"; it is ambiguous between {', '.join(found.candidates)}"
    if found.candidates:
        return f"; closest names: {', '.join(found.candidates)}"
    return ""


def _unrecognised(
    case: _Case, knowledge: Knowledge, what: str, trigger: tuple[str, str], detail: str
) -> None:
    rule = knowledge.rules[f"unrecognised-{what}"]
    names = {"entry": trigger[1], "detail": detail, "nutrient": ""}
    subject = normalise(trigger[1]) or trigger[1].lower()
    case.findings.append(_finding(rule, knowledge, names, (subject,), (), [trigger]))


# --- rules ----------------------------------------------------------------------


def _candidate_rules(case: _Case, knowledge: Knowledge) -> list[Rule]:
    """Only the rules indexed under something present, each once, in id order."""
    found: dict[str, Rule] = {}
    indexes: list[tuple[Mapping[str, tuple[Rule, ...]], Iterable[str]]] = [
        (knowledge.rules_by_drug, case.drugs),
        (knowledge.rules_by_nutrient, case.nutrients),
        (knowledge.rules_by_condition, case.conditions),
        (knowledge.rules_by_symptom, (k for k, v in case.facts.symptoms.items() if v)),
    ]
    if case.facts.alcohol_units_per_week is not None:
        indexes.append((knowledge.rules_by_lifestyle, ("alcohol",)))
    for index, keys in indexes:
        for key in keys:
            for rule in index.get(key, ()):
                found[rule.id] = rule
    return [found[rule_id] for rule_id in sorted(found)]


def _evaluate(
    rule: Rule, case: _Case, knowledge: Knowledge, limits: str
) -> list[Finding]:
    if rule.kind == "interaction":
        return _interaction(rule, case, knowledge)
    if rule.kind == "depletion":
        return _depletion(rule, case, knowledge)
    if rule.kind == "condition":
        return _condition(rule, case, knowledge)
    if rule.kind == "red_flag":
        return _red_flag(rule, case, knowledge)
    if rule.kind == "upper_limit":
        return _upper_limit(rule, case, knowledge, limits)
    return []


def _sources_for(rule: Rule, case: _Case, nutrient_id: str) -> list[NutrientSource]:
    sources = case.nutrients.get(nutrient_id, [])
    if rule.forms:
        sources = [s for s in sources if s.form in rule.forms]
    return sources


def _threshold(
    rule: Rule, sources: list[NutrientSource], unit: str
) -> tuple[bool, str]:
    """Whether a dose threshold is met.

    For condition rules (vitamin A in pregnancy) an unknown dose counts, since it
    could be over; elsewhere the "dose not known" finding already asks for the label.
    """
    if rule.min_daily is None:
        return bool(sources), ""
    total = sum(s.daily for s in sources if s.daily is not None)
    if total >= rule.min_daily:
        return True, f" The daily total found is {_amount(total)} {unit}."
    if rule.kind == "condition" and any(s.daily is None for s in sources):
        return True, (
            f" The dose of at least one product is not known, so a daily total of "
            f"{_amount(rule.min_daily)} {unit} or more could not be ruled out."
        )
    return False, ""


def _matching_drugs(rule: Rule, case: _Case, knowledge: Knowledge) -> list[str]:
    return sorted(
        drug_id
        for drug_id in case.drugs
        if drug_id in rule.drugs
        or set(knowledge.drugs[drug_id].classes) & set(rule.classes)
    )


def _present_nutrients(
    rule: Rule, case: _Case, knowledge: Knowledge
) -> Iterable[tuple[Nutrient, list[tuple[str, str]], str]]:
    """The rule's nutrients the client takes (past any threshold), with triggers."""
    for nutrient_id in rule.nutrients:
        sources = _sources_for(rule, case, nutrient_id)
        nutrient = knowledge.nutrients[nutrient_id]
        met, note = _threshold(rule, sources, nutrient.unit)
        if met:
            yield nutrient, [s.trigger for s in sources], note


def _interaction(rule: Rule, case: _Case, knowledge: Knowledge) -> list[Finding]:
    findings = []
    for nutrient, nutrient_triggers, note in _present_nutrients(rule, case, knowledge):
        nutrient_id = nutrient.id
        for drug_id in _matching_drugs(rule, case, knowledge):
            drug = knowledge.drugs[drug_id]
            names = {"drug": drug.name, "nutrient": nutrient.name, "with": ""}
            findings.append(
                _finding(
                    rule,
                    knowledge,
                    names,
                    (nutrient.name, drug.name),
                    knowledge.class_names(drug.classes),
                    nutrient_triggers + case.drugs[drug_id],
                    note,
                )
            )
        for other_id in rule.with_nutrients:
            other_sources = case.nutrients.get(other_id, [])
            if other_id == nutrient_id or not other_sources:
                continue
            other = knowledge.nutrients[other_id]
            names = {"drug": "", "nutrient": nutrient.name, "with": other.name}
            findings.append(
                _finding(
                    rule,
                    knowledge,
                    names,
                    (nutrient.name, other.name),
                    (),
                    nutrient_triggers + [s.trigger for s in other_sources],
                    note,
                )
            )
    return findings


def _depletion(rule: Rule, case: _Case, knowledge: Knowledge) -> list[Finding]:
    depleted = [knowledge.nutrients[n].name for n in rule.nutrients]
    nutrient_text = " and ".join(depleted)
    findings = []
    for drug_id in _matching_drugs(rule, case, knowledge):
        drug = knowledge.drugs[drug_id]
        names = {"drug": drug.name, "nutrient": nutrient_text}
        findings.append(
            _finding(
                rule,
                knowledge,
                names,
                (*depleted, drug.name),
                knowledge.class_names(drug.classes),
                case.drugs[drug_id],
            )
        )
    for cause_id in rule.by_nutrients:
        sources = case.nutrients.get(cause_id, [])
        cause = knowledge.nutrients[cause_id]
        met, note = _threshold(rule, sources, cause.unit)
        if sources and met:
            names = {"drug": cause.name, "nutrient": nutrient_text}
            findings.append(
                _finding(
                    rule,
                    knowledge,
                    names,
                    (*depleted, cause.name),
                    (),
                    [s.trigger for s in sources],
                    note,
                )
            )
    units = case.facts.alcohol_units_per_week
    threshold = rule.min_alcohol_units
    over = units is not None and threshold is not None and units > threshold
    if rule.lifestyle == "alcohol" and over:
        trigger = ("alcohol_units_per_week", f"Alcohol: {_amount(units)} units a week")
        names = {"drug": "alcohol", "nutrient": nutrient_text}
        findings.append(
            _finding(rule, knowledge, names, (*depleted, "alcohol"), (), [trigger])
        )
    return findings


def _condition(rule: Rule, case: _Case, knowledge: Knowledge) -> list[Finding]:
    findings = []
    for nutrient, triggers, note in _present_nutrients(rule, case, knowledge):
        for condition_id in rule.conditions:
            if condition_id not in case.conditions:
                continue
            condition = knowledge.conditions[condition_id]
            names = {
                "nutrient": nutrient.name,
                "condition": condition.name,
                "symptom": "",
            }
            findings.append(
                _finding(
                    rule,
                    knowledge,
                    names,
                    (nutrient.name, condition.name),
                    (),
                    triggers + case.conditions[condition_id],
                    note,
                )
            )
        for key in rule.symptoms:
            score = case.facts.symptoms.get(key, 0)
            if score >= rule.min_score:
                symptom = key.replace("_", " ")
                names = {"nutrient": nutrient.name, "condition": "", "symptom": symptom}
                trigger = (f"symptoms.{key}", f"{_symptom_label(key)}: {score} of 3")
                findings.append(
                    _finding(
                        rule,
                        knowledge,
                        names,
                        (nutrient.name, symptom),
                        (),
                        [*triggers, trigger],
                        note,
                    )
                )
    return findings


def _red_flag(rule: Rule, case: _Case, knowledge: Knowledge) -> list[Finding]:
    findings = []
    for key in rule.symptoms:
        score = case.facts.symptoms.get(key, 0)
        if score >= rule.min_score:
            trigger = (f"symptoms.{key}", f"{_symptom_label(key)}: {score} of 3")
            names = {"symptom": key.replace("_", " ")}
            subjects = (key.replace("_", " "),)
            findings.append(_finding(rule, knowledge, names, subjects, (), [trigger]))
    return findings


def _symptom_label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _upper_limit(
    rule: Rule, case: _Case, knowledge: Knowledge, limits: str
) -> list[Finding]:
    nutrient = knowledge.nutrients[rule.nutrients[0]]
    counted = [
        s
        for s in case.nutrients.get(nutrient.id, [])
        if s.daily is not None and s.counts_toward_limit
    ]
    if not counted:
        return []
    limit, fallback = _choose_limit(rule, limits, case.facts.age)
    if limit is None:
        return []
    total = sum(s.daily for s in counted)
    if total <= limit.amount:
        return []
    unit = nutrient.unit
    lines = "; ".join(f"{s.trigger[1]}: {_amount(s.daily)} {unit}" for s in counted)
    used = f"{limit.label}, {_amount(limit.amount)} {unit} a day ({limit.evidence})"
    if fallback:
        used += "; the UK set has no value for this nutrient, so the EU limit is used"
    note = (
        f" Total {nutrient.name}: {_amount(total)} {unit} a day ({lines})."
        f" Limit used: {used}."
    )
    missing = [s for s in case.nutrients.get(nutrient.id, []) if s.daily is None]
    if missing:
        labels = "; ".join(s.trigger[1] for s in missing)
        note += f" Not counted (dose not known): {labels}."
    finding = _finding(
        rule,
        knowledge,
        {"nutrient": nutrient.name},
        (nutrient.name,),
        (),
        [s.trigger for s in counted],
        note,
    )
    return [
        Finding(
            **{
                **finding.__dict__,
                "sources": limit.sources,
                "evidence": f"{limit.evidence}: limit used: {limit.label}",
            }
        )
    ]


def _choose_limit(
    rule: Rule, chosen: str, age: int | None
) -> tuple[Limit | None, bool]:
    limits = rule.limits.get(chosen, ())
    fallback = False
    if not limits and chosen == "uk":
        limits, fallback = rule.limits.get("eu", ()), True
    applicable = [limit for limit in limits if limit.applies_to(age)]
    if not applicable:
        return None, False
    # With the age unknown several may apply: the lowest is the safe choice.
    return min(applicable, key=lambda limit: (limit.amount, limit.label)), fallback


def _dose_unknown_findings(case: _Case, knowledge: Knowledge) -> None:
    """Say which products were left out of dose checks, rather than skip them."""
    dose_checked = {
        n
        for r in knowledge.rules.values()
        if r.kind == "upper_limit" or r.min_daily is not None
        for n in (*r.nutrients, *r.by_nutrients)
    }
    rule = knowledge.rules["unrecognised-dose"]
    for nutrient_id in sorted(case.nutrients):
        if nutrient_id not in dose_checked:
            continue
        nutrient = knowledge.nutrients[nutrient_id]
        for source in case.nutrients[nutrient_id]:
            if source.daily is None:
                names = {
                    "entry": source.trigger[1],
                    "nutrient": nutrient.name,
                    "detail": f" ({source.unknown_reason})"
                    if source.unknown_reason
                    else "",
                }
                case.findings.append(
                    _finding(
                        rule, knowledge, names, (nutrient.name,), (), [source.trigger]
                    )
                )


# --- building findings ------------------------------------------------------------


class _Names(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(text: str, names: Mapping[str, str]) -> str:
    filled = string.Formatter().vformat(text, (), _Names(names))
    return filled[:1].upper() + filled[1:]


def _finding(
    rule: Rule,
    knowledge: Knowledge,
    names: Mapping[str, str],
    subjects: Iterable[str],
    classes: Iterable[str],
    triggers: Iterable[tuple[str, str]],
    note: str = "",
) -> Finding:
    return Finding(
        rule=rule.id,
        kind=rule.kind,
        severity=rule.severity,
        subjects=tuple(dict.fromkeys(subjects)),
        classes=tuple(sorted(set(classes))),
        title=_fill(rule.title, names),
        message=_fill(rule.mechanism, names) + note,
        action=_fill(rule.action, names),
        spacing_hours=rule.spacing_hours,
        sources=rule.sources,
        triggers=tuple(dict.fromkeys(triggers)),
        evidence=rule.evidence_text,
        knowledge_version=knowledge.version,
    )


def _amount(value: float) -> str:
    rounded = round(value, 1)
    return str(int(rounded)) if float(rounded).is_integer() else f"{rounded:g}"
