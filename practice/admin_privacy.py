"""The admin's side of client rights: privacy notice versions."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from practice import privacy
from practice.models import PrivacyNotice


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(admin.ModelAdmin):
    """Publishing is adding a new version; published versions never change, because
    clients' consents refer to them."""

    list_display = ("version", "published_at", "published_by", "is_current")
    fields = ("version", "text")
    readonly_fields = ("published_at", "published_by")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the admin shows published versions read-only

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else (*self.fields, *self.readonly_fields)

    @admin.display(boolean=True, description="Current")
    def is_current(self, notice: PrivacyNotice) -> bool:
        current = privacy.current_notice()
        return current is not None and current.pk == notice.pk

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """Start from the current text, so an edit is a change to it."""
        current = privacy.current_notice()
        if current is None:
            return {}
        version = current.version
        return {
            "text": current.text,
            "version": str(int(version) + 1) if version.isdigit() else "",
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "version" in form.base_fields:
            form.base_fields["version"].help_text = (
                "Saving publishes this version: it becomes the notice clients see "
                "and consent to. Earlier consents keep the version they were given "
                "under."
            )
        if "text" in form.base_fields:
            form.base_fields["text"].help_text = (
                "Plain text. Blank lines separate paragraphs; a paragraph starting "
                "with “# ” is a heading, and lines starting with “- ” make a list. "
                "The practice's name and contact details are shown above it."
            )
        return form

    def save_model(self, request, obj: PrivacyNotice, form, change) -> None:
        obj.published_at = timezone.now()
        obj.published_by = request.user
        super().save_model(request, obj, form, change)
