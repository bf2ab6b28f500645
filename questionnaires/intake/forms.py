"""One form per questionnaire section, built from its questions.

Values are stored as typed (see models.Answer), so these forms validate and
explain; they never convert what the client wrote into something else."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.datastructures import MultiValueDict

from questionnaires.intake.fields import NumberField, PartsField, PastDateField
from questionnaires.intake.measure_field import IMPERIAL, MeasureField
from questionnaires.models import (
    LIST_KINDS,
    Answer,
    Question,
    QuestionKind,
)
from questionnaires.values import age_on, iso_date, without_nul

SYMPTOM_CHOICES = [
    ("0", "None"),
    ("1", "Mild or occasional"),
    ("2", "Moderate or frequent"),
    ("3", "Severe or constant"),
]


YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]


def field_name(question: Question) -> str:
    return f"q{question.pk}"


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
    if (
        kind in (QuestionKind.INTEGER, QuestionKind.DECIMAL)
        and options.get("unit") in IMPERIAL
    ):
        return MeasureField(
            imperial=IMPERIAL[options["unit"]],
            integer=kind == QuestionKind.INTEGER,
            min_value=options.get("min"),
            max_value=options.get("max"),
            **common,
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


def parts_field(question: Question) -> PartsField | None:
    """The question's field if it is answered in several boxes, else None."""
    if question.kind not in (
        QuestionKind.DATE,
        QuestionKind.INTEGER,
        QuestionKind.DECIMAL,
    ):
        return None
    field = build_field(question)
    return field if isinstance(field, PartsField) else None


def stored_to_data(questions: list[Question], answers: dict[int, Answer]):
    """Form data made from stored answers, to validate them as if just posted."""
    data = MultiValueDict()
    for question in questions:
        answer = answers.get(question.pk)
        value = answer.value if answer else None
        name = field_name(question)
        field = parts_field(question)
        if field is not None:
            if value not in (None, ""):
                data.update(field.data_for(name, str(value)))
        elif isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        elif question.kind == QuestionKind.CONSENT:
            if value == "yes":
                data[name] = "on"
        elif value not in (None, ""):
            data[name] = str(value)
    return data


def raw_value(
    question: Question, data, stored: object = None
) -> str | list[str] | None:
    """What the client entered for one question, unvalidated, ready to store.

    A choice that is not one of the question's choices cannot come from the page,
    so it is not kept; NUL bytes are dropped (PostgreSQL cannot store them). For a
    question in several boxes, a box not posted keeps its part of `stored`.
    """
    name = field_name(question)
    choices = _choice_values(question)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = [str(v) for v in data.getlist(name) if str(v) in choices]
        return values or None
    if question.kind == QuestionKind.CONSENT:
        return "yes" if data.get(name) else None
    field = parts_field(question)
    if field is not None:
        return field.stored_value(data, name, stored)
    value = data.get(name)
    if value in (None, ""):
        return None
    if choices is not None and str(value) not in choices:
        return None
    return without_nul(str(value))[:5000] or None


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
    """The questions of one section (the structured lists are separate forms).

    `skip` leaves out questions that cannot apply to this person (see `applies`).
    Every error message starts with its question, so that the list of problems at
    the top of the page and on the review page says which answer to look at.
    """

    def __init__(
        self, questions: list[Question], *args, skip: set[int] = frozenset(), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = [
            q for q in questions if q.kind not in LIST_KINDS and q.pk not in skip
        ]
        for question in self.questions:
            self.fields[field_name(question)] = build_field(question)

    def full_clean(self) -> None:
        super().full_clean()
        for question in self.questions:
            name = field_name(question)
            if name not in self._errors or question.kind == QuestionKind.CONSENT:
                continue
            self._errors[name] = self.error_class(
                [
                    forms.ValidationError(
                        named_message(question.text, message), code=error.code
                    )
                    for error in self._errors[name].as_data()
                    for message in error.messages
                ],
                renderer=self.renderer,
            )


def named_message(question_text: str, message: str) -> str:
    """ "How tall are you? Enter a number of at least 50 cm." """
    text = question_text.strip()
    return f"{text} {message}" if text.endswith("?") else f"{text}: {message}"


# Questions that cannot apply to some people, by concept: asked only when the
# answers so far leave it possible. The age is a choice of ours, well past the
# usual age of the menopause (45 to 55, NICE NG23), not a clinical threshold.
NOT_ASKED_FROM_AGE = 60


_ONLY_SOME_PEOPLE = frozenset({"pregnant", "breastfeeding"})


def applies(concept: str, values: dict[str, object], on: datetime.date) -> bool:
    """Whether a question can apply, given answers by concept so far.

    Pregnancy and breastfeeding are not asked of a man, or of anyone aged
    NOT_ASKED_FROM_AGE or over. An answer not given yet never hides a question.
    """
    if concept not in _ONLY_SOME_PEOPLE:
        return True
    if values.get("sex") == "male":
        return False
    born = iso_date(values.get("date_of_birth"))
    if born is None:
        return True
    return age_on(born, on) < NOT_ASKED_FROM_AGE


def questions_not_asked(questions: list[Question], response) -> set[int]:
    """The ids of the questions that cannot apply to this person (one query, and
    only when the step has such a question)."""
    conditional = [q for q in questions if q.concept in _ONLY_SOME_PEOPLE]
    if not conditional:
        return set()
    values = dict(
        response.answers.filter(
            question__concept__in=("sex", "date_of_birth")
        ).values_list("question__concept", "value")
    )
    return not_asked(conditional, values)


def not_asked(questions: list[Question], values: dict[str, object]) -> set[int]:
    """The ids of those questions that cannot apply, given answers by concept."""
    today = datetime.date.today()
    return {q.pk for q in questions if not applies(q.concept, values, today)}


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


class SubmitForm(forms.Form):
    """Send the answers. The round is the one the page was shown in, so a page
    from before the questionnaire was reopened sends nothing."""

    # Read as Python reads a whole number, not as IntegerField does: that one
    # takes "0.0" as 0, and a round is only ever sent as the page wrote it.
    round = forms.CharField(required=False, strip=False)

    @property
    def expected_round(self) -> int:
        """The round posted, or -1 (matches no round) for anything else."""
        if not self.is_valid():
            return -1
        try:
            return int(self.cleaned_data["round"])
        except ValueError:
            return -1
