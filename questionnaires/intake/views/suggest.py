"""Names suggested while a client types a medicine or a supplement (JSON)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from practice import access
from practice.models import Role
from questionnaires.intake import suggestions

MAX_QUERY = 100


@require_GET
@access.role_required(Role.CLIENT)
def suggest(request: HttpRequest, kind: str) -> JsonResponse:
    """Up to eight names from the knowledge base that fit what was typed."""
    if kind not in suggestions.KINDS:
        raise Http404("Nothing to suggest here.")
    query = request.GET.get("q", "")[:MAX_QUERY]
    found = suggestions.suggest(kind, query)
    response = JsonResponse({"suggestions": [s.as_json() for s in found]})
    # The same for every client and the same knowledge version: a short private
    # cache saves a request when someone deletes a letter and types it again.
    response["Cache-Control"] = "private, max-age=300"
    return response
