"""The practitioner's actions on a client's questionnaire: send it, reopen it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from practice import access
from practice.models import ClientErased, Role
from questionnaires.followups import visits as followup
from questionnaires.intake import sending, submitting
from questionnaires.intake.sending import ERASED_MESSAGE, send_and_tell
from questionnaires.review.forms import ReopenForm

STAFF = (Role.PRACTITIONER, Role.ADMIN)


@access.role_required(*STAFF)
@require_POST
def send_questionnaire(request: HttpRequest, code: str) -> HttpResponse:
    client = access.get_client(request.user, code)
    send_and_tell(request, client)
    return redirect(client)


@access.role_required(*STAFF)
@require_POST
def send_follow_up(request: HttpRequest, code: str) -> HttpResponse:
    """Send the follow-up questionnaire, filled in from this visit."""
    response = access.get_response(request.user, code)
    case_url = reverse("questionnaires:case", args=[response.code])
    refused = followup.refusal(response)
    if refused:
        messages.error(request, refused)
        return redirect(case_url)
    client = response.client
    try:
        sending.send_questionnaire(
            client=client, sent_by=request.user, request=request, follows=response
        )
    except ClientErased:
        messages.error(request, ERASED_MESSAGE)
    except sending.NoPublishedQuestionnaire:
        messages.warning(
            request,
            "No follow-up questionnaire is published yet, so none was sent. Ask your "
            "admin to run load_questionnaires.",
        )
    else:
        messages.success(
            request,
            f"{client.user.full_name} can now fill in the follow-up questionnaire.",
        )
    return redirect(case_url)


@access.role_required(*STAFF)
@require_POST
def reopen(request: HttpRequest, code: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please write a short message for the client.")
        return redirect(response.client)
    try:
        submitting.reopen(
            response=response,
            by=request.user,
            message=form.cleaned_data["message"],
            request=request,
        )
    except ValueError:
        messages.error(request, "Only a submitted questionnaire can be reopened.")
    else:
        messages.success(
            request,
            f"The questionnaire is open again for {response.client.user.full_name}.",
        )
    return redirect(response.client)
