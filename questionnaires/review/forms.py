"""The practitioner's forms on a case."""

from __future__ import annotations

from django import forms


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
