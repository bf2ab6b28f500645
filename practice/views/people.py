from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import access, invitations
from practice.audit import record
from practice.forms import ChoosePasswordForm, InviteClientForm
from practice.models import AuditAction, Client, InvitationState, Role, User
from questionnaires.advice.summary_options import with_replacements
from questionnaires.intake.sending import send_and_tell
from questionnaires.models import IssuedSummary
from questionnaires.review.forms import ReopenForm

HOME_BY_ROLE = {
    Role.CLIENT: "practice:portal",
    Role.PRACTITIONER: "practice:dashboard",
    Role.ADMIN: "practice:staff-home",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the home page of their role."""
    return redirect(HOME_BY_ROLE[request.user.role])


@access.role_required(Role.CLIENT)
def portal(request: HttpRequest) -> HttpResponse:
    client = access.clients_for(request.user).first()
    responses = list(
        access.responses_for(request.user).annotate(
            step_count=Count("version__sections", distinct=True)
        )
    )
    return render(
        request,
        "practice/portal.html",
        {
            "client": client,
            "open_response": next((r for r in responses if r.is_editable), None),
            "sent_responses": [r for r in responses if not r.is_editable],
            "summaries": with_replacements(
                IssuedSummary.objects.filter(
                    response__in=access.responses_for(request.user)
                )
                .select_related("issued_by")
                .order_by("-version")
            ),
        },
    )


@access.role_required(Role.PRACTITIONER)
def invite_client(request: HttpRequest) -> HttpResponse:
    form = InviteClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = invitations.invite_client(
            practitioner=request.user.practitioner_profile,
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            request=request,
        )
        messages.success(
            request,
            f"Invitation sent to {client.user.full_name} ({client.user.email}).",
        )
        if form.cleaned_data["send_questionnaire"]:
            send_and_tell(request, client)
        return redirect(client)
    return render(request, "practice/invite_client.html", {"form": form})


@access.role_required(Role.PRACTITIONER, Role.ADMIN)
def client_detail(request: HttpRequest, code: str) -> HttpResponse:
    client = access.get_client(request.user, code)
    record(action=AuditAction.VIEWED, request=request, obj=client)
    invitation = client.invitations.first()
    responses = client.responses.select_related("version__questionnaire").annotate(
        step_count=Count("version__sections", distinct=True)
    )
    return render(
        request,
        "practice/client_detail.html",
        {
            "client": client,
            "invitation": invitation,
            "responses": responses,
            "has_open_response": any(r.is_editable for r in responses),
            "reopen_form": ReopenForm(),
            # Only the latest submission can be reopened, and not while one is open.
            "reopenable_code": next(
                (r.code for r in responses[:1] if r.can_reopen),
                None,
            ),
        },
    )


@access.role_required(Role.PRACTITIONER, Role.ADMIN)
@require_POST
def resend_invitation(request: HttpRequest, code: str) -> HttpResponse:
    client = access.get_client(request.user, code)
    if client.is_erased:
        messages.error(
            request, "This client's data has been erased, so nothing was sent."
        )
    elif client.has_joined:
        messages.info(
            request,
            f"{client.user.full_name} has already set a password; "
            "if they have forgotten it they can reset it from the sign-in page.",
        )
    else:
        invitations.send_invitation(
            client=client, sent_by=request.user, request=request
        )
        messages.success(
            request,
            f"A new invitation was sent to {client.user.email}. "
            "Earlier links no longer work.",
        )
    return redirect(client)


@never_cache
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation email: choose a password, then go to the portal."""
    invitation = invitations.find_invitation(token)
    state = invitation.state if invitation else None
    if state != InvitationState.PENDING:
        return render(
            request,
            "practice/invitation_invalid.html",
            {"state": state, "states": InvitationState},
            status=404 if state is None else 410,
        )
    user = invitation.client.user
    if request.user.is_authenticated and request.user != user:
        logout(request)  # someone else was signed in on this browser
    form = ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations.accept_invitation(
                invitation=invitation,
                password=form.cleaned_data["new_password1"],
                request=request,
            )
        except ValueError:
            return render(
                request,
                "practice/invitation_invalid.html",
                {"state": InvitationState.ACCEPTED, "states": InvitationState},
                status=410,
            )
        messages.success(request, "Your password is set. Welcome to Cofactor.")
        return redirect("practice:portal")
    return render(
        request,
        "practice/accept_invitation.html",
        {"form": form, "invited_user": user, "invitation": invitation},
    )


@access.role_required(Role.ADMIN)
def staff_home(request: HttpRequest) -> HttpResponse:
    counts = dict(
        User.objects.filter(is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    unassigned = Client.objects.filter(practitioner=None).count()
    # A deactivated practitioner reads nobody's answers: their clients need a new one.
    orphaned = Client.objects.filter(practitioner__user__is_active=False).count()
    return render(
        request,
        "practice/staff_home.html",
        {
            "counts": [(role.label, counts.get(role.value, 0)) for role in Role],
            "unassigned": unassigned,
            "orphaned": orphaned,
        },
    )


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when signing in would work, else 503 saying why.

    Sign-in needs the database, its session table and the cache (rate limits).
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return _unhealthy("database unavailable")
    try:
        Session.objects.filter(pk="").exists()
    except DatabaseError:
        return _unhealthy("session table unavailable")
    try:
        cache.get("healthz")
    except Exception:  # noqa: BLE001 - any cache backend's failure
        return _unhealthy("cache unavailable")
    return HttpResponse("ok\n", content_type="text/plain")


def _unhealthy(reason: str) -> HttpResponse:
    return HttpResponse(f"{reason}\n", status=503, content_type="text/plain")
