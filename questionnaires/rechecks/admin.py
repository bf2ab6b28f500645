"""The knowledge re-checks in the admin: when each ran and what it found, so an
admin can see that the re-check after a deploy finished (docs/operations.md)."""

from __future__ import annotations

from django.contrib import admin

from practice.admin_base import ReadOnlyAdminMixin
from questionnaires.models import KnowledgeRecheck


@admin.register(KnowledgeRecheck)
class KnowledgeRecheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "version",
        "scheduled_at",
        "started_at",
        "finished_at",
        "checked",
        "changed",
        "failed",
    )
    fields = list_display
