"""The advice editor: the written sections and the supplement plan rows."""

from __future__ import annotations

from django import forms

from questionnaires.forms.entries import DoseForm
from questionnaires.models import (
    AdviceDraft,
    PlanItem,
)


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
)


class PlanItemForm(DoseForm):
    draft_fields = PLAN_FIELDS

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
