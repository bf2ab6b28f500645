"""The advice editor: the written sections and the supplement plan rows."""

from __future__ import annotations

from django import forms

from questionnaires.intake.entry_forms import DoseForm
from questionnaires.models import (
    AdviceDraft,
    PlanItem,
    Timing,
)
from questionnaires.values import parse_number


class AdviceForm(forms.ModelForm):
    class Meta:
        model = AdviceDraft
        fields = ("key_points", "diet", "lifestyle", "gp_notes", "follow_up")
        labels = {
            "key_points": "Key points",
            "diet": "Dietary advice",
            "lifestyle": "Lifestyle advice",
            "gp_notes": "Notes for the client's GP",
            "follow_up": "Follow-up",
        }
        help_texts = {
            "key_points": "The three or four things that matter most, one a line.",
            "gp_notes": "Printed under “For your GP” so the client can show it.",
        }
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields}


PLAN_FIELDS = (
    "product",
    "nutrient",
    "form",
    "amount",
    "unit",
    "per_day",
    "timing",
    "spacing",
    "duration",
    "notes",
    "more_timings",
)


class TimesField(forms.MultipleChoiceField):
    """Ticked times of day; also read from their stored form, "lunch,bedtime"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        return super().to_python(value)


class PlanItemForm(DoseForm):
    draft_fields = PLAN_FIELDS

    more_timings = TimesField(
        label="Also take it",
        required=False,
        choices=Timing.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a supplement taken more than once a day: each other time. "
        "The timetable in the PDF shows it at every time ticked.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.more_timings:
            self.initial["more_timings"] = self.instance.more_timings.split(",")

    def clean_more_timings(self) -> str:
        return ",".join(self.cleaned_data.get("more_timings") or ())

    def clean(self):
        data = super().clean()
        more = [t for t in (data.get("more_timings") or "").split(",") if t]
        times = {data.get("timing"), *more} - {None, ""}
        per_day = data.get("per_day") or "1"
        if more and parse_number(per_day) != len(times):
            self.add_error(
                "more_timings",
                forms.ValidationError(
                    f"The doses a day ({per_day}) and the times ticked "
                    f"({len(times)}) differ: make them match, so the timetable "
                    "says how much to take each time.",
                    code="times_differ",
                ),
            )
        return data

    def draft_values(self) -> dict[str, object]:
        values = super().draft_values()
        ticked = set(self.data.getlist(self.add_prefix("more_timings")))
        values["more_timings"] = ",".join(t for t in Timing.values if t in ticked)
        return values

    class Meta:
        model = PlanItem
        fields = PLAN_FIELDS
        labels = {
            "product": "Product or nutrient",
            "nutrient": "Nutrient",
            "form": "Form",
            "amount": "Amount per dose",
            "unit": "Unit",
            "per_day": "Doses a day",
            "timing": "When to take it",
            "spacing": "Keep apart from",
            "duration": "For how long",
            "notes": "Notes",
        }
        help_texts = {
            "product": "For example Magnesium glycinate.",
            "nutrient": "For example magnesium: used to check the plan.",
            "amount": "Elemental amount, as UK labels state it.",
            "duration": "For example 3 months.",
        }
        widgets = {
            "amount": forms.TextInput(attrs={"inputmode": "decimal"}),
            "per_day": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    amount_missing = "Give the amount per dose, so the plan can be checked."
