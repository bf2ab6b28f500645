"""One form per questionnaire section, built from its questions.

Values are stored as typed (see models.Answer), so these forms validate and
explain; they never convert what the client wrote into something else."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from questionnaires.models import (
    LIST_KINDS,
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
        check_number(
            text,
            integer=self.integer,
            min_value=self.min_value,
            max_value=self.max_value,
            unit=self.unit,
        )
        return text.strip()


def check_number(
    text: str,
    *,
    integer: bool = False,
    min_value: float | None = None,
    max_value: float | None = None,
    unit: str = "",
) -> Decimal:
    """The number in `text`, or a ValidationError that says what to type."""
    number = parse_number(text)
    unit = f" {unit}" if unit else ""
    if number is None:
        example = "12" if integer else "12 or 2.5"
        raise forms.ValidationError(
            f"Enter a number, for example {example}.", code="not_a_number"
        )
    if integer and number != number.to_integral_value():
        raise forms.ValidationError(
            "Enter a whole number, without a decimal point.", code="not_whole"
        )
    if min_value is not None and number < Decimal(str(min_value)):
        raise forms.ValidationError(
            f"Enter a number of at least {min_value:g}{unit}.", code="too_small"
        )
    if max_value is not None and number > Decimal(str(max_value)):
        raise forms.ValidationError(
            f"Enter a number of no more than {max_value:g}{unit}.", code="too_large"
        )
    return number


@dataclass(frozen=True)
class Part:
    """One box of a question answered in parts (day, month, year; feet, inches)."""

    suffix: str
    label: str
    size: str = "short"  # "short" for 2 digits, "long" for 4 or more
    inputmode: str = "numeric"
    or_before: bool = False  # another way to answer starts here


class PartsWidget(forms.MultiWidget):
    """Boxes side by side, each with its own visible label.

    Rendered here rather than from a template so that it needs no form renderer
    setting; the question's fieldset and legend come from _parts_field.html.
    """

    def __init__(self, parts: tuple[Part, ...], split) -> None:
        self.parts = parts
        self.split = split
        widgets = {
            part.suffix: forms.TextInput(
                attrs={
                    "inputmode": part.inputmode,
                    "autocomplete": "off",
                    "class": f"form-control part-{part.size}",
                }
            )
            for part in parts
        }
        super().__init__(widgets)

    def decompress(self, value):
        return list(self.split(value or ""))

    def value_from_datadict(self, data, files, name):
        if name in data and not any(f"{name}_{p.suffix}" in data for p in self.parts):
            # One box, as the page had it before this question took parts (a tab
            # left open across an upgrade): read it as it would be stored.
            return list(self.split(without_nul(str(data.get(name)))[:5000]))
        return super().value_from_datadict(data, files, name)

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        boxes = []
        for part, widget, sub in zip(
            self.parts, self.widgets, context["widget"]["subwidgets"], strict=True
        ):
            box = widget.render(sub["name"], sub["value"], sub["attrs"])
            boxes.append(
                (
                    mark_safe('<span class="parts-or">or</span>')  # noqa: S308
                    if part.or_before
                    else "",
                    sub["attrs"]["id"],
                    part.label,
                    box,
                )
            )
        return format_html(
            '<div class="parts">{}</div>',
            format_html_join(
                "",
                '{}<div class="part"><label class="form-label" for="{}">{}</label>'
                "{}</div>",
                boxes,
            ),
        )


class PartsField(forms.Field):
    """A question answered in several boxes, stored as one text as typed."""

    parts: tuple[Part, ...] = ()

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", PartsWidget(self.parts, self.split))
        super().__init__(**kwargs)

    def split(self, stored: str) -> tuple[str, ...]:
        raise NotImplementedError

    def compose(self, values) -> str | None:
        """The text to store for what was typed in the boxes; None if nothing."""
        raise NotImplementedError

    def stored_value(self, data, name: str, stored: object = None) -> str | None:
        """The text to store; a box the post does not carry keeps its stored text.

        The page's saver posts only the boxes that changed (the day, say), so the
        month and year must come from what is stored, not be emptied.
        """
        keys = [f"{name}_{part.suffix}" for part in self.parts]
        if stored in (None, "") or all(key in data for key in keys):
            return self.compose(self.widget.value_from_datadict(data, None, name))
        if name in data and not any(key in data for key in keys):
            return self.compose(self.widget.value_from_datadict(data, None, name))
        kept = self.split(str(stored))
        return self.compose(
            [
                data.get(key) if key in data else old
                for key, old in zip(keys, kept, strict=True)
            ]
        )

    def data_for(self, name: str, stored: str) -> dict[str, str]:
        """Posted data that would give `stored` back (to re-check a saved answer)."""
        return {
            f"{name}_{part.suffix}": value
            for part, value in zip(self.parts, self.split(stored), strict=True)
        }

    def clean(self, value):
        text = self.compose(value if isinstance(value, list | tuple) else [])
        if not text:
            if self.required:
                raise forms.ValidationError(
                    self.error_messages["required"], code="required"
                )
            return ""
        return self.check(text)

    def check(self, text: str) -> str:
        return text


def _part_text(value: object) -> str:
    """A box's text, without the characters the stored form uses to join boxes."""
    return without_nul(str(value or "")).replace("-", "").replace(" ", "")[:40]


