"""`manage.py apply_retention`: expired sessions go, and audit events older than
the configured period; nothing else ever deletes an audit event."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from practice.models import AuditAction, AuditEvent


def event_at(days_ago: float) -> AuditEvent:
    """An event written `days_ago` (events take their time when they are made)."""
    past = timezone.now() - datetime.timedelta(days=days_ago)
    return AuditEvent.objects.create(action=AuditAction.LOGIN, at=past)


def retention(*args: str) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


def test_old_audit_events_go_and_recent_ones_stay(db, settings):
    settings.COFACTOR_AUDIT_RETENTION_DAYS = 30
    old = [event_at(31), event_at(400)]
    kept = [event_at(29), event_at(0)]
    output = retention()
    assert "deleted 2 audit event(s) older than 30 days" in output
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert {e.pk for e in kept} <= remaining
    assert not {e.pk for e in old} & remaining
    # The deletion itself is on the record.
    note = AuditEvent.objects.get(detail__event="audit_retention")
    assert note.detail["count"] == 2


def test_the_period_can_be_given_on_the_command_line(db, settings):
    settings.COFACTOR_AUDIT_RETENTION_DAYS = 3650
    event_at(10)
    retention("--audit-days", "5")
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    with pytest.raises(CommandError):
        retention("--audit-days", "-1")


def test_a_second_run_deletes_nothing_more(db, settings):
    settings.COFACTOR_AUDIT_RETENTION_DAYS = 30
    event_at(31)
    retention()
    before = AuditEvent.objects.count()
    assert "deleted 0 audit event(s)" in retention()
    assert AuditEvent.objects.count() == before


def test_expired_sessions_are_cleared(client, alice):
    client.force_login(alice.user)
    Session.objects.create(
        session_key="x" * 40,
        session_data="",
        expire_date=timezone.now() - datetime.timedelta(minutes=1),
    )
    retention()
    assert not Session.objects.filter(session_key="x" * 40).exists()
    # The live session is kept: Alice is still signed in.
    assert client.get("/portal/").status_code == 200


def test_audit_events_still_cannot_be_deleted_any_other_way(db):
    event = event_at(1000)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        event.delete()
