"""Forms for the client's questionnaire: one form per section, built from its
questions, and a small form per medication or supplement row.

Values are stored as typed (see models.Answer), so these forms validate and
explain; they never convert what the client wrote into something else.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.datastructures import MultiValueDict

from questionnaires.models import (
    Answer,
    Medication,
    Question,
    QuestionKind,
    Supplement,
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
    """What the client entered for one question, unvalidated, ready to store."""
    name = field_name(question)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        values = [str(v)[:200] for v in data.getlist(name)]
        return values or None
    if question.kind == QuestionKind.CONSENT:
        return "yes" if data.get(name) else None
    value = data.get(name)
    if value in (None, ""):
        return None
    return str(value)[:5000]


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


# ------------------------------------------------------------ structured lists


class EntryForm(forms.ModelForm):
    """Shared behaviour of a medication or supplement row form."""

    #: Fields copied from the posted data into the row as drafts.
    draft_fields: tuple[str, ...] = ()

    def draft_values(self) -> dict[str, object]:
        """The posted values, unvalidated but safe to store, for the draft save."""
        values: dict[str, object] = {}
        for name in self.draft_fields:
            model_field = self._meta.model._meta.get_field(name)
            key = self.add_prefix(name)
            if model_field.get_internal_type() == "BooleanField":
                values[name] = bool(self.data.get(key))
                continue
            value = str(self.data.get(key, ""))[: model_field.max_length]
            if model_field.choices and value not in dict(model_field.choices):
                continue  # not one of the choices: keep what is stored
            values[name] = value
        return values


class MedicationForm(EntryForm):
    draft_fields = ("name", "strength", "frequency", "since", "reason")

    class Meta:
        model = Medication
        fields = ("name", "strength", "frequency", "since", "reason")
        labels = {
            "name": "Name of the medicine",
            "strength": "Strength",
            "frequency": "How often you take it",
            "since": "Taking it since",
            "reason": "What it is for",
        }
        help_texts = {
            "name": "As on the box or label, for example Lisinopril.",
            "strength": "For example 10 mg.",
            "frequency": "For example once a day, or as needed.",
            "since": "A year or a month is fine, for example 2019.",
        }

    def clean(self):
        data = super().clean()
        filled = any(str(data.get(f) or "").strip() for f in self.draft_fields)
        if filled and not str(data.get("name") or "").strip():
            self.add_error(
                "name",
                forms.ValidationError(
                    "Please give the name of the medicine, as on the box or label.",
                    code="name_missing",
                ),
            )
        return data


SUPPLEMENT_FIELDS = (
    "product",
    "nutrient",
    "form",
    "amount",
    "unit",
    "per_day",
    "amount_unknown",
    "basis",
)


class SupplementForm(EntryForm):
    draft_fields = SUPPLEMENT_FIELDS

    class Meta:
        model = Supplement
        fields = SUPPLEMENT_FIELDS
        labels = {
            "product": "Product name",
            "nutrient": "Nutrient or ingredient",
            "form": "Form (if the label says)",
            "amount": "Amount in each dose, as printed on the label",
            "unit": "Unit",
            "per_day": "Doses a day",
            "amount_unknown": "I don't know the amount",
            "basis": "What the amount on the label means",
        }
        help_texts = {
            "product": "For example Magnesium Citrate 150 mg, or the brand name.",
            "nutrient": "For example magnesium, vitamin D, fish oil.",
            "form": "For example citrate, glycinate, oxide.",
            "amount": "Just the number, for example 150.",
            "per_day": "How many tablets, capsules or doses you take a day.",
        }
        widgets = {
            "amount": forms.TextInput(attrs={"inputmode": "decimal"}),
            "per_day": forms.TextInput(attrs={"inputmode": "decimal"}),
            "basis": forms.RadioSelect,
        }

    def clean_amount(self) -> str:
        return _positive_number(self.cleaned_data.get("amount", ""), "amount")

    def clean_per_day(self) -> str:
        text = _positive_number(self.cleaned_data.get("per_day", ""), "doses a day")
        return text or "1"

    def clean(self):
        data = super().clean()
        row_used = any(
            str(data.get(f) or "").strip() for f in ("product", "nutrient", "form")
        ) or bool(self.data.get(self.add_prefix("amount")))
        if not row_used:
            return data
        if (
            not (data.get("product") or "").strip()
            and not (data.get("nutrient") or "").strip()
        ):
            self.add_error(
                "product",
                forms.ValidationError(
                    "Please give the product name or the nutrient.",
                    code="name_missing",
                ),
            )
        if (
            "amount" in data
            and not data.get("amount")
            and not data.get("amount_unknown")
        ):
            self.add_error(
                "amount",
                forms.ValidationError(
                    "Enter the amount from the label, or tick \u201cI don't know the "
                    "amount\u201d.",
                    code="amount_missing",
                ),
            )
        return data


def _positive_number(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        return ""
    number = parse_number(text)
    if number is None:
        raise forms.ValidationError(
            f"Enter the {what} as a number, for example 150.", code="not_a_number"
        )
    if number <= 0:
        raise forms.ValidationError(
            f"The {what} must be more than 0.", code="not_positive"
        )
    return text


class ReopenForm(forms.Form):
    message = forms.CharField(
        label="Message to the client",
        help_text="Say what you would like them to add or change. They see this when "
        "they sign in; it is not put in the email.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Please write a short message for the client."},
    )
