"""Erasure leaves nothing: no file of the client's on disk (not even one from a
crashed issue), no email to them, no address or browser of theirs in the audit
log; the erased client is unassigned, can be sent nothing, and erasing can run
again. Issued PDFs are the app user's alone and appear only after the commit."""

from __future__ import annotations

import os
import stat

import pytest
from django.core.management import call_command
from django.test import TestCase

from practice import emails, invitations, privacy
from practice.models import AuditAction, AuditEvent, ClientErased, OutgoingEmail
from questionnaires.advice import issuing
from questionnaires.intake import sending
from questionnaires.models import IssuedSummary, Response
from tests.factories import PASSWORD
from tests.intake_helpers import shipped_version
from tests.test_client_rights import ALICE_GOALS, ALICE_MEDICINE, issued_case

BROWSER = "Mozilla/5.0 (Alice's phone)"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(alice):
    return issued_case(alice, goals=ALICE_GOALS, medications=[ALICE_MEDICINE])


def files_under(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


def test_erasure_removes_her_whole_folder_with_a_crashed_issues_file(
    alice, case, ada, settings
):
    folder = settings.MEDIA_ROOT / "summaries" / str(case.code)
    # What a worker killed mid-issue leaves: a file no record points to.
    (folder / "advice-summary-v2.pdf.pending").write_bytes(b"%PDF half an issue")
    (folder / "advice-summary-v9.pdf").write_bytes(b"%PDF from an old crash")
    privacy.erase_client(client=alice, by=ada)
    assert not folder.exists()
    assert files_under(settings.MEDIA_ROOT / "summaries") == []


def test_the_erased_client_is_unassigned_flagged_and_off_the_dashboard(
    client, alice, case, ada, priya
):
    privacy.erase_client(client=alice, by=ada)
    alice.refresh_from_db()
    assert alice.is_erased and alice.erased_at is not None
    assert alice.practitioner is None
    client.force_login(priya.user)
    assert "Erased client" not in client.get("/dashboard/").content.decode()
    assert client.get(f"/clients/{alice.code}/").status_code == 404


def test_the_erased_client_cannot_be_sent_a_questionnaire_or_invitation(
    client, alice, case, ada
):
    privacy.erase_client(client=alice, by=ada)
    alice.refresh_from_db()
    client.force_login(ada)
    sent = client.post(f"/clients/{alice.code}/send-questionnaire/", follow=True)
    assert "erased, so nothing was sent" in sent.content.decode()
    resent = client.post(f"/clients/{alice.code}/resend-invitation/", follow=True)
    assert "erased, so nothing was sent" in resent.content.decode()
    assert not Response.objects.filter(client=alice).exists()
    assert not alice.invitations.exists()
    assert not OutgoingEmail.objects.exists()
    with pytest.raises(ClientErased):
        sending.send_questionnaire(client=alice, sent_by=ada)
    with pytest.raises(ClientErased):
        invitations.send_invitation(client=alice, sent_by=ada, request=None)
    assert (
        emails.queue(to="x@example.org", subject="s", body="b", kind="k", client=alice)
        is None
    )


def test_her_queued_emails_are_deleted(alice, ada, priya):
    with TestCase.captureOnCommitCallbacks():  # queued, never sent
        emails.send_summary_ready_email(
            to=alice.user.email,
            client_name="Alice Archer",
            practice_name="Test Practice",
            client=alice,
        )
        emails.queue(to=alice.user.email, subject="Reset", body="key", kind="reset")
    assert OutgoingEmail.objects.count() == 2
    privacy.erase_client(client=alice, by=ada)
    assert not OutgoingEmail.objects.exists()


def test_the_audit_log_forgets_her_address_and_browser_but_not_priyas(
    client, alice, case, ada, priya
):
    for password, address in (("wrong", "203.0.113.8"), (PASSWORD, "203.0.113.7")):
        client.post(
            "/accounts/login/",
            {"login": "alice@example.org", "password": password},
            REMOTE_ADDR=address,
            HTTP_USER_AGENT=BROWSER,
        )
    client.force_login(priya.user)
    client.get(f"/clients/{alice.code}/", REMOTE_ADDR="198.51.100.2")
    assert {e.ip for e in AuditEvent.objects.filter(user_agent=BROWSER)} == {
        "203.0.113.7",
        "203.0.113.8",
    }

    privacy.erase_client(client=alice, by=ada)
    assert not AuditEvent.objects.filter(ip__startswith="203.0.113").exists()
    assert not AuditEvent.objects.filter(user_agent=BROWSER).exists()
    priyas = AuditEvent.objects.get(actor=priya.user, action=AuditAction.VIEWED)
    assert priyas.ip == "198.51.100.2"


def test_erasure_runs_again_on_data_added_after_it(client, alice, case, ada):
    privacy.erase_client(client=alice, by=ada)
    # A record that reached the erased client anyway (e.g. a race with the erasure).
    late = Response.objects.create(client=alice, version=shipped_version())
    client.force_login(ada)
    page = client.get(f"/staff/clients/{alice.code}/erase/").content.decode()
    assert "1 questionnaire," in page
    alice.refresh_from_db()
    reply = client.post(
        f"/staff/clients/{alice.code}/erase/", {"email": alice.user.email}, follow=True
    )
    assert "personal data has been erased" in reply.content.decode()
    assert not Response.objects.filter(pk=late.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.ERASED).count() == 2
    again = client.get(f"/staff/clients/{alice.code}/erase/").content.decode()
    assert "has been erased" in again and "<form" not in again.split("<main")[-1]


def test_issued_pdfs_are_readable_by_the_app_user_only(case, settings):
    summary = IssuedSummary.objects.get()
    path = settings.MEDIA_ROOT / summary.file_name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((settings.MEDIA_ROOT / "summaries").stat().st_mode) == 0o700


def test_a_pdf_gets_its_name_only_after_the_commit(alice, settings):
    case = issued_case(alice, goals=ALICE_GOALS, medications=[ALICE_MEDICINE])
    folder = settings.MEDIA_ROOT / "summaries" / str(case.code)
    with TestCase.captureOnCommitCallbacks() as moves:
        issuing.issue_summary(response=case, by=alice.practitioner.user)
        # Inside the transaction only a pending file exists.
        assert "advice-summary-v2.pdf" not in os.listdir(folder)
        assert any(n.endswith(".pending") for n in os.listdir(folder))
    for move in moves:
        move()
    assert sorted(os.listdir(folder)) == [
        "advice-summary-v1.pdf",
        "advice-summary-v2.pdf",
    ]


def test_clean_media_removes_orphans_and_finishes_interrupted_moves(
    alice, case, settings, capsys
):
    root = settings.MEDIA_ROOT
    summary = IssuedSummary.objects.get()
    final = root / summary.file_name
    # A crash between the commit and the move: the record exists, the file is
    # still under its pending name.
    pending = final.with_name(final.name + ".pending")
    final.rename(pending)
    orphan = root / "summaries" / "0d1e" / "advice-summary-v1.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF nobody's")
    old = 1_000_000_000  # long ago, so past the grace period
    os.utime(orphan.parent, (old, old))

    call_command("clean_media", "--dry-run")
    assert orphan.exists() and pending.exists()
    call_command("clean_media")
    out = capsys.readouterr().out
    assert "1 moved into place, 1 orphan files" in out
    assert final.exists() and not pending.exists() and not orphan.exists()
    assert issuing.read_issued(summary).startswith(b"%PDF")


def test_clean_media_leaves_a_fresh_pending_file_of_an_issue_in_progress(
    case, settings
):
    fresh = settings.MEDIA_ROOT / "summaries" / str(case.code) / "v5.pdf.pending"
    fresh.write_bytes(b"%PDF being issued")
    call_command("clean_media")
    assert fresh.exists()


def test_a_download_finishes_a_move_a_crash_interrupted(client, alice, case, settings):
    summary = IssuedSummary.objects.get()
    final = settings.MEDIA_ROOT / summary.file_name
    final.rename(final.with_name(final.name + ".pending"))  # committed, not moved
    client.force_login(alice.user)
    reply = client.get(summary.get_absolute_url())
    assert reply.status_code == 200
    assert reply.content.startswith(b"%PDF")
    assert final.exists()


def test_a_pending_file_that_does_not_match_is_not_served(
    client, alice, case, settings
):
    summary = IssuedSummary.objects.get()
    final = settings.MEDIA_ROOT / summary.file_name
    final.unlink()
    final.with_name(final.name + ".pending").write_bytes(b"%PDF something else")
    client.force_login(alice.user)
    reply = client.get(summary.get_absolute_url())
    assert reply.status_code == 404
    assert not final.exists()
