"""The top of the case page: what a practitioner needs in the first two minutes.

Built from what the page already loads (the answers for reading, the case facts,
the current findings): who the client is, what they take as the check understood
it, the undecided red flags and major findings, their goals and worst symptoms.
No query of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.text import capfirst

from questionnaires.advice.timetable import duration_words
from questionnaires.models import Finding, QuestionKind
from questionnaires.templatetags.answers import answer_text
from questionnaires.values import symptom_score

# Symptoms scored at least this ("moderate or frequent") count as the worst ones.
WORST_SCORE = 2
WORST_LIMIT = 6

# What a finding's evidence level means, in words (docs/knowledge-base.md).
EVIDENCE_WORDS = {
    "V1": "Checked against the official text (UK product information, MHRA, NICE, "
    "EFSA or the US Institute of Medicine).",
    "V2": "Seen only as a quote or summary of the named source; not yet checked "
    "against the original.",
    "C": "Worked out here from the chemistry (elemental fractions of salt forms).",
    "U": "Not verified: background knowledge or a weak source only.",
}


@dataclass(frozen=True)
class Symptom:
    label: str
    score: int
    text: str  # as the client chose it, "Severe or constant"


@dataclass(frozen=True)
class Understood:
    """One medicine or supplement entry and what the check took it to be."""

    kind: str  # "medication" or "supplement"
    code: str
    label: str
    matched: str  # "alendronic acid (bisphosphonates)", or "" if not recognised
    by_hand: bool


def overview(
    *, reading: dict, medication_rows, supplement_rows, earlier: list[dict] = ()
) -> dict:
    """The facts for the case page's first screen; `earlier` visits (newest first)
    answer what this one did not ask."""
    answers = {}
    for visit in (*reversed(earlier), reading):
        answers.update(_answers_by_concept(visit))
    conditions = [
        text
        for concept in ("conditions", "conditions_other")
        if (text := answers.get(concept, ""))
    ]
    return {
        "conditions": conditions,
        "goals_priority": answers.get("goals_priority", ""),
        "worst_symptoms": _worst_symptoms(reading),
        "glance_entries": [
            *(_understood("medication", row, match) for row, match in medication_rows),
            *(_understood("supplement", row, match) for row, match in supplement_rows),
        ],
    }


def split_decided(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(undecided, decided), each in the order given."""
    return (
        [f for f in findings if not f.is_decided],
        [f for f in findings if f.is_decided],
    )


def evidence_words(evidence: str) -> str:
    """ "V2: note" -> what V2 means, then the note."""
    level, _, note = (evidence or "").partition(":")
    meaning = EVIDENCE_WORDS.get(level.strip(), "")
    if not meaning:
        return evidence or ""
    return f"{meaning} {note.strip()}".strip()


def spacing_words(hours: Decimal | float | None) -> str:
    """0.5 -> "30 minutes", 4 -> "4 hours"; "" for no spacing."""
    return "" if hours is None else duration_words(hours)


def _answers_by_concept(reading: dict) -> dict[str, str]:
    """concept -> the answer as the client chose it."""
    found = {}
    for section in reading["sections"]:
        for question, answer in section["rows"]:
            if question.concept and answer is not None:
                found[question.concept] = answer_text(question, answer)
    return found


def _worst_symptoms(reading: dict) -> list[Symptom]:
    symptoms = []
    for section in reading["sections"]:
        for question, answer in section["rows"]:
            if question.kind != QuestionKind.SYMPTOM_SCALE or answer is None:
                continue
            score = symptom_score(answer.value)
            if score is not None and score >= WORST_SCORE:
                # The key reads well ("muscle_cramps"); the question is a sentence.
                key = question.concept.removeprefix("symptom:")
                symptoms.append(
                    Symptom(
                        capfirst(key.replace("_", " ")),
                        score,
                        answer_text(question, answer),
                    )
                )
    symptoms.sort(key=lambda s: -s.score)  # stable: questionnaire order within
    return symptoms[:WORST_LIMIT]


def _understood(kind: str, row, match) -> Understood:
    if kind == "medication":
        label = " ".join(p for p in (row.name, row.strength) if p).strip()
    else:
        label = (row.product or row.nutrient or "").strip()
    matched = ""
    if match is not None and match.recognised:
        parts = [
            f"{d.name} ({', '.join(d.classes)})" if d.classes else d.name
            for d in match.drugs
        ]
        parts += [
            ", ".join(p for p in (n.name, n.form.replace("_", " "), n.daily) if p)
            for n in match.nutrients
        ]
        matched = "; ".join(parts)
    return Understood(
        kind=kind,
        code=str(row.code),
        label=label or "(no name)",
        matched=matched,
        by_hand=bool(row.matched_as),
    )
