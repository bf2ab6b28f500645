"""One form per questionnaire section, built from its questions.

Values are stored as typed (see models.Answer), so these forms validate and
explain; they never convert what the client wrote into something else."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.datastructures import MultiValueDict

from questionnaires.models import (
    Answer,
    Question,
    QuestionKind,
)

SYMPTOM_CHOICES = [
    ("0", "None"),
    ("1", "Mild or occasional"),
    ("2", "Moderate or frequent"),
    ("3", "Severe or constant"),
]
YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]
LIST_KINDS = (QuestionKind.MEDICATIONS, QuestionKind.SUPPLEMENTS)


def field_name(question: Question) -> str:
    return f"q{question.pk}"


def parse_number(text: str) -> Decimal | None:
    """A number as people type it ("1,5" is 1.5); None if it is not one."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class NumberField(forms.CharField):
    """A number kept as the text typed, with a clear message when it is not one.

    A text input (with a numeric keyboard on phones) rather than type=number, so
    that letters typed by mistake stay visible with a message instead of being
    silently dropped by the browser.
    """

    def __init__(
        self,
        *,
        integer: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
        unit: str = "",
        **kwargs,
    ) -> None:
        self.integer = integer
        self.min_value = min_value
        self.max_value = max_value
        self.unit = unit
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "numeric" if self.integer else "decimal"
        attrs["autocomplete"] = "off"
        attrs["class"] = "number-input"
        return attrs

    def clean(self, value):
        text = super().clean(value)
        if text == "":
            return text
        number = parse_number(text)
        unit = f" {self.unit}" if self.unit else ""
        if number is None:
            example = "12" if self.integer else "12 or 2.5"
            raise forms.ValidationError(
                f"Enter a number, for example {example}{unit}.", code="not_a_number"
            )
        if self.integer and number != number.to_integral_value():
            raise forms.ValidationError(
                "Enter a whole number, without a decimal point.", code="not_whole"
            )
        if self.min_value is not None and number < Decimal(str(self.min_value)):
            raise forms.ValidationError(
                f"Enter a number of at least {self.min_value:g}{unit}.",
                code="too_small",
            )
        if self.max_value is not None and number > Decimal(str(self.max_value)):
            raise forms.ValidationError(
                f"Enter a number of no more than {self.max_value:g}{unit}.",
                code="too_large",
            )
        return text.strip()


class PastDateField(forms.DateField):
    """A date that has already happened (a birthday, a start date)."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self, value):
        date = super().clean(value)
        if date is None:
            return ""
        if date > datetime.date.today():
            raise forms.ValidationError("Enter a date in the past.", code="future_date")
        if date.year < 1900:
            raise forms.ValidationError(
                "Enter a date after 1900, for example 14 03 1952.", code="too_early"
            )
        return date.isoformat()


def build_field(question: Question) -> forms.Field:
    """The form field a client answers this question with."""
    kind = question.kind
    options = question.options or {}
    common = {
        "label": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "error_messages": {"required": "Please answer this question."},
    }
    if kind == QuestionKind.SHORT_TEXT:
        return forms.CharField(max_length=300, **common)
    if kind == QuestionKind.LONG_TEXT:
        return forms.CharField(
            max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if kind in (QuestionKind.INTEGER, QuestionKind.DECIMAL):
        return NumberField(
            integer=kind == QuestionKind.INTEGER,
            min_value=options.get("min"),
            max_value=options.get("max"),
            unit=options.get("unit", ""),
            **common,
        )
    if kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common
        )
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[tuple(c) for c in question.choices],
            widget=forms.RadioSelect,
            **common,
        )
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[tuple(c) for c in question.choices],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if kind == QuestionKind.DATE:
        return PastDateField(**common)
    if kind == QuestionKind.SYMPTOM_SCALE:
        return forms.ChoiceField(
            choices=SYMPTOM_CHOICES, widget=forms.RadioSelect, **common
        )
    if kind == QuestionKind.CONSENT:
        common["error_messages"] = {
            "required": "Please tick the box to agree, so that your practitioner "
            "can use your answers."
        }
        return forms.BooleanField(**common)
    raise ValueError(f"No form field for question kind {kind!r}")


def stored_to_data(questions: list[Question], answers: dict[int, Answer]):
    """Form data made from stored answers, to validate them as if just posted."""
    data = MultiValueDict()
    for question in questions:
        answer = answers.get(question.pk)
        value = answer.value if answer else None
        name = field_name(question)
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        elif question.kind == QuestionKind.CONSENT:
            if value == "yes":
                data[name] = "on"
        elif value not in (None, ""):
            data[name] = str(value)
    return data


def raw_value(question: Question, data) -> str | list[str] | None:
    """What the client entered for one question, unvalidated, ready to store.

    A choice that is not one of the question's choices cannot come from the page,
    so it is not kept; NUL bytes are dropped (PostgreSQL cannot store them).
    """
    name = field_name(question)
    choices = _choice_values(question)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = [str(v) for v in data.getlist(name) if str(v) in choices]
        return values or None
    if question.kind == QuestionKind.CONSENT:
        return "yes" if data.get(name) else None
    value = data.get(name)
    if value in (None, ""):
        return None
    if choices is not None and str(value) not in choices:
        return None
    return without_nul(str(value))[:5000] or None


def without_nul(text: str) -> str:
    return text.replace("\x00", "")


def _choice_values(question: Question) -> set[str] | None:
    """The values a choice question accepts; None for a question typed freely."""
    if question.kind == QuestionKind.SYMPTOM_SCALE:
        return {value for value, _ in SYMPTOM_CHOICES}
    if question.kind == QuestionKind.YES_NO:
        return {value for value, _ in YES_NO_CHOICES}
    if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return {str(choice[0]) for choice in question.choices}
    return None


class SectionForm(forms.Form):
    """The questions of one section (the structured lists are separate forms)."""

    def __init__(self, questions: list[Question], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = [q for q in questions if q.kind not in LIST_KINDS]
        for question in self.questions:
            self.fields[field_name(question)] = build_field(question)


def initial_from_answers(questions: list[Question], answers: dict[int, Answer]):
    initial = {}
    for question in questions:
        answer = answers.get(question.pk)
        if answer is None or answer.value in (None, ""):
            continue
        if question.kind == QuestionKind.CONSENT:
            initial[field_name(question)] = answer.value == "yes"
        else:
            initial[field_name(question)] = answer.value
    return initial
