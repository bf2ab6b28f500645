"""Make practitioners and admins set up two-factor authentication first."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from practice.models import STAFF_ROLES

# Pages a staff member without MFA may still use: setting MFA up, and leaving.
_ALLOWED_URL_NAMES = frozenset({"account_logout", "account_reauthenticate", "healthz"})


class StaffMFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, args, kwargs):
        if not settings.COFACTOR_REQUIRE_STAFF_MFA:
            return None
        user = request.user
        if not user.is_authenticated or user.role not in STAFF_ROLES:
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        if name in _ALLOWED_URL_NAMES or (name or "").startswith("mfa_"):
            return None
        if is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return None
        messages.info(
            request,
            "Practitioners and admins must use two-factor authentication to protect "
            "clients' health data. Set up an authenticator app to continue.",
            fail_silently=True,
        )
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse("mfa_activate_totp"))
        return redirect("mfa_activate_totp")
