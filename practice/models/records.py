"""What the practice keeps about its own work: the audit log, privacy notice
versions, erasure requests and the outbox of emails."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from practice.models.clients import Client


class AuditAction(models.TextChoices):
    VIEWED = "viewed", "Viewed"
    DOWNLOADED = "downloaded", "Downloaded"
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    DELETED = "deleted", "Deleted"
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    LOGOUT = "logout", "Signed out"
    EXPORTED = "exported", "Exported data"
    ERASURE_REQUESTED = "erasure_requested", "Asked for erasure"
    ERASED = "erased", "Erased"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are never changed.")

    def delete(self):
        raise PermissionError("Audit events are never deleted.")

    def forget_network_details(self) -> int:
        """Blank the address and browser of these events: the one change allowed,
        made when the person they describe is erased (both are personal data)."""
        return models.QuerySet.update(self, ip=None, user_agent="")

    def remove_older_than(self, cutoff: datetime.datetime) -> int:
        """Delete the events from before `cutoff`: the retention period is the one
        way events leave the log (`manage.py apply_retention`)."""
        deleted, _ = models.QuerySet.delete(self.filter(at__lt=cutoff))
        return deleted


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Written once, never
    changed or deleted. Carries ids and field names, never answers or other
    health data."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50, blank=True)  # e.g. "response"
    object_id = models.CharField(max_length=64, blank=True)  # the public code
    client_code = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="The client it concerns."
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["actor", "at"], name="audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are never deleted.")


class PrivacyNotice(models.Model):
    """One version of the practice's privacy notice; a change is a new version."""

    version = models.CharField(max_length=40, unique=True)
    text = models.TextField(help_text="Plain text; blank lines separate paragraphs.")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        get_latest_by = "published_at"

    def __str__(self) -> str:
        return f"Privacy notice {self.version}"


class ErasureRequest(models.Model):
    """A client asked for their account and data to be deleted."""

    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, related_name="erasure_requests"
    )
    client_code = models.UUIDField()  # kept after the client is erased
    requested_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Erasure request of {self.requested_at:%Y-%m-%d}"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Could not be sent"


class OutgoingEmailQuerySet(models.QuerySet):
    def needing_attention(self) -> OutgoingEmailQuerySet:
        """Mail staff should know about: given up on, or still unsent after an hour
        (the mail server is down, or no worker is running)."""
        an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
        return self.filter(
            models.Q(status=EmailStatus.FAILED)
            | models.Q(status=EmailStatus.QUEUED, created_at__lt=an_hour_ago)
        )


class OutgoingEmail(models.Model):
    """One email, stored in the same transaction as the change it reports and sent
    by the background worker, which retries while the mail server is away.

    The body is blanked once the email is sent: it may carry a one-time link (an
    invitation, a password reset) that must not outlive its delivery in the database.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=60)  # the template, e.g. "invitation"
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client it is to or about; erasing them deletes it.",
    )
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while a worker is talking to the mail server, so that no other sends it too.
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="email_status")]

    def __str__(self) -> str:
        return f"{self.subject} ({self.get_status_display()})"
