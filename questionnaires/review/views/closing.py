"""The case page's "Close the case" and "Open the case again" buttons."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from practice import access
from questionnaires.review import closing
from questionnaires.review.forms import CloseCaseForm, OpenCaseForm
from questionnaires.review.views.case import STAFF, case_page_again


@access.role_required(*STAFF)
@require_POST
def close_case(request: HttpRequest, code: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    form = CloseCaseForm(request.POST)
    if not form.is_valid():
        # The case page again, with the message next to the reason.
        return case_page_again(request, response, close_form=form)
    try:
        closing.close_case(
            response=response,
            by=request.user,
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as error:
        messages.info(request, error.messages[0])
    else:
        messages.success(
            request,
            "The case is closed. It is no longer checked when the knowledge base "
            "changes.",
        )
    return _back_to_case(response)


@access.role_required(*STAFF)
@require_POST
def open_case(request: HttpRequest, code: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    form = OpenCaseForm(request.POST)
    if not form.is_valid():  # no fields, so never; kept for the next one added
        return case_page_again(request, response, open_form=form)
    try:
        closing.open_case(response=response, by=request.user, request=request)
    except ValidationError as error:
        messages.info(request, error.messages[0])
    else:
        messages.success(
            request,
            "The case is open again. It is checked whenever the knowledge base "
            "changes.",
        )
    return _back_to_case(response)


def _back_to_case(response) -> HttpResponse:
    return redirect(reverse("questionnaires:case", args=[response.code]) + "#closing")
