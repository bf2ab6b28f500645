"""Inviting clients: create their account, email a single-use link, accept it."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from practice import emails
from practice.audit import record
from practice.models import (
    AuditAction,
    Client,
    ClientErased,
    Invitation,
    Practice,
    Practitioner,
    Role,
    User,
)
from questionnaires.dashboard import case_summary

log = logging.getLogger(__name__)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_client(
    *,
    practitioner: Practitioner,
    full_name: str,
    email: str,
    date_of_birth: datetime.date | None,
    request: HttpRequest,
) -> Client:
    """Create a client assigned to the practitioner and email them an invitation."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=None, full_name=full_name, role=Role.CLIENT
        )
        client = Client.objects.create(
            user=user, practitioner=practitioner, date_of_birth=date_of_birth
        )
        record(action=AuditAction.CREATED, request=request, obj=client)
        send_invitation(client=client, sent_by=request.user, request=request)
    log.info("client %s invited by user %s", client.code, request.user.code)
    return client


def send_invitation(*, client: Client, sent_by: User, request: HttpRequest) -> str:
    """Replace any pending invitation with a new one and email its link.

    Returns the raw token (the only place it exists apart from the email).
    """
    with transaction.atomic():
        # The lock makes this wait for an erasure running now, and then refuse.
        if Client.objects.select_for_update().get(pk=client.pk).is_erased:
            raise ClientErased(f"client {client.code} is erased")
        invitation, token = replace_invitation(client.invitations, sent_by=sent_by)
        case_summary.refresh(client.pk)
        record(
            action=AuditAction.CREATED,
            request=request,
            actor=sent_by,
            obj=invitation,
            client=client,
        )
        link = request.build_absolute_uri(
            reverse("practice:accept-invitation", args=[token])
        )
        emails.send_invitation_email(
            to=client.user.email,
            client_name=client.user.full_name,
            practitioner_name=str(client.practitioner or ""),
            practice_name=Practice.current().name,
            link=link,
            expires_at=invitation.expires_at,
            client=client,
        )
    return token


def replace_invitation(invitations, *, sent_by: User | None) -> tuple[object, str]:
    """Revoke the pending invitations of `invitations` (a client's or a staff
    member's related manager) and create a new one. Returns it and its raw token."""
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    invitations.filter(accepted_at=None, revoked_at=None).update(revoked_at=now)
    invitation = invitations.create(
        token_hash=_hash(token),
        created_by=sent_by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.COFACTOR_INVITATION_DAYS),
    )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("client__user")
        .filter(token_hash=_hash(token))
        .first()
    )


def accept_invitation(
    *, invitation: Invitation, password: str, request: HttpRequest
) -> User:
    """Set the client's password, use up the invitation and sign the client in."""
    with transaction.atomic():
        # Lock the row so two tabs posting at once cannot both accept it.
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise ValueError("This invitation has already been used.")
        user = invitation.client.user
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        client = invitation.client
        client.invitations.exclude(pk=invitation.pk).filter(
            accepted_at=None, revoked_at=None
        ).update(revoked_at=invitation.accepted_at)
        case_summary.refresh(client.pk)  # no longer "invited"
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    log.info("invitation %s accepted", invitation.code)
    return user