MONTHS = {
    name.lower(): number
    for names in (calendar.month_name, calendar.month_abbr)
    for number, name in enumerate(names)
    if name
} | {"sept": 9}


class PastDateField(PartsField):
    """A date that has already happened, in three boxes (day, month, year), as
    GOV.UK and the NHS ask for dates people know, such as a date of birth.

    Stored as ISO "1952-03-12" once it is a real date; until then as typed,
    "year-month-day" ("-March-12"), so that nothing typed is lost.
    """

    parts = (
        Part("day", "Day"),
        Part("month", "Month"),
        Part("year", "Year", size="long"),
    )

    def split(self, stored: str) -> tuple[str, ...]:
        pieces = str(stored).split("-")
        if len(pieces) != 3:
            return ("", "", str(stored))
        year, month, day = pieces
        if _plain_number(year) and _plain_number(month) and _plain_number(day):
            month, day = month.lstrip("0") or month, day.lstrip("0") or day
        return (day, month, year)

    def compose(self, values) -> str | None:
        day, month, year = (_part_text(v) for v in (list(values) + ["", "", ""])[:3])
        if not (day or month or year):
            return None
        date = _real_date(day, month, year)
        return date.isoformat() if date else f"{year}-{month}-{day}"

    def check(self, text: str) -> str:
        day, month, year = self.split(text)
        missing = [
            n for n, v in (("day", day), ("month", month), ("year", year)) if not v
        ]
        if missing:
            raise forms.ValidationError(
                f"Enter the {' and '.join(missing)}.", code="incomplete_date"
            )
        if not (_plain_number(year) and len(year) == 4):
            raise forms.ValidationError(
                "Enter the year as 4 numbers, for example 1952.", code="bad_year"
            )
        date = _real_date(day, month, year)
        if date is None:
            raise forms.ValidationError(
                "Enter a real date, for example 12 3 1952.", code="not_a_date"
            )
        if date > datetime.date.today():
            raise forms.ValidationError("Enter a date in the past.", code="future_date")
        if date.year < 1900:
            raise forms.ValidationError("Enter a date after 1900.", code="too_early")
        return date.isoformat()


def _plain_number(text: str) -> bool:
    """0-9 only: str.isdigit() also accepts "³" and other digits int() refuses."""
    return text.isascii() and text.isdigit()


def _real_date(day: str, month: str, year: str) -> datetime.date | None:
    number = int(month) if _plain_number(month) else MONTHS.get(month.lower())
    if not (_plain_number(day) and _plain_number(year) and len(year) == 4 and number):
        return None
    try:
        return datetime.date(int(year), number, int(day))
    except (ValueError, OverflowError):  # 31 February; a day of 99999999999999999999
        return None


@dataclass(frozen=True)
class Imperial:
    """How a metric unit is also said in the UK: feet and inches, stones and pounds."""

    metric: str  # the unit the answer is kept in
    metric_label: str
    big: str
    big_label: str
    small: str
    small_label: str
    per_big: int  # small units in a big one
    small_in_metric: Decimal

    def to_metric(self, big: Decimal, small: Decimal) -> Decimal:
        return (big * self.per_big + small) * self.small_in_metric


