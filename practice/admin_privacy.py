"""The admin's side of client rights: privacy notice versions, erasure requests and
the action that starts erasing a client."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from practice import privacy
from practice.admin_base import ReadOnlyAdminMixin
from practice.models import Client, ErasureRequest, PrivacyNotice


@admin.action(description="Erase the selected client's personal data")
def erase_selected_clients(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Client]
) -> HttpResponseRedirect | None:
    """Go to the confirmation page; erasing is done one client at a time, on purpose."""
    clients = list(queryset[:2])
    if len(clients) != 1:
        modeladmin.message_user(
            request,
            "Select one client to erase: each erasure is confirmed on its own.",
            messages.WARNING,
        )
        return None
    return HttpResponseRedirect(
        reverse("practice:erase-client", args=[clients[0].code])
    )


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


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Clients' requests, read-only: erasing happens on its own confirmation page."""

    list_display = ("requested_at", "client", "handled_at", "handled_by", "erase")
    list_filter = (("handled_at", admin.EmptyFieldListFilter),)
    list_select_related = ("client__user", "handled_by")
    fields = ("client", "client_code", "requested_at", "handled_at", "handled_by")
    readonly_fields = fields

    @admin.display(description="Erase")
    def erase(self, erasure: ErasureRequest) -> str:
        if erasure.handled_at:
            return "Done"
        return format_html(
            '<a href="{}">Review and erase</a>',
            reverse("practice:erase-client", args=[erasure.client_code]),
        )
