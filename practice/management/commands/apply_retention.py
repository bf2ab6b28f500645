"""Delete what the retention policy says has been kept long enough: expired
sessions, and audit events older than COFACTOR_AUDIT_RETENTION_DAYS.

Run it once a day (docs/operations.md, "Retention"). It is safe to run at any time
and as often as you like.
"""

from __future__ import annotations

import datetime
from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from practice.audit import record
from practice.models import AuditAction, AuditEvent

BATCH = 5000


class Command(BaseCommand):
    help = "Clear expired sessions and audit events older than the retention period."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--audit-days",
            type=int,
            default=None,
            help="keep this many days of audit events "
            "(default: COFACTOR_AUDIT_RETENTION_DAYS)",
        )

    def handle(self, *args, **options) -> None:
        days = options["audit_days"] or settings.COFACTOR_AUDIT_RETENTION_DAYS
        if days < 1:
            raise CommandError("The audit retention period must be at least 1 day.")
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        cutoff = timezone.now() - datetime.timedelta(days=days)
        removed = 0
        # In batches, so a first run on years of events does not hold one long
        # lock on the table that every page view writes to.
        while True:
            ids = list(
                AuditEvent.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[
                    :BATCH
                ]
            )
            if not ids:
                break
            removed += AuditEvent.objects.filter(pk__in=ids).remove_older_than(cutoff)
        if removed:
            record(
                action=AuditAction.DELETED,
                object_type="auditevent",
                detail={"event": "audit_retention", "count": removed, "days": days},
            )
        self.stdout.write(
            f"Cleared expired sessions; deleted {removed} audit event(s) older than "
            f"{days} days ({cutoff:%Y-%m-%d})."
        )
