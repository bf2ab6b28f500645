"""Height and weight typed in metric or imperial units, stored in metric."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms

from questionnaires.intake.fields import Part, PartsField, check_number, part_text
from questionnaires.values import parse_number


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
        metric, big, small = (part_text(v) for v in (list(values) + ["", "", ""])[:3])
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