IMPERIAL = {
    # 1 inch = 2.54 cm and 1 pound = 0.45359237 kg exactly (international yard
    # and pound, 1959); 12 inches a foot, 14 pounds a stone.
    "cm": Imperial(
        "cm", "Centimetres", "ft", "Feet", "in", "Inches", 12, Decimal("2.54")
    ),
    "kg": Imperial(
        "kg", "Kilograms", "st", "Stones", "lb", "Pounds", 14, Decimal("0.45359237")
    ),
}
_MEASURE_TOKEN = re.compile(r"(\S+) (cm|kg|ft|in|st|lb)\b")


class MeasureField(PartsField):
    """A height or a weight, in centimetres or kilograms, or in feet and inches or
    stones and pounds, as older people in the UK often know them.

    Stored as typed: "163" (metric, as before), "5 ft 3 in", or both if both were
    typed ("163 cm 5 ft 3 in", which asks the person to choose one).
    """

    def __init__(
        self,
        *,
        imperial: Imperial,
        min_value: float | None = None,
        max_value: float | None = None,
        integer: bool = False,
        **kwargs,
    ) -> None:
        self.imperial = imperial
        self.min_value = min_value
        self.max_value = max_value
        self.integer = integer
        self.parts = (
            Part(imperial.metric, imperial.metric_label, "long", "decimal"),
            Part(imperial.big, imperial.big_label, inputmode="decimal", or_before=True),
            Part(imperial.small, imperial.small_label, inputmode="decimal"),
        )
        super().__init__(**kwargs)

    def split(self, stored: str) -> tuple[str, ...]:
        text = str(stored).strip()
        tokens = {unit: value for value, unit in _MEASURE_TOKEN.findall(text)}
        if not tokens:
            return (text, "", "")
        i = self.imperial
        return (
            tokens.get(i.metric, ""),
            tokens.get(i.big, ""),
            tokens.get(i.small, ""),
        )

    def compose(self, values) -> str | None:
        metric, big, small = (_part_text(v) for v in (list(values) + ["", "", ""])[:3])
        i = self.imperial
        imperial = " ".join(
            f"{value} {unit}"
            for value, unit in ((big, i.big), (small, i.small))
            if value
        )
        if metric and imperial:
            return f"{metric} {i.metric} {imperial}"
        return metric or imperial or None

    def check(self, text: str) -> str:
        metric, big, small = self.split(text)
        i = self.imperial
        if metric and (big or small):
            raise forms.ValidationError(
                f"Fill in {i.metric_label.lower()}, or {i.big_label.lower()} and "
                f"{i.small_label.lower()}, not both.",
                code="two_units",
            )
        limits = {"min_value": self.min_value, "max_value": self.max_value}
        if metric:
            try:
                check_number(metric, integer=self.integer, unit=i.metric, **limits)
            except forms.ValidationError as error:
                if error.code == "too_small" and "." in metric.replace(",", "."):
                    raise forms.ValidationError(
                        f"{error.message} If you know it in {i.big_label.lower()} "
                        f"and {i.small_label.lower()}, use those boxes instead.",
                        code="too_small",
                    ) from error
                raise
            return text
        numbers = []
        for value, label in ((big, i.big_label), (small, i.small_label)):
            number = parse_number(value) if value else Decimal(0)
            if number is None or number < 0:
                raise forms.ValidationError(
                    f"Enter the {label.lower()} as a number, for example 5.",
                    code="not_a_number",
                )
            numbers.append(number)
        if numbers[1] >= i.per_big:
            raise forms.ValidationError(
                f"Enter {i.small_label.lower()} from 0 to {i.per_big - 1}.",
                code="too_large",
            )
        try:
            metric_value = i.to_metric(*numbers).quantize(Decimal("0.1"))
        except ArithmeticError as error:  # a number too long to work with
            raise forms.ValidationError(
                f"Enter the {i.big_label.lower()} as a number, for example 5.",
                code="not_a_number",
            ) from error
        check_number(str(metric_value), unit=i.metric, **limits)
        return text

    def in_metric(self, stored: str) -> Decimal | None:
        """The answer in the metric unit, whichever way it was given."""
        metric, big, small = self.split(stored)
        if metric:
            return parse_number(metric)
        big_n, small_n = parse_number(big or "0"), parse_number(small or "0")
        if big_n is None or small_n is None:
            return None
        try:
            return self.imperial.to_metric(big_n, small_n)
        except ArithmeticError:
            return None


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
    born = _iso_date(values.get("date_of_birth"))
    if born is None:
        return True
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return age < NOT_ASKED_FROM_AGE


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


def _iso_date(value: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


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
