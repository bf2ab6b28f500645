"""The pages shown when a request fails on our side."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string

# Seconds a browser or load balancer should wait before trying again.
RETRY_AFTER = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 "try again shortly" when the database cannot be reached.

    Rendered without a request context: the context processors read the
    database, which may be what failed.
    """
    _, error, _ = sys.exc_info()
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponseServerError(render_to_string("500.html"))
