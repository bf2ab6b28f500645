"""Email goes through a queue in the database: a mail server that is down never
fails a page, the mail goes out once the server is back, and staff can see and
resend what could not be sent.

These tests run the real worker (`manage.py db_worker --batch`) against a real
SMTP server on 127.0.0.1 (aiosmtpd), which they stop and start.
"""

from __future__ import annotations

import datetime
import signal
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from practice import emails
from practice.models import Client, EmailStatus, OutgoingEmail, Practice
from tests.intake_helpers import answer_everything, shipped_version
from tests.review_helpers import submitted_case
from tests.test_advice import LEVOTHYROXINE, MAGNESIUM_200, issue, ready_to_issue

pytestmark = pytest.mark.queued_email


class Inbox:
    """An aiosmtpd handler that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"

    def subjects(self) -> list[str]:
        return [
            line.removeprefix("Subject: ")
            for _, content in self.messages
            for line in content.splitlines()
            if line.startswith("Subject: ")
        ]


class MailServer:
    """A local SMTP server on a fixed port that can be stopped and started."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def mail_server(settings):
    server = MailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run_worker() -> None:
    """Run the real worker until nothing is due, keeping pytest's signal handlers."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
        )
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def later(monkeypatch, minutes: int) -> None:
    """Move the clock on, so retries that were waiting are due."""
    moved = timezone.now() + datetime.timedelta(minutes=minutes)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_with_the_mail_server_down_invite_submit_and_issue_work_and_mail_follows(
    client, transactional_db, priya, alice, mail_server, monkeypatch
):
    # The server is not started: connections to it are refused.
    shipped_version()
    client.force_login(priya.user)
    invited = client.post(
        "/clients/invite/",
        {"full_name": "Carol Carter", "email": "carol@example.org"},
        follow=True,
    )
    assert invited.status_code == 200
    assert "Invitation sent to" in invited.content.decode()
    carol = Client.objects.get(user__email="carol@example.org")
    assert carol.invitations.count() == 1

    client.force_login(alice.user)
    from questionnaires.intake import sending

    response = sending.send_questionnaire(client=alice, sent_by=priya.user)
    answer_everything(client, response)
    submitted = client.post(f"/q/{response.code}/submit/", {"round": 0}, follow=True)
    assert submitted.status_code == 200
    response.refresh_from_db()
    assert response.status == "submitted"

    case = submitted_case(
        alice, medications=[LEVOTHYROXINE], supplements=[MAGNESIUM_200]
    )
    client.force_login(priya.user)
    ready_to_issue(client, case)
    issued = issue(client, case)
    assert "Advice summary version 1 issued" in issued.content.decode()

    run_worker()  # every try is refused
    assert mail_server.inbox.messages == []
    waiting = OutgoingEmail.objects.all()
    assert {e.kind for e in waiting} >= {
        "invitation",
        "questionnaire_submitted",
        "summary_ready",
    }
    assert all(e.status == EmailStatus.QUEUED and e.attempts == 1 for e in waiting)
    assert all("Connection" in e.last_error for e in waiting)
    # The practitioner can see that Carol's invitation has not gone out.
    page = client.get(f"/clients/{carol.code}/").content.decode()
    assert "Email not sent yet" in page and "tried again" in page

    mail_server.start()
    run_worker()  # the retry is not due yet
    assert mail_server.inbox.messages == []
    later(monkeypatch, minutes=2)
    run_worker()
    sent_to = sorted(r for rcpts, _ in mail_server.inbox.messages for r in rcpts)
    assert "carol@example.org" in sent_to
    assert "priya@example.org" in sent_to  # Alice submitted
    assert sent_to.count("alice@example.org") >= 1  # her summary is ready
    assert len(sent_to) == OutgoingEmail.objects.count()  # each sent once
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    # Once sent, the body (with Carol's one-time link) is not kept.
    assert set(OutgoingEmail.objects.values_list("body", flat=True)) == {""}
    invitation = next(
        c for r, c in mail_server.inbox.messages if r == [carol.user.email]
    )
    assert "/invitation/" in invitation


def test_a_mail_server_that_never_answers_is_given_up_on_after_the_timeout(
    transactional_db, settings, monkeypatch
):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = silent.getsockname()
    settings.EMAIL_TIMEOUT = 1
    try:
        emails.queue(to="a@example.org", subject="Hello", body="Hi", kind="test")
        started = time.monotonic()
        run_worker()
        took = time.monotonic() - started
    finally:
        silent.close()
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.QUEUED and email.attempts == 1
    assert "timed out" in email.last_error.lower()
    assert took < 10


def test_mail_is_given_up_on_after_the_last_try_and_staff_can_send_it_again(
    client, transactional_db, ada, mail_server, settings, monkeypatch
):
    settings.COFACTOR_EMAIL_ATTEMPTS = 3
    emails.queue(to="b@example.org", subject="Your summary", body="Hi", kind="test")
    for minutes in (0, 2, 5):
        later(monkeypatch, minutes)
        run_worker()
    email = OutgoingEmail.objects.get()
    assert email.status == EmailStatus.FAILED and email.attempts == 3

    client.force_login(ada)
    home = client.get("/staff/").content.decode()
    assert "1 email could not be sent yet" in home
    listing = client.get("/admin/practice/outgoingemail/?status__exact=failed")
    assert "Your summary" in listing.content.decode()
    assert "Hi" not in listing.content.decode().split("Your summary")[1][:200]

    mail_server.start()
    reply = client.post(
        "/admin/practice/outgoingemail/",
        {"action": "send_again", "_selected_action": [email.pk]},
        follow=True,
    )
    assert "1 email queued to be sent again" in reply.content.decode()
    run_worker()
    assert [r for r, _ in mail_server.inbox.messages] == [["b@example.org"]]
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT


def test_an_email_queued_twice_is_sent_once(transactional_db, mail_server):
    mail_server.start()
    email = emails.queue(to="c@example.org", subject="Once", body="Hi", kind="test")
    emails.send_again([email])  # a second task for the same email
    assert DBTaskResult.objects.count() == 2
    run_worker()
    assert len(mail_server.inbox.messages) == 1


def test_two_workers_at_once_send_an_email_once(transactional_db, mail_server):
    if transaction.get_connection().vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    mail_server.start()
    for n in range(6):
        email = emails.queue(to=f"d{n}@example.org", subject="Once", body="", kind="t")
        emails.send_again([email])
    errors = []

    def work():
        try:
            run_worker_in_thread()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    recipients = sorted(r for rcpts, _ in mail_server.inbox.messages for r in rcpts)
    assert recipients == sorted(f"d{n}@example.org" for n in range(6))


def run_worker_in_thread() -> None:
    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    try:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"w{threading.get_ident()}",
            excluded_queue_names=[],
        ).run()
    finally:
        connections.close_all()


def test_an_email_in_a_transaction_that_fails_is_never_sent(transactional_db):
    with pytest.raises(RuntimeError), transaction.atomic():
        emails.queue(to="e@example.org", subject="Never", body="", kind="test")
        raise RuntimeError("the change it reports did not happen")
    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_subjects_are_plain_text_not_html(db, alice):
    Practice.objects.update(name="Smith & Jones")
    with TestCase.captureOnCommitCallbacks():
        emails.send_summary_ready_email(
            to="alice@example.org",
            client_name="Alice O'Brien",
            practice_name="Smith & Jones",
            client=alice,
        )
    email = OutgoingEmail.objects.get()
    assert email.subject == "Your advice summary from Smith & Jones is ready"
    assert "&amp;" not in email.body and "Alice O'Brien" in email.body


def test_a_password_reset_goes_through_the_queue(client, db, priya, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # refused
    reply = client.post(
        "/accounts/password/reset/", {"email": "priya@example.org"}, follow=True
    )
    assert reply.status_code == 200
    email = OutgoingEmail.objects.get(to="priya@example.org")
    assert "/accounts/password/reset/key/" in email.body


@pytest.mark.parametrize("who", ["priya", "alice"])
def test_only_admins_may_open_the_outbox(client, db, request, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    reply = client.get("/admin/practice/outgoingemail/")
    assert reply.status_code == 302
    assert "/login/" in reply["Location"]


def test_the_outbox_is_not_shown_to_anonymous_visitors(client, db):
    reply = client.get("/admin/practice/outgoingemail/")
    assert reply.status_code == 302 and "/login/" in reply["Location"]
