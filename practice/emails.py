"""Outgoing email. Messages never carry health data: they say that something is
ready and link to the app, where access is checked.

Every email is queued: `queue()` stores it (an OutgoingEmail row and a background
task) in the caller's transaction, so it exists exactly when the change it reports
was committed, and a mail server that is down never fails a page. The worker
(`manage.py db_worker`) sends it, retrying with a growing delay; staff see mail that
could not be sent in the admin and can send it again.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from practice.models import Client, EmailStatus, OutgoingEmail, Practice

log = logging.getLogger(__name__)

# The longest wait between two tries of one email.
MAX_RETRY_DELAY = datetime.timedelta(hours=2)


def absolute(path: str) -> str:
    """A full link to a page of this site, for an email."""
    return settings.COFACTOR_SITE_URL + path


def queue(
    *, to: str, subject: str, body: str, kind: str, client: Client | None = None
) -> OutgoingEmail | None:
    """Store an email and the task that sends it, in the current transaction.

    Nothing is queued for an erased client (they can be sent nothing); `client` is
    who the email is to or about, so that erasing them deletes it too.
    """
    if client is not None and client.is_erased:
        log.warning("email %s to erased client %s not queued", kind, client.code)
        return None
    with transaction.atomic():
        email = OutgoingEmail.objects.create(
            to=to,
            subject=" ".join(subject.split())[:255],
            body=body,
            kind=kind,
            client=client,
            next_attempt_at=timezone.now(),
        )
        deliver.enqueue(email.pk)
    log.info("email %s (%s) queued", email.code, kind)
    return email


def _send(
    *, to: str, template: str, context: dict, client: Client | None = None
) -> OutgoingEmail | None:
    subject = render_plain(f"practice/email/{template}_subject.txt", context)
    body = render_to_string(f"practice/email/{template}_message.txt", context)
    return queue(to=to, subject=subject, body=body, kind=template, client=client)


def render_plain(template_name: str, context: dict) -> str:
    """Render a plain-text template without HTML escaping ("Smith & Jones")."""
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))


@task()
def deliver(email_id: int) -> None:
    """Send one queued email; on failure, queue the next try or give up."""
    now = timezone.now()
    # A claim older than this belongs to a worker that died mid-send.
    stale = now - datetime.timedelta(seconds=4 * settings.EMAIL_TIMEOUT + 60)
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.QUEUED)
        .filter(Q(sending_since=None) | Q(sending_since__lt=stale))
        .update(sending_since=now)
    )
    if not claimed:
        return  # sent already, given up on, erased, or another worker has it
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        branded_message(email).send()
    except smtplib.SMTPRecipientsRefused as exc:
        _failed(email, exc, permanent=True)
    except Exception as exc:  # noqa: BLE001 - any failure is retried later
        _failed(email, exc, permanent=False)
    else:
        OutgoingEmail.objects.filter(pk=email.pk).update(
            status=EmailStatus.SENT,
            sent_at=timezone.now(),
            attempts=email.attempts + 1,
            body="",
            sending_since=None,
            next_attempt_at=None,
            last_error="",
        )
        log.info("email %s sent", email.code)


LOGO_CID = "practice-logo"


def branded_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    """The email as sent: its plain text, and an HTML part headed by the practice's
    name and logo, so a client sees their practice rather than us.

    The logo travels inside the message (an inline image), not as a link, so mail
    programs that block remote images still show it.
    """
    practice = Practice.current()
    message = EmailMultiAlternatives(email.subject, email.body, None, [email.to])
    logo = _logo_image(practice)
    html = render_to_string(
        "practice/email/branded.html",
        {
            "practice": practice,
            "body": email.body,
            "logo_cid": LOGO_CID if logo else "",
        },
    )
    message.attach_alternative(html, "text/html")
    if logo:
        message.mixed_subtype = "related"
        message.attach(logo)
    return message


def _logo_image(practice: Practice) -> MIMEImage | None:
    """The practice's logo as an inline image part, or None without a readable one."""
    if not practice.logo:
        return None
    try:
        with practice.logo.open("rb") as handle:
            image = MIMEImage(handle.read())
    except (OSError, TypeError, ValueError):
        log.warning("practice logo could not be read for an email")
        return None
    image.add_header("Content-ID", f"<{LOGO_CID}>")
    image.add_header("Content-Disposition", "inline", filename="logo")
    return image


