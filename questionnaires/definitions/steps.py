"""A questionnaire version as pages (steps), kept once per process when frozen.

A published (or retired) version never changes (the models refuse it), so its
sections and questions are read from the database once per process rather than
on every step, autosave, review and case page; a draft is read afresh each time,
as the admin may be editing it. The markup of a choice question, which is the
same for every client who gave the same answer, is kept on its step too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.db.models import Prefetch
from django.utils.safestring import SafeString

from questionnaires.intake.forms import LIST_KINDS
from questionnaires.models import Question, QuestionnaireVersion, Section

#: Frozen versions kept per process: a practice has a handful in use at once.
KEPT_VERSIONS = 16


@dataclass(eq=False)
class Step:
    """One page of the questionnaire: a section and its questions.

    Shared between requests when its version is frozen: read it, never change it.
    """

    number: int
    section: Section
    questions: list[Question]
    # Rendered choice questions by (question id, answer): see field_html().
    markup: dict[tuple[int, str | None], SafeString] = field(
        default_factory=dict, repr=False
    )

    @property
    def list_kinds(self) -> set[str]:
        return {q.kind for q in self.questions if q.kind in LIST_KINDS}


def steps_for(version: QuestionnaireVersion) -> list[Step]:
    """Every step of a version, in order (two queries, or none once kept)."""
    if not version.is_frozen:
        return _read_steps(version)
    # The id alone is not enough: SQLite hands out a rolled-back id again (tests),
    # so the key also says when the version was made and published.
    key = (version.pk, version.created_at, version.published_at)
    with _lock:
        steps = _kept.get(key)
        if steps is not None:
            _kept.move_to_end(key)
            return list(steps)
    steps = _read_steps(version)
    with _lock:
        _kept[key] = steps
        while len(_kept) > KEPT_VERSIONS:
            _kept.popitem(last=False)
    return list(steps)


def forget_kept_steps() -> None:
    """Drop every kept version (for tests that change a frozen version's rows)."""
    with _lock:
        _kept.clear()


_kept: OrderedDict[tuple, list[Step]] = OrderedDict()
_lock = threading.Lock()


def _read_steps(version: QuestionnaireVersion) -> list[Step]:
    sections = version.sections.order_by("position").prefetch_related(
        Prefetch("questions", queryset=Question.objects.order_by("position"))
    )
    return [
        Step(number=i, section=s, questions=list(s.questions.all()))
        for i, s in enumerate(sections, start=1)
    ]


def field_html(step: Step, question: Question, bound: forms.BoundField) -> SafeString:
    """The question's markup (label, help, input, errors) as crispy renders it.

    An unbound radio question (a symptom scale, yes/no, a single choice) renders
    the same for everyone who gave the same answer, so each answer's markup is
    rendered once and kept on the step; anything else is rendered every time.
    """
    if bound.form.is_bound or not isinstance(bound.field.widget, forms.RadioSelect):
        return as_crispy_field(bound)
    value = bound.value()
    if value not in (None, "") and not (
        isinstance(value, str) and value in _choice_values(bound.field)
    ):
        return as_crispy_field(bound)  # an odd stored value: not worth keeping
    key = (question.pk, value or None)
    html = step.markup.get(key)
    if html is None:
        html = step.markup[key] = as_crispy_field(bound)
    return html


def _choice_values(choice_field: forms.ChoiceField) -> set[str]:
    return {str(value) for value, _ in choice_field.choices}
