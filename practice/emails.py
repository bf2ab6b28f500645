"""Outgoing email. Messages never carry health data: they say that something is
ready and link to the app, where access is checked."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse


def absolute(path: str) -> str:
    """A full link to a page of this site, for an email."""
    return settings.COFACTOR_SITE_URL + path


def _send(*, to: str, template: str, context: dict) -> None:
    subject = render_to_string(f"practice/email/{template}_subject.txt", context)
    body = render_to_string(f"practice/email/{template}_message.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


def send_invitation_email(
    *,
    to: str,
    client_name: str,
    practitioner_name: str,
    practice_name: str,
    link: str,
    expires_at: datetime.datetime,
) -> None:
    _send(
        to=to,
        template="invitation",
        context={
            "client_name": client_name,
            "practitioner_name": practitioner_name,
            "practice_name": practice_name,
            "link": link,
            "expires_at": expires_at,
        },
    )


def send_staff_invitation_email(
    *,
    to: str,
    name: str,
    role: str,
    invited_by: str,
    practice_name: str,
    link: str,
    expires_at: datetime.datetime,
) -> None:
    """Invite a practitioner or admin to choose a password and set up two-factor."""
    _send(
        to=to,
        template="staff_invitation",
        context={
            "name": name,
            "role": role,
            "invited_by": invited_by,
            "practice_name": practice_name,
            "link": link,
            "expires_at": expires_at,
        },
    )


def send_questionnaire_ready_email(
    *, to: str, client_name: str, practice_name: str
) -> None:
    _send(
        to=to,
        template="questionnaire_ready",
        context={
            "client_name": client_name,
            "practice_name": practice_name,
            "link": absolute(reverse("practice:portal")),
        },
    )


def send_submitted_email(*, to: str, client_name: str, client_code: str) -> None:
    """Tell the practitioner a client has submitted (the name only, no answers)."""
    _send(
        to=to,
        template="questionnaire_submitted",
        context={
            "client_name": client_name,
            "link": absolute(reverse("practice:client-detail", args=[client_code])),
        },
    )


def send_reopened_email(*, to: str, client_name: str, practice_name: str) -> None:
    """Tell the client their questionnaire is open again; the reason is in the app."""
    _send(
        to=to,
        template="questionnaire_reopened",
        context={
            "client_name": client_name,
            "practice_name": practice_name,
            "link": absolute(reverse("practice:portal")),
        },
    )


def send_summary_ready_email(*, to: str, client_name: str, practice_name: str) -> None:
    """Tell the client their advice summary is ready; the PDF stays in the app."""
    _send(
        to=to,
        template="summary_ready",
        context={
            "client_name": client_name,
            "practice_name": practice_name,
            "link": absolute(reverse("practice:portal")),
        },
    )


def send_erasure_requested_email(*, to: list[str]) -> None:
    """Tell the practice a client asked for erasure; who it is shows in the admin."""
    context = {"link": absolute(reverse("admin:practice_erasurerequest_changelist"))}
    for address in to:
        _send(to=address, template="erasure_requested", context=context)
