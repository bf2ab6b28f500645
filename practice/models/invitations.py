"""Single-use invitations: a client's and a staff member's."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from practice.models.clients import Client


class InvitationState(models.TextChoices):
    PENDING = "pending", "Waiting for the client"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Replaced by a newer invitation"


class InvitationBase(models.Model):
    """A single-use link that lets someone set their password.

    Only a hash of the token is stored, so a copy of the database cannot be used to
    take over an account that has not been claimed yet.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        get_latest_by = "created_at"

    @property
    def state(self) -> InvitationState:
        if self.accepted_at:
            return InvitationState.ACCEPTED
        if self.revoked_at:
            return InvitationState.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    def get_state_display(self) -> str:
        return self.state.label


class Invitation(InvitationBase):
    """A client's invitation."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta(InvitationBase.Meta):
        pass

    def __str__(self) -> str:
        return f"Invitation for {self.client} ({self.get_state_display()})"


class StaffInvitation(InvitationBase):
    """A practitioner's or admin's invitation: the link lets them choose a password
    and goes straight on to setting up two-factor authentication."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_invitations",
    )

    class Meta(InvitationBase.Meta):
        pass

    def __str__(self) -> str:
        return f"Invitation for {self.user} ({self.get_state_display()})"
