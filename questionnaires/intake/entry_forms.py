"""Medication and supplement rows: a small form per row, saved as typed."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict
from django.urls import reverse_lazy

from questionnaires.models import (
    Adherence,
    Medication,
    PlanAdherence,
    SinceLast,
    Supplement,
)
from questionnaires.values import parse_number, without_nul


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
            value = without_nul(str(self.data.get(key, "")))[: model_field.max_length]
            if model_field.choices and value not in dict(model_field.choices):
                continue  # not one of the choices: keep what is stored
            values[name] = value
        return values


class CarriedEntryForm(EntryForm):
    """A medication or supplement row; in a follow-up, a row copied from the last
    visit also asks whether the client still takes it."""

    since_last = forms.ChoiceField(
        label="Since last time",
        choices=SinceLast.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.previous_id is None:
            del self.fields["since_last"]

    @property
    def is_stopped(self) -> bool:
        """Stopped rows are not validated: the client need not correct a
        medicine they no longer take."""
        value = self.data.get(self.add_prefix("since_last")) if self.is_bound else None
        return (value or self.instance.since_last) == SinceLast.STOPPED

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_stopped:
            self._errors = ErrorDict()


MEDICATION_FIELDS = ("name", "strength", "frequency", "since", "reason")


class MedicationForm(CarriedEntryForm):
    draft_fields = (*MEDICATION_FIELDS, "since_last")

    class Meta:
        model = Medication
        fields = (*MEDICATION_FIELDS, "since_last")
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
        widgets = {
            "name": forms.TextInput(
                attrs={
                    "data-suggest-url": reverse_lazy(
                        "questionnaires:suggest", args=["medicines"]
                    )
                }
            ),
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


class DoseForm(EntryForm):
    """A row with a product or nutrient and an amount per dose (a supplement the
    client takes, or one in the practitioner's plan)."""

    #: Said when the row names something but gives no amount.
    amount_missing = "Give the amount per dose."

    def clean_amount(self) -> str:
        return positive_number(self.cleaned_data.get("amount", ""), "amount")

    def clean_per_day(self) -> str:
        text = positive_number(self.cleaned_data.get("per_day", ""), "doses a day")
        return text or "1"

    def amount_excused(self, data: dict) -> bool:
        return False

    def clean(self):
        data = super().clean()
        used = any(
            str(data.get(f) or "").strip() for f in ("product", "nutrient", "form")
        ) or bool(self.data.get(self.add_prefix("amount")))
        if not used:
            return data
        if (
            not str(data.get("product") or "").strip()
            and not str(data.get("nutrient") or "").strip()
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
            and not self.amount_excused(data)
        ):
            self.add_error(
                "amount",
                forms.ValidationError(self.amount_missing, code="amount_missing"),
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


class SupplementForm(CarriedEntryForm, DoseForm):
    draft_fields = (*SUPPLEMENT_FIELDS, "since_last")

    class Meta:
        model = Supplement
        fields = (*SUPPLEMENT_FIELDS, "since_last")
        labels = {
            "product": "Product name",
            "nutrient": "Nutrient or ingredient",
            "form": "Form (if the label says)",
            "amount": "Amount in each dose, as printed on the label",
            "unit": "Unit",
            "per_day": "How many a day",
            "amount_unknown": "I don't know the amount",
            "basis": "What the amount on the label means",
        }
        help_texts = {
            "product": "For example Magnesium citrate, or the brand name.",
            "nutrient": "For example magnesium, vitamin D, fish oil.",
            "form": "For example citrate, glycinate, oxide.",
            "amount": "Just the number, for example 150.",
            "per_day": "How many tablets, capsules or doses you take a day.",
        }
        widgets = {
            "product": forms.TextInput(
                attrs={
                    "data-suggest-url": reverse_lazy(
                        "questionnaires:suggest", args=["supplements"]
                    )
                }
            ),
            "amount": forms.TextInput(attrs={"inputmode": "decimal"}),
            "per_day": forms.TextInput(attrs={"inputmode": "decimal"}),
            "basis": forms.RadioSelect,
        }

    amount_missing = (
        "Enter the amount from the label, or tick \u201cI don't know the amount\u201d."
    )

    def amount_excused(self, data: dict) -> bool:
        return bool(data.get("amount_unknown"))


class PlanAdherenceForm(EntryForm):
    """A follow-up's question about one item of the last supplement plan."""

    draft_fields = ("answer", "note")

    class Meta:
        model = PlanAdherence
        fields = ("answer", "note")
        labels = {
            "answer": "How is it going?",
            "note": "Anything to add (for example, what the side effects are)",
        }
        widgets = {"answer": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = Adherence.choices


def positive_number(text: str, what: str) -> str:
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
