"""The practice's logo, for the header of every page (clients see their practice)."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from practice.models import Practice


@require_GET
def logo(request: HttpRequest) -> FileResponse:
    """The logo the admin uploaded: public, like a letterhead, on sign-in pages too."""
    practice = Practice.current()
    if not practice.logo:
        raise Http404("No logo.")
    try:
        handle = practice.logo.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("No logo.") from exc
    kind, _ = mimetypes.guess_type(practice.logo.name)
    response = FileResponse(handle, content_type=kind or "application/octet-stream")
    # The link carries the file's name, so a new logo is a new address.
    response["Cache-Control"] = "public, max-age=86400"
    return response
