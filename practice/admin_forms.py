"""Forms of the admin site that check more than the model does."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from practice.models import Practice
from practice.validators import validate_logo


class LogoField(forms.ImageField):
    """An image field that checks a new upload with `validate_logo` first, so the
    admin sees why a file was refused rather than Django's general message."""

    def to_python(self, data):
        if isinstance(data, UploadedFile):
            validate_logo(data)
        return super().to_python(data)


class PracticeAdminForm(forms.ModelForm):
    """The practice's details; a new logo must be a real, small image."""

    class Meta:
        model = Practice
        fields = (
            "name",
            "address",
            "email",
            "phone",
            "logo",
            "registration",
            "upper_limits",
        )
        field_classes = {"logo": LogoField}
        help_texts = {
            "logo": "A PNG, JPEG or WebP image of at most 1 MB and 4000 × 4000 "
            "pixels. It is printed at the top of each advice summary.",
        }
