"""django-allauth behaviour for Cofactor."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest

from practice import audit, emails


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Say how the rightful person gets in: a reset ends the wait at once.
        "too_many_login_attempts": "Too many failed sign-in attempts for this "
        "account. Try again in a few minutes, or reset your password: that lets "
        "you in straight away.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Nobody signs themselves up: clients are invited, staff made by an admin."""
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """Record sign-ins the rate limit refuses (they never reach Django's
        failure signal, so they would otherwise leave no trace)."""
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            audit.login_refused(
                request=request,
                email=str(credentials.get("email") or ""),
                reason="rate_limited",
            )
            raise

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's emails (password resets and notices) like our own, so a
        mail server that is down never fails the page; they come from the client's
        practice."""
        from practice.models import Practice

        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                "practice": Practice.current(),
                **context,
            },
        )
        emails.queue(
            to=email,
            subject=message.subject,
            body=message.body,
            kind=template_prefix.rsplit("/", 1)[-1],
        )

    def format_email_subject(self, subject: str) -> str:
        """No "Cofactor:" prefix: the subject names the client's practice itself."""
        return " ".join(str(subject).split())
