"""The outbox in the admin: every email the app queued, whether it went, and a way
to send again what could not be sent."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from practice import emails
from practice.admin_base import ReadOnlyAdminMixin
from practice.models import EmailStatus, OutgoingEmail


@admin.action(description="Send the selected emails again")
def send_again(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    count = emails.send_again(queryset.exclude(status=EmailStatus.SENT))
    modeladmin.message_user(
        request,
        f"{count} email{'s' if count != 1 else ''} queued to be sent again; "
        "emails already sent were left alone.",
        messages.SUCCESS if count else messages.WARNING,
    )


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the body is not shown (it may hold a one-time link)."""

    actions = (send_again,)
    list_display = ("created_at", "to", "subject", "status", "attempts", "last_error")
    list_filter = ("status", "kind")
    search_fields = ("to", "subject")
    fields = (
        "created_at",
        "kind",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Needed for the "send again" action; every field stays read-only.
        return admin.ModelAdmin.has_change_permission(self, request, obj)
