"""Request handling for the practice: staff must use MFA, idle sessions end, and
pages for signed-in people are never cached."""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
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


class IdleTimeoutMiddleware:
    """Sign people out after a period without activity: 30 minutes for staff, 60
    for clients by default (COFACTOR_STAFF_IDLE_MINUTES, COFACTOR_CLIENT_IDLE_MINUTES).

    Each request by a signed-in person moves the clock on, so the limit is on idle
    time, not on the length of a visit. The session cookie itself still ends when
    the browser closes.
    """

    key = "cofactor_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.key, now)
            if now - last_seen > self.limit_seconds(user):
                logout(request)
                messages.info(
                    request,
                    "You were signed out because the page was left unused for a "
                    "while. Please sign in again.",
                    fail_silently=True,
                )
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(reverse("account_login"))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= 60 or self.key not in request.session:
                # To the minute: saving the session on every request costs a write.
                request.session[self.key] = now
        return self.get_response(request)

    @staticmethod
    def limit_seconds(user) -> int:
        minutes = (
            settings.COFACTOR_STAFF_IDLE_MINUTES
            if user.role in STAFF_ROLES
            else settings.COFACTOR_CLIENT_IDLE_MINUTES
        )
        return minutes * 60


def note_sign_in_time(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Start the idle clock at sign-in (connected to `user_logged_in`)."""
    if request is not None and hasattr(request, "session"):
        request.session[IdleTimeoutMiddleware.key] = int(time.time())


class NoStoreMiddleware:
    """Tell browsers and proxies not to keep any page a signed-in person sees:
    they may hold health data, and a shared computer must not show them again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
