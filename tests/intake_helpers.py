"""The shipped questionnaire and ways to answer it, for the intake tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from questionnaires.definitions.loader import (
    QuestionnaireSpec,
    load_spec,
    read_questionnaire,
)
from questionnaires.models import QuestionKind, QuestionnaireVersion, Response, Step

DATA = Path(__file__).resolve().parent.parent / "questionnaires/data"
SHIPPED = DATA / "health.toml"


@cache
def _spec(path: Path) -> QuestionnaireSpec:
    """Read and check a data file once a run; hundreds of tests load one."""
    return read_questionnaire(path)


def load_questionnaire(path: Path | str) -> QuestionnaireVersion:
    """Load a data file; return the version holding its content (new or not)."""
    version, _created = load_spec(read_questionnaire(path))
    return version


def shipped_version() -> QuestionnaireVersion:
    """Load the shipped questionnaire, as `load_questionnaire` would."""
    return load_spec(_spec(SHIPPED))[0]


def shipped_follow_up() -> QuestionnaireVersion:
    return load_spec(_spec(DATA / "followup.toml"))[0]


def step_url(response: Response, number: int) -> str:
    return f"/q/{response.code}/step/{number}/"


def question(response: Response, concept: str):
    return response.version.questions.get(concept=concept)


def name_of(response: Response, concept: str) -> str:
    return f"q{question(response, concept).pk}"


def valid_answers(step: Step) -> dict[str, object]:
    """Form data that answers every question of a step acceptably."""
    data: dict[str, object] = {}
    for q in step.questions:
        name = f"q{q.pk}"
        unit = (q.options or {}).get("unit")
        if q.kind == QuestionKind.DATE:  # three boxes: day, month, year
            data.update({f"{name}_day": "14", f"{name}_month": "3"})
            data[f"{name}_year"] = "1952"
        elif unit in ("cm", "kg"):  # metric, or feet and inches / stones and pounds
            data[f"{name}_{unit}"] = str(max((q.options or {}).get("min", 0), 1))
        elif q.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            data[name] = "Feel more energetic"
        elif q.kind in (QuestionKind.INTEGER, QuestionKind.DECIMAL):
            low = (q.options or {}).get("min", 0)
            data[name] = str(max(low, 1))
        elif q.kind == QuestionKind.YES_NO:
            data[name] = "no"
        elif q.kind == QuestionKind.SINGLE_CHOICE:
            data[name] = q.choices[0][0]
        elif q.kind == QuestionKind.MULTIPLE_CHOICE:
            data[name] = [q.choices[0][0]]
        elif q.kind == QuestionKind.SYMPTOM_SCALE:
            data[name] = "0"
        elif q.kind == QuestionKind.CONSENT:
            data[name] = "on"
    return data


def answer_everything(client, response: Response) -> None:
    """Go through every step with acceptable answers, as a client would."""
    for step in response.version.steps():
        result = client.post(
            step_url(response, step.number),
            {**valid_answers(step), "action": "continue"},
        )
        assert result.status_code == 302, (step.number, result.content[:3000])
