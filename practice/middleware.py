"""Request handling for the practice: staff must use MFA, idle sessions end, and
pages for signed-in people are never cached."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from practice.models import STAFF_ROLES

# Pages a staff member without MFA may still use: setting MFA up, and leaving.
_ALLOWED_URL_NAMES = frozenset(
    {"account_logout", "account_reauthenticate", "healthz", "keep-alive"}
)


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


SIGNED_OUT = (
    "You were signed out because the page was left unused for a while. "
    "Please sign in again."
)


def keeps_post_after_idle(view):
    """Mark a view whose POST is still handled when it arrives after the idle limit.

    The view runs (signed in, CSRF checked) with `request.idle_expired` set, so it
    can keep what was typed as a draft and do nothing else; then the person is
    signed out and, after signing in again, sent to `request.idle_resume_url`.
    """
    view.keeps_post_after_idle = True
    return view


class IdleTimeoutMiddleware:
    """Sign people out after a period without activity: 30 minutes for staff, 60
    for clients by default (COFACTOR_STAFF_IDLE_MINUTES, COFACTOR_CLIENT_IDLE_MINUTES).

    Each request by a signed-in person moves the clock on, so the limit is on idle
    time, not on the length of a visit; the page warns before the limit and offers
    to stay signed in (static/js/idle.js). A draft posted after the limit is kept
    (see keeps_post_after_idle). The session cookie itself still ends when the
    browser closes.
    """

    key = "cofactor_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            limit = self.limit_seconds(user)
            last_seen = request.session.get(self.key, now)
            if now - last_seen > limit:
                return self._sign_out(request)
            if request.method == "GET" and request.path == reverse("keep-alive"):
                # The warning asking how long is left must not itself count.
                return self.get_response(request)
            # Not on every request (a session write each time), but often enough
            # that the clock is never more than a tenth of the limit behind.
            if (
                now - last_seen >= min(60, limit / 10)
                or self.key not in request.session
            ):
                request.session[self.key] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest) -> HttpResponse:
        next_url = request.get_full_path()
        message = SIGNED_OUT
        if request.method == "POST" and self._keeps_post(request):
            request.idle_expired = True
            self.get_response(request)  # keeps the draft; its reply is not sent
            if getattr(request, "idle_resume_url", None):
                next_url = request.idle_resume_url
                message = f"{SIGNED_OUT} What you typed has been kept."
        logout(request)
        messages.info(request, message, fail_silently=True)
        login_url = f"{reverse('account_login')}?{urlencode({'next': next_url})}"
        if request.headers.get("X-Saver") == "1" or request.path == reverse(
            "keep-alive"
        ):
            return JsonResponse(
                {"error": "signed_out", "login_url": login_url}, status=401
            )
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(login_url)
        return redirect_to_login(next_url)

    @staticmethod
    def _keeps_post(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return getattr(match.func, "keeps_post_after_idle", False)

    @staticmethod
    def limit_seconds(user) -> float:
        minutes = (
            settings.COFACTOR_STAFF_IDLE_MINUTES
            if user.role in STAFF_ROLES
            else settings.COFACTOR_CLIENT_IDLE_MINUTES
        )
        return minutes * 60


@require_http_methods(["GET", "POST"])
def keep_alive(request: HttpRequest) -> JsonResponse:
    """Say how long is left before the idle sign-out (GET: the time other tabs'
    activity may have moved on); POST moves the clock on ("Stay signed in")."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed_out"}, status=401)
    now = time.time()
    if request.method == "POST":
        request.session[IdleTimeoutMiddleware.key] = now
    last_seen = request.session.get(IdleTimeoutMiddleware.key, now)
    limit = IdleTimeoutMiddleware.limit_seconds(request.user)
    return JsonResponse({"seconds_left": max(0, round(limit - (now - last_seen)))})


def note_sign_in_time(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Start the idle clock at sign-in (connected to `user_logged_in`)."""
    if request is not None and hasattr(request, "session"):
        request.session[IdleTimeoutMiddleware.key] = time.time()


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
