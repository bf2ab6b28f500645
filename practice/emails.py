"""Outgoing email. Messages never carry health data: they say that something is
ready and link to the app, where access is checked."""

from __future__ import annotations

import datetime

from django.core.mail import send_mail
from django.template.loader import render_to_string


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
