"""Alice downloads a copy of her data and asks the practice to delete her account."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone

from practice import privacy
from practice.models import AuditAction, AuditEvent, ErasureRequest, Practice
from questionnaires.advice import drafting, issuing
from questionnaires.models import Answer, Response
from questionnaires.review import actions as review
from tests.factories import UserFactory
from tests.review_helpers import submitted_case
from tests.test_advice import LEVOTHYROXINE, MAGNESIUM_200

ALICE_GOALS = "Walk the Pennine Way with my daughter"
# Alice takes levothyroxine and 200 mg of magnesium a day, as in the advice tests.
ALICE_MEDICINE = LEVOTHYROXINE
ALICE_SUPPLEMENT = MAGNESIUM_200
BOB_GOALS = "Run the Great North Run"
BOB_MEDICINE = {"name": "Metformin", "strength": "500 mg"}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def issued_case(
    client, *, goals: str, medications, supplements=(), note: str = ""
) -> Response:
    """A case answered, reviewed (every finding acknowledged with `note`) and
    issued through the real operations."""
    case = submitted_case(client, medications=medications, supplements=supplements)
    Answer.objects.filter(response=case, question__concept="goals").update(value=goals)
    # submitted_case writes answers directly; record the consent the step would.
    Response.objects.filter(pk=case.pk).update(
        consent_at=timezone.now(), consent_notice_version=privacy.notice_version()
    )
    practitioner = client.practitioner.user
    review.start_review(response=case, by=practitioner)
    for finding in case.findings.current():
        finding.decide(by=practitioner, decision="acknowledged", note=note)
    draft = drafting.draft_for(response=case, by=practitioner)
    draft.key_points = "Eat more leafy greens."
    draft.save()
    # The PDF is moved into place when the issue commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        issuing.issue_summary(response=case, by=practitioner)
    case.refresh_from_db()
    return case


@pytest.fixture
def alice_case(alice):
    return issued_case(
        alice,
        goals=ALICE_GOALS,
        medications=[ALICE_MEDICINE],
        supplements=[ALICE_SUPPLEMENT],
    )


@pytest.fixture
def bob_case(bob):
    return issued_case(bob, goals=BOB_GOALS, medications=[BOB_MEDICINE])


def download(client, user):
    client.force_login(user)
    return client.post("/portal/my-data/")


def unzip(reply) -> tuple[dict, dict[str, bytes]]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(reply.streaming_content)))
    files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("cofactor-data.json")), files


def test_alice_downloads_her_answers_medicines_supplements_and_consent(
    client, alice, alice_case, bob_case
):
    reply = download(client, alice.user)
    assert reply.status_code == 200
    assert reply["Content-Type"] == "application/zip"
    assert reply["Content-Disposition"].startswith("attachment;")
    assert "no-store" in reply["Cache-Control"]
    data, _ = unzip(reply)

    assert data["client"]["email"] == "alice@example.org"
    assert data["client"]["full_name"] == "Alice Archer"
    (response,) = data["responses"]
    assert response["code"] == str(alice_case.code)
    assert response["status"] == "Summary issued"
    assert response["submitted_at"]
    assert response["consent_at"]
    assert response["consent_notice_version"] == "1"
    goals = next(a for a in response["answers"] if a["concept"] == "goals")
    assert goals["value"] == ALICE_GOALS
    goals_question = alice_case.version.questions.get(concept="goals")
    assert goals["question"] == goals_question.text
    assert response["medications"][0]["name"] == "Levothyroxine"
    assert response["medications"][0]["strength"] == "100 mcg"
    assert response["supplements"][0]["product"] == "Magnesium bisglycinate"
    assert response["supplements"][0]["amount_per_dose"] == "200"


def test_the_zip_holds_alices_issued_pdfs_byte_for_byte(client, alice, alice_case):
    summary = alice_case.summaries.get()
    with default_storage.open(summary.file_name, "rb") as handle:
        stored = handle.read()
    data, pdfs = unzip(download(client, alice.user))
    (listed,) = data["responses"][0]["issued_summaries"]
    assert listed["version"] == 1
    assert listed["sha256"] == summary.sha256
    assert listed["included"] is True
    assert pdfs == {listed["file"]: stored}


def test_alices_download_holds_nothing_of_bobs(client, alice, alice_case, bob_case):
    data, pdfs = unzip(download(client, alice.user))
    text = json.dumps(data)
    for bobs in ("Bob Brown", "bob@example.org", BOB_GOALS, "Metformin"):
        assert bobs not in text
    assert str(bob_case.code) not in text
    assert all(str(bob_case.code) not in name for name in pdfs)
    bobs_pdf = issuing.read_issued(bob_case.summaries.get())
    assert bobs_pdf not in pdfs.values()


def test_bob_downloads_only_his_own_data(client, bob, alice_case, bob_case):
    data, pdfs = unzip(download(client, bob.user))
    text = json.dumps(data)
    assert "Bob Brown" in text and BOB_GOALS in text
    for alices in ("Alice Archer", "alice@example.org", ALICE_GOALS, "Levothyroxine"):
        assert alices not in text
    assert len(pdfs) == 1


@pytest.mark.parametrize("who", ["priya", "omar", "ada"])
def test_staff_cannot_use_the_download(client, request, alice_case, who):
    person = request.getfixturevalue(who)
    reply = download(client, getattr(person, "user", person))
    assert reply.status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, alice_case):
    reply = client.post("/portal/my-data/")
    assert reply.status_code == 302
    assert reply["Location"].startswith("/accounts/login/")


def test_the_download_needs_the_button_not_a_link(client, alice):
    client.force_login(alice.user)
    assert client.get("/portal/my-data/").status_code == 405


def test_a_download_is_in_the_audit_log(client, alice, alice_case):
    download(client, alice.user)
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED)
    assert event.actor == alice.user
    assert event.client_code == alice.code


def test_a_pdf_that_no_longer_matches_is_left_out_and_said_so(
    client, alice, alice_case
):
    summary = alice_case.summaries.get()
    with default_storage.open(summary.file_name, "wb") as handle:
        handle.write(b"%PDF tampered")
    data, pdfs = unzip(download(client, alice.user))
    assert pdfs == {}
    assert data["responses"][0]["issued_summaries"][0]["included"] is False


def test_the_portal_offers_the_download_the_notice_and_erasure(client, alice):
    client.force_login(alice.user)
    page = client.get("/portal/").content.decode()
    assert 'action="/portal/my-data/"' in page
    assert "Download my data" in page
    assert 'href="/privacy/"' in page
    assert 'href="/portal/delete-my-account/"' in page


# ------------------------------------------------------------ asking to erase


def ask_to_delete(client, captured):
    with captured(execute=True):
        return client.post("/portal/delete-my-account/", follow=True)


def test_the_request_page_says_what_will_happen_before_asking(client, alice):
    client.force_login(alice.user)
    page = client.get("/portal/delete-my-account/").content.decode()
    assert "one month" in page
    assert "Yes, ask to delete my account" in page
    assert not ErasureRequest.objects.exists()


def test_asking_to_delete_tells_the_practice_without_health_data(
    client, alice, alice_case, django_capture_on_commit_callbacks
):
    Practice.objects.update(email="hello@practice.example")
    client.force_login(alice.user)
    page = ask_to_delete(client, django_capture_on_commit_callbacks)
    assert "Your request has been sent to the practice" in page.content.decode()
    assert "What happens next" in page.content.decode()

    erasure = ErasureRequest.objects.get()
    assert erasure.client == alice and erasure.client_code == alice.code
    assert erasure.handled_at is None
    (message,) = [m for m in mail.outbox if m.to != [alice.user.email]]
    assert message.to == ["hello@practice.example"]
    assert "a client has asked for their data to be erased" in message.body.lower()
    assert "/admin/practice/erasurerequest/" in message.body
    for private in ("Alice", "alice@example.org", "Levothyroxine", ALICE_GOALS):
        assert private not in message.body and private not in message.subject
    event = AuditEvent.objects.get(action=AuditAction.ERASURE_REQUESTED)
    assert event.client_code == alice.code and event.actor == alice.user


def test_asking_twice_keeps_one_request_and_one_email(
    client, alice, ada, django_capture_on_commit_callbacks
):
    client.force_login(alice.user)
    ask_to_delete(client, django_capture_on_commit_callbacks)
    again = ask_to_delete(client, django_capture_on_commit_callbacks)
    page = again.content.decode()
    assert "already with the practice" in page
    assert "Yes, ask to delete my account" not in page
    assert ErasureRequest.objects.count() == 1
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action=AuditAction.ERASURE_REQUESTED).count() == 1


def test_without_a_practice_address_every_active_admin_is_told(
    client, alice, ada, django_capture_on_commit_callbacks
):
    Practice.objects.update(email="")
    UserFactory(email="zoe@example.org", role="admin")
    UserFactory(email="gone@example.org", role="admin", is_active=False)
    client.force_login(alice.user)
    ask_to_delete(client, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ada@example.org",
        "zoe@example.org",
    ]


@pytest.mark.parametrize("who", ["priya", "ada"])
def test_staff_cannot_ask_for_erasure_as_a_client(client, request, alice, who):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    assert client.post("/portal/delete-my-account/").status_code == 404
    assert not ErasureRequest.objects.exists()