def _failed(email: OutgoingEmail, exc: Exception, *, permanent: bool) -> None:
    attempts = email.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:300]
    give_up = permanent or attempts >= settings.COFACTOR_EMAIL_ATTEMPTS
    with transaction.atomic():
        fields = {"attempts": attempts, "last_error": error, "sending_since": None}
        if give_up:
            fields.update(status=EmailStatus.FAILED, next_attempt_at=None)
        else:
            fields["next_attempt_at"] = timezone.now() + retry_delay(attempts)
            deliver.using(run_after=fields["next_attempt_at"]).enqueue(email.pk)
        OutgoingEmail.objects.filter(pk=email.pk).update(**fields)
    if give_up:
        log.error("email %s not sent after %s tries: %s", email.code, attempts, error)
    else:
        log.warning("email %s not sent (try %s), will retry", email.code, attempts)


def retry_delay(attempts: int) -> datetime.timedelta:
    """How long to wait after the given number of failed tries: doubling each time."""
    first = datetime.timedelta(seconds=settings.COFACTOR_EMAIL_RETRY_SECONDS)
    return min(first * 2 ** (attempts - 1), MAX_RETRY_DELAY)


def send_again(emails: Iterable[OutgoingEmail]) -> int:
    """Queue unsent emails for a fresh round of tries; returns how many."""
    count = 0
    with transaction.atomic():
        for email in emails:
            if email.status == EmailStatus.SENT:
                continue
            OutgoingEmail.objects.filter(pk=email.pk).update(
                status=EmailStatus.QUEUED,
                attempts=0,
                sending_since=None,
                next_attempt_at=timezone.now(),
            )
            deliver.enqueue(email.pk)
            count += 1
    return count


def send_invitation_email(
    *,
    to: str,
    client_name: str,
    practitioner_name: str,
    practice_name: str,
    link: str,
    expires_at: datetime.datetime,
    client: Client | None = None,
) -> None:
    _send(
        to=to,
        template="invitation",
        client=client,
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
    *,
    to: str,
    client_name: str,
    practice_name: str,
    client: Client | None = None,
    follow_up: bool = False,
) -> None:
    template = "follow_up_ready" if follow_up else "questionnaire_ready"
    _send_to_client(template, to, client_name, practice_name, client)


def send_submitted_email(
    *, to: str, client_name: str, client_code: str, client: Client | None = None
) -> None:
    """Tell the practitioner a client has submitted (the name only, no answers)."""
    _send(
        to=to,
        template="questionnaire_submitted",
        client=client,
        context={
            "client_name": client_name,
            "link": absolute(reverse("practice:client-detail", args=[client_code])),
        },
    )


def send_reopened_email(
    *, to: str, client_name: str, practice_name: str, client: Client | None = None
) -> None:
    """Tell the client their questionnaire is open again; the reason is in the app."""
    _send_to_client("questionnaire_reopened", to, client_name, practice_name, client)


def send_summary_ready_email(
    *, to: str, client_name: str, practice_name: str, client: Client | None = None
) -> None:
    """Tell the client their advice summary is ready; the PDF stays in the app."""
    _send_to_client("summary_ready", to, client_name, practice_name, client)


def _send_to_client(
    template: str,
    to: str,
    client_name: str,
    practice_name: str,
    client: Client | None,
) -> None:
    """Tell a client something waits for them in their portal."""
    _send(
        to=to,
        template=template,
        client=client,
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
