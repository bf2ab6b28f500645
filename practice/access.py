"""Who may see what: the one place that scopes queries to the signed-in user.

A client sees only their own records, a practitioner only the clients assigned to
them, an admin everything. Anything outside a user's scope is a 404, never a 403, so
that nobody learns whether another person's record exists.
"""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Subquery
from django.http import Http404, HttpRequest

from practice.models import Client, Practitioner, Role, User
from questionnaires.models import Finding, Response


def clients_for(user: User) -> QuerySet[Client]:
    """The clients this user may see."""
    clients = Client.objects.select_related("user", "practitioner__user")
    if not user.is_authenticated or not user.is_active:
        return clients.none()
    if user.role == Role.ADMIN:
        return clients
    if user.role == Role.PRACTITIONER:
        # By the profile's id rather than a join: PostgreSQL then reads a page of
        # her clients in the order of an index that starts with the practitioner.
        profile = Practitioner.objects.filter(user=user).values("pk")[:1]
        return clients.filter(practitioner=Subquery(profile))
    if user.role == Role.CLIENT:
        return clients.filter(user=user)
    return clients.none()


def get_client(user: User, code: uuid.UUID | str) -> Client:
    """Load one client by its public code, or 404 if it is not this user's to see."""
    try:
        return clients_for(user).get(code=code)
    except (Client.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such client.") from exc


def responses_for(user: User) -> QuerySet[Response]:
    """The questionnaire responses this user may see (same scope as clients_for)."""
    return Response.objects.filter(client__in=clients_for(user)).select_related(
        "client__user", "version__questionnaire"
    )


def get_response(user: User, code: uuid.UUID | str) -> Response:
    """Load one response by its public code, or 404 if it is not this user's."""
    try:
        return responses_for(user).get(code=code)
    except (Response.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such questionnaire.") from exc


def get_finding(user: User, code: uuid.UUID | str) -> Finding:
    """Load one finding of a case this user may see, or 404."""
    try:
        return Finding.objects.select_related("response__client").get(
            code=code, response__in=responses_for(user)
        )
    except (Finding.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such finding.") from exc


def role_required(*roles: Role):
    """Let in only signed-in users with one of these roles.

    Others get a 404, like any object outside their scope: a client probing a
    practitioner's page for someone's code learns nothing.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.user.role not in roles:
                raise Http404("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
