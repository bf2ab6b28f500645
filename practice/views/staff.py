"""The admin's own pages: the practice's staff (invite, deactivate, reset
two-factor) and the audit log in plain sentences. A staff member's invitation link
is here too."""

from __future__ import annotations

import uuid

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import access, staff
from practice.audit_text import describe
from practice.forms import ChoosePasswordForm, DeactivateStaffForm, InviteStaffForm
from practice.models import (
    STAFF_ROLES,
    AuditAction,
    AuditEvent,
    Client,
    InvitationState,
    Practitioner,
    Role,
    StaffInvitation,
    User,
)

AUDIT_PAGE_SIZE = 50
ASK = "the practice's admin"  # whom an invited member of staff asks for a new link


def _staff_member(code: str) -> User:
    try:
        return User.objects.get(code=code, role__in=STAFF_ROLES)
    except (User.DoesNotExist, ValueError) as exc:
        raise Http404("No such staff member.") from exc


@access.role_required(Role.ADMIN)
def staff_list(request: HttpRequest) -> HttpResponse:
    totp = Authenticator.objects.filter(
        user=OuterRef("pk"), type=Authenticator.Type.TOTP
    )
    waiting = StaffInvitation.objects.filter(
        user=OuterRef("pk"), accepted_at=None, revoked_at=None
    ).order_by("-created_at")
    people = (
        User.objects.filter(role__in=STAFF_ROLES)
        .annotate(
            has_mfa=Exists(totp),
            client_count=Count("practitioner_profile__clients", distinct=True),
            invitation_expires=Subquery(waiting.values("expires_at")[:1]),
        )
        .order_by("-is_active", "full_name")
    )
    return render(
        request, "practice/staff_list.html", {"people": people, "now": timezone.now()}
    )


@access.role_required(Role.ADMIN)
def invite_staff(request: HttpRequest) -> HttpResponse:
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, _ = staff.invite_staff(
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            registration=form.cleaned_data["registration"],
            invited_by=request.user,
            request=request,
        )
        messages.success(
            request,
            f"Invitation sent to {user.email}. The link works once, for "
            f"{settings.COFACTOR_INVITATION_DAYS} days.",
        )
        return redirect("practice:staff-list")
    return render(request, "practice/invite_staff.html", {"form": form})


@access.role_required(Role.ADMIN)
@require_POST
def resend_staff_invitation(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff_member(code)
    try:
        staff.send_staff_invitation(user=user, sent_by=request.user, request=request)
    except staff.StaffError as error:
        messages.info(request, str(error))
    else:
        messages.success(
            request,
            f"A new invitation was sent to {user.email}. Earlier links no longer work.",
        )
    return redirect("practice:staff-list")


@access.role_required(Role.ADMIN)
def deactivate_staff(request: HttpRequest, code: str) -> HttpResponse:
    """Ask first, and offer to move the practitioner's clients to someone else:
    a client with an inactive practitioner has nobody reading their answers."""
    user = _staff_member(code)
    profile = Practitioner.objects.filter(user=user).first()
    clients = (
        Client.objects.filter(practitioner=profile).select_related("user")
        if profile
        else Client.objects.none()
    )
    form = DeactivateStaffForm(request.POST or None, practitioner=profile)
    if request.method == "POST" and form.is_valid():
        try:
            moved = staff.deactivate_staff(
                user=user,
                by=request.user,
                reassign_to=form.cleaned_data["reassign_to"],
                request=request,
            )
        except staff.StaffError as error:
            messages.error(request, str(error))
            return redirect("practice:staff-list")
        note = f" {moved} client{pluralize(moved)} moved." if moved else ""
        messages.success(request, f"{user} can no longer sign in.{note}")
        return redirect("practice:staff-list")
    return render(
        request,
        "practice/deactivate_staff.html",
        {
            "person": user,
            "clients": list(clients),
            "form": form,
            "is_self": user.pk == request.user.pk,
        },
    )


@access.role_required(Role.ADMIN)
def reset_staff_mfa(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff_member(code)
    if request.method == "POST":
        try:
            staff.reset_mfa(user=user, by=request.user, request=request)
        except staff.StaffError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"{user}'s two-factor authentication was reset. They will set up "
                "an authenticator app again when they next sign in.",
            )
        return redirect("practice:staff-list")
    return render(
        request,
        "practice/reset_staff_mfa.html",
        {"person": user, "is_self": user.pk == request.user.pk},
    )


@access.role_required(Role.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, newest first, as sentences; filter by what was done or by
    the client it concerns."""
    events = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        events = events.filter(action=action)
    client_code = request.GET.get("client", "")
    client = (
        Client.objects.filter(code=client_code).select_related("user").first()
        if _is_uuid(client_code)
        else None
    )
    if client is not None:
        events = events.filter(client_code=client.code)
    actor_code = request.GET.get("by", "")
    actor = (
        User.objects.filter(code=actor_code).first() if _is_uuid(actor_code) else None
    )
    if actor is not None:
        events = events.filter(actor=actor)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "practice/audit_log.html",
        {
            "page": page,
            "lines": describe(page.object_list),
            "actions": AuditAction.choices,
            "action": action,
            "client": client,
            "actor": actor,
            "retention_days": settings.COFACTOR_AUDIT_RETENTION_DAYS,
        },
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@never_cache
def accept_staff_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in a staff invitation: choose a password, then set up two-factor."""
    invitation = staff.find_staff_invitation(token)
    state = invitation.state if invitation else None
    if state != InvitationState.PENDING or not invitation.user.is_active:
        return render(
            request,
            "practice/invitation_invalid.html",
            {"state": state, "states": InvitationState, "ask": ASK},
            status=404 if state is None else 410,
        )
    user = invitation.user
    if request.user.is_authenticated and request.user != user:
        logout(request)  # someone else was signed in on this browser
    form = ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff.accept_staff_invitation(
                invitation=invitation,
                password=form.cleaned_data["new_password1"],
                request=request,
            )
        except staff.StaffError:
            return render(
                request,
                "practice/invitation_invalid.html",
                {
                    "state": InvitationState.ACCEPTED,
                    "states": InvitationState,
                    "ask": ASK,
                },
                status=410,
            )
        if settings.COFACTOR_REQUIRE_STAFF_MFA:
            messages.success(
                request,
                "Your password is set. Now set up two-factor authentication: scan "
                "the code with an authenticator app on your phone.",
            )
            return redirect("mfa_activate_totp")
        messages.success(request, "Your password is set. Welcome to Cofactor.")
        return redirect("practice:home")
    return render(
        request,
        "practice/accept_invitation.html",
        {"form": form, "invited_user": user, "staff": True},
    )


@access.role_required(Role.CLIENT, Role.PRACTITIONER, Role.ADMIN)
def email_address(request: HttpRequest) -> HttpResponse:
    """Replaces allauth's email page: the address is shown, not changed here.

    An address added by its owner would need a verification step Cofactor does not
    run, and allauth's MFA refuses to work beside an unverified address; the
    practice changes an address instead (practice/addresses.py).
    """
    return render(request, "practice/email_address.html")
