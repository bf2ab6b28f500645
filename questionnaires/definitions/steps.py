"""A step's question markup, kept on the step when its version is frozen.

A version's steps are read by `QuestionnaireVersion.steps()`, once per process
when frozen. The markup of a choice question, which is the same for every client
who gave the same answer, is kept on its step too.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.utils.safestring import SafeString

from questionnaires.models import Question, Step


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
