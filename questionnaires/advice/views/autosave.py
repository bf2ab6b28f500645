"""Saving the advice editor as the practitioner types (static/js/advice-autosave.js).

Each save carries the version of the draft it was typed over (`saved_version`, the
draft's last save time). A save over an older version is refused with 409 and
says who saved the newer one and when, so a second tab, or a colleague, is never
silently overwritten; the text stays on the page. The plan rows are kept as typed,
like "Add a supplement": they are checked when the practitioner saves and checks,
and issuing checks again.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import access
from practice.models import Role
from questionnaires.models import AdviceDraft, Response

STAFF = (Role.PRACTITIONER, Role.ADMIN)


def saved_version(draft: AdviceDraft) -> str:
    """What a page shows as the version it was typed over: the last save time."""
    return draft.updated_at.isoformat() if draft.updated_at else ""


def stale_message(draft: AdviceDraft) -> str:
    """Why a save from an older page was refused, in words."""
    who = draft.updated_by.full_name if draft.updated_by else "someone"
    when = date_format(timezone.localtime(draft.updated_at), "H:i")
    return (
        f"This advice was saved at {when} by {who}, in another tab or window, after "
        "this page was opened. What you typed here has not been saved and is still "
        "on this page."
    )


@never_cache
@access.role_required(*STAFF)
@require_POST
def autosave(request: HttpRequest, code: str) -> JsonResponse:
    from questionnaires.advice import current_supplements
    from questionnaires.advice.views.editor import _save_as_typed

    response = access.get_response(request.user, code)
    if response.is_editable:
        return JsonResponse(
            {"message": "The client has not sent this questionnaire yet."}, status=409
        )
    with transaction.atomic():
        # The case first, as every save of the advice does (so an issue in
        # progress prints the rows it checked), then the draft.
        Response.objects.select_for_update().filter(pk=response.pk).first()
        # Lock the draft row only: who saved last is read through an outer join.
        draft = (
            AdviceDraft.objects.select_for_update(of=("self",))
            .filter(response=response)
            .select_related("updated_by")
            .first()
        )
        if draft is None:
            return JsonResponse(
                {"message": "Open the advice page again to start the advice."},
                status=409,
            )
        if request.POST.get("saved_version", "") != saved_version(draft):
            return JsonResponse(
                {"message": stale_message(draft), "conflict": True}, status=409
            )
        _save_as_typed(request, response, draft)
        current_supplements.save_as_typed(request.POST, response, draft)
    saved_at = date_format(timezone.localtime(draft.updated_at), "H:i")
    return JsonResponse({"version": saved_version(draft), "saved_at": saved_at})
