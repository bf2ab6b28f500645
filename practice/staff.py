"""Staff accounts: inviting practitioners and admins (the first admin of a new
install too), deactivating them and resetting their two-factor authentication.

Staff join like clients: a single-use link, where they choose a password and go
straight on to set up two-factor authentication. Nobody invents a password for
anyone else.
"""

from __future__ import annotations

import logging

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import login
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from practice import emails
from practice.addresses import trust_address
from practice.audit import record
from practice.invitations import _hash, replace_invitation
from practice.models import (
    AuditAction,
    Client,
    Practice,
    Practitioner,
    Role,
    StaffInvitation,
    User,
)
from practice.profiles import ensure_profile

log = logging.getLogger(__name__)


class StaffError(Exception):
    """An operation on a staff account that cannot be done; the message says why."""


def invite_staff(
    *,
    full_name: str,
    email: str,
    role: Role,
    registration: str = "",
    invited_by: User | None,
    request: HttpRequest | None,
) -> tuple[User, str]:
    """Create a practitioner or admin account with no password and email them a
    link to choose one. Returns the account and the raw token."""
    if role not in (Role.PRACTITIONER, Role.ADMIN):
        raise StaffError("Only practitioners and admins are invited here.")
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=None, full_name=full_name, role=role
        )
        ensure_profile(user)
        if registration and role == Role.PRACTITIONER:
            Practitioner.objects.filter(user=user).update(registration=registration)
        trust_address(user)
        record(
            action=AuditAction.CREATED,
            request=request,
            actor=invited_by,
            obj=user,
            detail={"role": role},
        )
        token = send_staff_invitation(user=user, sent_by=invited_by, request=request)
    log.info("staff user %s invited", user.code)
    return user, token


def send_staff_invitation(
    *, user: User, sent_by: User | None, request: HttpRequest | None
) -> str:
    """Replace any pending invitation of this staff member with a new one and email
    its link. Returns the raw token (the only place it exists besides the email)."""
    if user.has_usable_password():
        raise StaffError(f"{user} has already chosen a password.")
    with transaction.atomic():
        invitation, token = replace_invitation(user.staff_invitations, sent_by=sent_by)
        record(
            action=AuditAction.CHANGED,
            request=request,
            actor=sent_by,
            obj=user,
            detail={"event": "invited"},
        )
        link = invitation_link(token, request)
        emails.send_staff_invitation_email(
            to=user.email,
            name=user.full_name,
            role=Role(user.role).label.lower(),
            invited_by=str(sent_by or ""),
            practice_name=Practice.current().name,
            link=link,
            expires_at=invitation.expires_at,
        )
    return token


def invitation_link(token: str, request: HttpRequest | None) -> str:
    path = reverse("practice:accept-staff-invitation", args=[token])
    return request.build_absolute_uri(path) if request else emails.absolute(path)


def find_staff_invitation(token: str) -> StaffInvitation | None:
    return (
        StaffInvitation.objects.select_related("user")
        .filter(token_hash=_hash(token))
        .first()
    )


def accept_staff_invitation(
    *, invitation: StaffInvitation, password: str, request: HttpRequest
) -> User:
    """Set the password, use up the invitation and sign the person in, as freshly
    authenticated: setting up two-factor comes next without asking again."""
    with transaction.atomic():
        invitation = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
        user = invitation.user
        if invitation.accepted_at or invitation.revoked_at or not user.is_active:
            raise StaffError("This invitation has already been used.")
        user.set_password(password)
        user.save(update_fields=["password"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        user.staff_invitations.exclude(pk=invitation.pk).filter(
            accepted_at=None, revoked_at=None
        ).update(revoked_at=invitation.accepted_at)
        trust_address(user)
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    # They typed their new password a moment ago: record it the way allauth records
    # a password re-check, so setting up two-factor does not ask for it again.
    record_authentication(request, user, method="password", reauthenticated=True)
    log.info("staff invitation %s accepted", invitation.code)
    return user


def deactivate_staff(
    *,
    user: User,
    by: User,
    reassign_to: Practitioner | None,
    request: HttpRequest,
) -> int:
    """Stop a staff member signing in; move their clients to another practitioner
    if one is chosen. Returns how many clients were moved."""
    if user.pk == by.pk:
        raise StaffError("You cannot deactivate your own account.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise StaffError(f"{user} is already deactivated.")
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.staff_invitations.filter(accepted_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        record(
            action=AuditAction.CHANGED,
            request=request,
            obj=user,
            detail={"fields": ["is_active"], "is_active": {"from": True, "to": False}},
        )
        moved = 0
        profile = Practitioner.objects.filter(user=user).first()
        if profile is not None and reassign_to is not None:
            if reassign_to.pk == profile.pk or not reassign_to.user.is_active:
                raise StaffError("Choose another, active practitioner.")
            for client in Client.objects.select_for_update().filter(
                practitioner=profile
            ):
                client.practitioner = reassign_to
                client.save(update_fields=["practitioner"])
                record(
                    action=AuditAction.CHANGED,
                    request=request,
                    obj=client,
                    detail={
                        "fields": ["practitioner"],
                        "practitioner": {
                            "from": str(profile.code),
                            "to": str(reassign_to.code),
                        },
                    },
                )
                moved += 1
    log.info("staff user %s deactivated by %s", user.code, by.code)
    return moved


def reset_mfa(*, user: User, by: User, request: HttpRequest) -> int:
    """Remove someone's authenticator app and recovery codes (a lost phone); they
    set two-factor up again at their next sign-in. Returns what was removed."""
    if user.pk == by.pk:
        raise StaffError(
            "You cannot reset your own two-factor authentication here; "
            "use the Two-factor page, or ask another admin."
        )
    with transaction.atomic():
        removed, _ = Authenticator.objects.filter(user=user).delete()
        end_sessions(user)
        record(
            action=AuditAction.CHANGED,
            request=request,
            obj=user,
            detail={"event": "mfa_reset"},
        )
    log.info("two-factor of user %s reset by %s", user.code, by.code)
    return removed


def end_sessions(user: User) -> int:
    """Sign someone out everywhere.

    After a reset, whoever holds a signed-in session (perhaps on the lost phone)
    would otherwise be asked to set up two-factor with their own app. Sessions are
    not indexed by user, so the live ones are read; a practice has few.
    """
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended
