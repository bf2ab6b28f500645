"""Symptom scores per body system, for the practitioner's review chart.

Each symptom is scored 0 (none) to 3 (severe or all the time). Decisions:

- The maximum of a body system is 3 x the symptom questions *asked* in the
  response's questionnaire version, not those answered, so a chart's scale is the
  same for every client on that version and a skipped question cannot make a
  system look worse than it is.
- An unanswered (or unreadable) symptom counts as 0: symptom questions are
  optional, and a client who skips one usually has nothing to report. `answered`
  says how many were answered, so the chart can show "9 of 11 answered".
- Body systems come in the questionnaire's order (section, then question); a symptom
  question without a body system is grouped under "other".
"""

from __future__ import annotations

from dataclasses import dataclass

from questionnaires.models import Answer, Question, QuestionKind, Response
from questionnaires.values import symptom_score

MAX_SCORE = 3
OTHER_SYSTEM = "other"


@dataclass(frozen=True)
class SystemScore:
    """The total of one body system's symptoms."""

    body_system: str
    total: int
    asked: int
    answered: int

    @property
    def maximum(self) -> int:
        return MAX_SCORE * self.asked


@dataclass(frozen=True)
class SymptomScores:
    """Per-system totals in the questionnaire's order, and the overall total."""

    systems: tuple[SystemScore, ...]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.systems)

    @property
    def maximum(self) -> int:
        return sum(s.maximum for s in self.systems)

    @property
    def asked(self) -> int:
        return sum(s.asked for s in self.systems)

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.systems)

    def for_system(self, body_system: str) -> SystemScore | None:
        return next((s for s in self.systems if s.body_system == body_system), None)


@dataclass(frozen=True)
class SystemChange:
    """One body system's total then and now; None where a version did not ask it."""

    body_system: str
    earlier: int | None
    later: int | None

    @property
    def change(self) -> int | None:
        if self.earlier is None or self.later is None:
            return None
        return self.later - self.earlier


@dataclass(frozen=True)
class ScoreChange:
    """How a client's symptom totals moved between two submissions."""

    systems: tuple[SystemChange, ...]
    earlier_total: int
    later_total: int

    @property
    def change(self) -> int:
        return self.later_total - self.earlier_total

    def for_system(self, body_system: str) -> SystemChange | None:
        return next((s for s in self.systems if s.body_system == body_system), None)


def symptom_scores(response: Response) -> SymptomScores:
    """Total a response's symptom answers by body system (two queries)."""
    questions = (
        Question.objects.filter(
            version_id=response.version_id, kind=QuestionKind.SYMPTOM_SCALE
        )
        .order_by("section__position", "position")
        .values_list("pk", "options")
    )
    values = dict(
        Answer.objects.filter(
            response=response, question__kind=QuestionKind.SYMPTOM_SCALE
        ).values_list("question_id", "value")
    )
    totals: dict[str, list[int]] = {}  # system -> [total, asked, answered]
    for pk, options in questions:
        system = (options or {}).get("body_system") or OTHER_SYSTEM
        counts = totals.setdefault(system, [0, 0, 0])
        score = symptom_score(values.get(pk))
        counts[1] += 1
        if score is not None:
            counts[0] += score
            counts[2] += 1
    return SymptomScores(
        tuple(SystemScore(system, *counts) for system, counts in totals.items())
    )


def score_change(earlier: SymptomScores, later: SymptomScores) -> ScoreChange:
    """Compare an earlier submission's scores with a later one's, per body system.

    Systems follow the later questionnaire's order, then any only the earlier one
    asked (their change is None). Totals are compared as they are; when the two
    versions ask different numbers of questions their `maximum`s differ, which the
    chart should show next to the change.
    """
    before = {s.body_system: s.total for s in earlier.systems}
    after = {s.body_system: s.total for s in later.systems}
    names = [*after, *(name for name in before if name not in after)]
    return ScoreChange(
        systems=tuple(
            SystemChange(name, before.get(name), after.get(name)) for name in names
        ),
        earlier_total=earlier.total,
        later_total=later.total,
    )
