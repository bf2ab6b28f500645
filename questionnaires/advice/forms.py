"""The advice editor: the written sections and the supplement plan rows."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from questionnaires.intake.entry_forms import DoseForm
from questionnaires.models import (
    AdviceDraft,
    AdviceSnippet,
    PlanItem,
    Timing,
)
from questionnaires.review.forms import TypedTextField
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


class InsertSnippetForm(forms.Form):
    """Insert one of the practitioner's saved snippets into a section."""

    def __init__(self, *args, section: str, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        self.user = user
        self.fields["snippet"] = forms.CharField(required=False, strip=False)

    def add_prefix(self, field_name: str) -> str:
        # The page names each section's choice "snippet-<section>".
        return f"snippet-{self.section}" if field_name == "snippet" else field_name

    def clean_snippet(self) -> AdviceSnippet:
        posted = self.cleaned_data["snippet"]
        # Only a plain number: anything else (letters, "1.5", Arabic digits) is no id.
        pk = int(posted) if posted.isascii() and posted.isdigit() else 0
        snippet = AdviceSnippet.objects.filter(
            owner__user=self.user, section=self.section, pk=pk
        ).first()
        if snippet is None:
            raise ValidationError(
                "Choose a saved snippet to insert.", code="no_snippet"
            )
        return snippet


class SaveSnippetForm(forms.Form):
    """Keep a section's text as a snippet, under a title."""

    def __init__(self, *args, section: str, user, text: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        self.user = user
        self.text = text.strip()
        self.fields["title"] = TypedTextField(required=False)

    def add_prefix(self, field_name: str) -> str:
        return f"snippet-title-{self.section}" if field_name == "title" else field_name

    @property
    def typed_title(self) -> str:
        """The title as typed, to give it back beside its message."""
        return self.data.get(self.add_prefix("title"), "")

    def clean_title(self) -> str:
        title = self.cleaned_data["title"]
        if getattr(self.user, "practitioner_profile", None) is None:
            raise ValidationError(
                "Only practitioners keep snippets.", code="not_practitioner"
            )
        if not title or not self.text:
            raise ValidationError(
                "Give the snippet a title, and write its text first.",
                code="title_and_text_required",
            )
        return title[:120]


class IssueForm(forms.Form):
    """Issue the next version of the summary: the version the page offered, so a
    second press (or a second tab) issues nothing more."""

    expected_version = forms.IntegerField(
        error_messages={
            "required": "Nothing was issued: reload the page and try again.",
            "invalid": "Nothing was issued: reload the page and try again.",
        },
    )
