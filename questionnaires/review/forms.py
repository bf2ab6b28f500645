"""The practitioner's forms on a case: deciding a finding, matching an entry by
hand, notes, closing and opening the case, reopening it for the client."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from questionnaires.models import Decision
from questionnaires.values import without_nul


class TypedTextField(forms.CharField):
    """Text as typed, less the NUL bytes PostgreSQL cannot store (dropped, not
    refused, so nothing else typed is lost)."""

    def to_python(self, value):
        if value not in self.empty_values:
            value = without_nul(str(value))
        return super().to_python(value)


class ReturnToForm(forms.Form):
    """A form posted from another page, which says where to go back to."""

    return_to = forms.CharField(required=False)


class DecisionForm(ReturnToForm):
    """Acknowledge a finding (a note optional) or dismiss it (a reason required)."""

    decision = forms.CharField(required=False)
    note = TypedTextField(required=False)

    def clean_decision(self) -> str:
        decision = self.cleaned_data["decision"]
        if decision not in (Decision.ACKNOWLEDGED, Decision.DISMISSED):
            raise ValidationError("Choose Acknowledge or Dismiss.", code="bad_decision")
        return decision

    def clean(self):
        data = super().clean()
        if data.get("decision") == Decision.DISMISSED and not data.get("note"):
            self.add_error(
                "note",
                ValidationError(
                    "Please give a reason for dismissing this finding.",
                    code="reason_required",
                ),
            )
        return data

    @property
    def first_error(self) -> str:
        """The one message shown beside the note."""
        for errors in self.errors.values():
            return errors[0]
        return ""


class MatchForm(forms.Form):
    """What an entry is, chosen from the knowledge base's search results ("" takes
    a hand match back). The search is posted too, to show the results again."""

    substance = forms.CharField(required=False, strip=False)
    q = TypedTextField(required=False)

    def __init__(self, *args, knowledge, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.knowledge = knowledge

    def clean_substance(self) -> str:
        substance = self.cleaned_data["substance"]
        known = self.knowledge
        if substance and not (
            substance in known.drugs
            or substance in known.nutrients
            or substance in known.products
        ):
            raise ValidationError(
                "Choose a substance from the search results.", code="unknown_substance"
            )
        return substance


class NoteForm(forms.Form):
    text = TypedTextField(
        label="New private note",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write something to save a note."},
    )


class ReopenForm(forms.Form):
    message = forms.CharField(
        label="Message to the client",
        help_text="Say what you would like them to add or change. They see this when "
        "they sign in; it is not put in the email.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "Please write a short message for the client."},
    )


class CloseCaseForm(forms.Form):
    note = forms.CharField(
        label="Why (optional)",
        help_text="Kept in the case history; never shown to the client.",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={
            "max_length": "Please keep the reason under %(limit_value)d characters "
            "(it has %(show_value)d)."
        },
    )


class OpenCaseForm(forms.Form):
    """Open a closed case again: nothing to fill in, the button says it all. A
    form all the same, so that this POST is read like every other."""
