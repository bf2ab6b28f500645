"""Form fields for typed answers: numbers as people write them, and dates typed
in parts (day, month, year)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from questionnaires.values import parse_number, without_nul


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


def part_text(value: object) -> str:
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
        day, month, year = (part_text(v) for v in (list(values) + ["", "", ""])[:3])
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
