"""Build the engine's CaseFacts from a stored response.

The engine reads concepts, never questions, so any questionnaire version can be
checked. Answers are validated before submission, but a version may change and a
reopened case may hold drafts, so every value is parsed leniently: what does not
parse is left out rather than guessed, and the engine then says what it could not
check (an unknown dose, an unrecognised entry) instead of staying silent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from questionnaires.followups.visits import visit_answers
from questionnaires.intake.forms import applies
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.interactions.facts import (
    BASES,
    SEXES,
    UNITS,
    CaseFacts,
    MedicationEntry,
    SupplementEntry,
)
from questionnaires.interactions.knowledge import Knowledge
from questionnaires.models import Medication, PlanItem, Response, Supplement
from questionnaires.values import age_on, iso_date, parse_number, symptom_score

SYMPTOM_PREFIX = "symptom:"
_YES = {"yes", "true", "y"}
_LIST_SPLIT = re.compile(r"[\n,;]+")
# Free-text answers read for red-flag words ("black stools" typed anywhere).
FREE_TEXT_CONCEPTS = (
    "medical_history",
    "allergies",
    "typical_day",
    "exercise",
    "goals",
    "goals_priority",
    "anything_else",
)


def build_case_facts(
    response: Response,
    *,
    extra_supplements: Iterable[SupplementEntry] = (),
    knowledge: Knowledge | None = None,
) -> CaseFacts:
    """Read a response's answers and list rows into CaseFacts (three queries).

    `extra_supplements` are checked alongside the client's own products, e.g. the
    practitioner's plan rows (refs like "plan:<code>"). `knowledge` names the
    conditions ticked by id; it defaults to the loaded knowledge base.
    """
    knowledge = knowledge or knowledge_base.load()
    if response.follows_id:
        # What a follow-up does not ask still holds from the visit before it.
        answers = visit_answers(response)
    else:
        # Only each question's concept: its text and choices are not needed here.
        answers = {
            concept: value
            for concept, value in response.answers.values_list(
                "question__concept", "value"
            )
            if value not in (None, "", [])
        }
    on = (
        timezone.localtime(response.submitted_at).date()
        if response.submitted_at
        else timezone.localdate()
    )
    # A product the client has stopped is no longer one of their facts.
    supplements = [
        supplement_entry(row)
        for row in response.supplements.all()
        if not row.is_blank and not row.is_stopped
    ]
    return CaseFacts(
        age=_age(iso_date(answers.get("date_of_birth")), on),
        sex=_choice(answers.get("sex"), SEXES),
        pregnant=_yes(answers.get("pregnant")) and applies("pregnant", answers, on),
        breastfeeding=_yes(answers.get("breastfeeding"))
        and applies("breastfeeding", answers, on),
        conditions=_conditions(answers, knowledge),
        medications=tuple(
            medication_entry(row)
            for row in response.medications.all()
            if not row.is_blank and not row.is_stopped
        ),
        supplements=(*supplements, *extra_supplements),
        alcohol_units_per_week=_number(answers.get("alcohol_units_per_week")),
        diet_pattern=_text(answers.get("diet_pattern")).lower(),
        symptoms=_symptoms(answers),
        smoker=_text(answers.get("smoking")).lower() == "current",
        notes={
            c: _text(answers[c]) for c in FREE_TEXT_CONCEPTS if _text(answers.get(c))
        },
    )


def medication_entry(row: Medication) -> MedicationEntry:
    """One medication row as the engine reads it; the ref survives re-runs."""
    return MedicationEntry(
        name=row.name.strip(),
        strength=row.strength.strip(),
        frequency=row.frequency.strip(),
        since=row.since.strip(),
        reason=row.reason.strip(),
        ref=f"medication:{row.code}",
        matched_as=row.matched_as,
    )


def supplement_entry(row: Supplement) -> SupplementEntry:
    """One supplement row as the engine reads it."""
    return _dose_entry(
        row,
        ref=f"supplement:{row.code}",
        known=not row.amount_unknown,
        basis=row.basis if row.basis in BASES else "elemental",
        amount_unknown=row.amount_unknown,
        matched_as=row.matched_as,
    )


def plan_entry(row: PlanItem) -> SupplementEntry:
    """One plan row; amounts are what the product label states (elemental)."""
    return _dose_entry(row, ref=f"plan:{row.code}")


def _dose_entry(
    row: Supplement | PlanItem, *, ref: str, known: bool = True, **extra: Any
) -> SupplementEntry:
    """An amount that does not parse, is not positive or has an unknown unit is left
    out (None) so the engine reports the dose as unknown rather than miscounting."""
    amount = _positive(row.amount_value) if known else None
    unit = row.unit if row.unit in UNITS else ""
    per_day = _positive(row.per_day_value)
    return SupplementEntry(
        name=(row.product or row.nutrient).strip(),
        nutrient=row.nutrient.strip(),
        form=row.form.strip(),
        amount=amount if unit else None,
        unit=unit or "mg",
        per_day=1 if per_day is None else per_day,
        ref=ref,
        **extra,
    )


# --- answers --------------------------------------------------------------------


def _conditions(answers: dict[str, Any], knowledge: Knowledge) -> tuple[str, ...]:
    """Ticked condition ids by their name (an exact match), then typed ones."""
    ticked = answers.get("conditions", [])
    if isinstance(ticked, str):
        ticked = [ticked]
    names = [
        knowledge.conditions[c].name
        if c in knowledge.conditions
        else c.replace("_", " ")
        for c in ticked
        if isinstance(c, str) and c.strip()
    ]
    names += _LIST_SPLIT.split(_text(answers.get("conditions_other")))
    unique: dict[str, str] = {}
    for name in names:
        if name.strip():
            unique.setdefault(name.strip().lower(), name.strip())
    return tuple(unique.values())


def _symptoms(answers: dict[str, Any]) -> dict[str, int]:
    scores = {}
    for concept, value in answers.items():
        if concept.startswith(SYMPTOM_PREFIX):
            score = symptom_score(value)
            if score is not None:
                scores[concept.removeprefix(SYMPTOM_PREFIX)] = score
    return scores


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _yes(value: Any) -> bool:
    return value is True or _text(value).lower() in _YES


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    text = _text(value).lower()
    return text if text in choices else ""


def _number(value: Any) -> float | None:
    """A number zero or more, from "2.5", "2,5" or 2.5; None if it does not parse."""
    parsed = None if isinstance(value, bool) else parse_number(value)
    if parsed is None:
        return None
    number = float(parsed)
    return number if math.isfinite(number) and number >= 0 else None


def _positive(value: Decimal | None) -> float | None:
    if value is None or value <= 0:
        return None
    return float(value)


def _age(born: date | None, on: date) -> int | None:
    if born is None or born > on:
        return None
    age = age_on(born, on)
    return age if age <= 130 else None
