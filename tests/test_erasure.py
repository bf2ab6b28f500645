"""Ada erases Alice: her personal and health data go, her PDFs go, the audit trail
keeps the codes and the fact of erasure, and Bob's records are untouched."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.sites import site
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from practice import privacy
from practice.admin_privacy import erase_selected_clients
from practice.models import (
    AuditAction,
    AuditEvent,
    Client,
    ErasureRequest,
    Invitation,
    User,
)
from questionnaires.models import IssuedSummary, Response
from questionnaires.review import actions as review
from tests.factories import PASSWORD
from tests.test_client_rights import (
    ALICE_GOALS,
    ALICE_MEDICINE,
    ALICE_SUPPLEMENT,
    BOB_GOALS,
    BOB_MEDICINE,
    issued_case,
)

ALICE_NOTE = "Worried about her thyroid since the winter"
ALICE_BIRTHDAY = datetime.date(1961, 2, 17)
# Questionnaire definitions are the practice's, not any client's; they may name
# medicines in their examples.
DEFINITIONS = [
    "questionnaires.questionnaire",
    "questionnaires.questionnaireversion",
    "questionnaires.section",
    "questionnaires.question",
]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice_case(alice, priya, ada):
    """Alice's whole history: an issued case, decisions, a note, a request, and a
    change in the admin."""
    alice.date_of_birth = ALICE_BIRTHDAY
    alice.save()
    LogEntry.objects.create(
        user=ada,
        content_type=ContentType.objects.get_for_model(Client),
        object_id=str(alice.pk),
        object_repr=str(alice),
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["Date of birth"]}}]',
    )
    Invitation.objects.create(
        client=alice,
        token_hash="0" * 64,
        created_by=priya.user,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    case = issued_case(
        alice,
        goals=ALICE_GOALS,
        medications=[ALICE_MEDICINE],
        supplements=[ALICE_SUPPLEMENT],
        note="Discussed with Alice Archer",
    )
    review.add_note(response=case, by=priya.user, text=ALICE_NOTE)
    privacy.request_erasure(client=alice)
    return case


@pytest.fixture
def bob_case(bob):
    return issued_case(bob, goals=BOB_GOALS, medications=[BOB_MEDICINE])


def database_text() -> str:
    """Every row of every table except the questionnaire definitions, as text."""
    out = io.StringIO()
    call_command("dumpdata", exclude=DEFINITIONS, stdout=out)
    return out.getvalue().lower()


ALICES_WORDS = [
    "Alice",
    "Archer",
    "alice@example.org",
    ALICE_GOALS,
    ALICE_NOTE,
    "Levothyroxine",
    "bisglycinate",
    ALICE_BIRTHDAY.isoformat(),
]


def test_the_search_finds_alices_data_before_erasure(alice_case):
    text = database_text()
    assert all(word.lower() in text for word in ALICES_WORDS)


def test_erasing_leaves_none_of_alices_data_in_the_database(
    alice, alice_case, bob_case, ada
):
    privacy.erase_client(client=alice, by=ada)
    text = database_text()
    for word in ALICES_WORDS:
        assert word.lower() not in text, word
    # Bob's records are all still there.
    assert BOB_GOALS.lower() in text and "metformin" in text
    assert Response.objects.filter(client__user__email="bob@example.org").count() == 1


def test_erasing_keeps_an_anonymous_account_that_cannot_sign_in(
    client, alice, alice_case, ada
):
    client.force_login(alice.user)
    privacy.erase_client(client=alice, by=ada)
    assert client.get("/portal/").status_code == 302  # her session has ended

    alice.refresh_from_db()
    user = alice.user
    assert user.full_name == "Erased client"
    assert user.email == f"erased-{alice.code}@invalid.example"
    assert not user.is_active and not user.has_usable_password()
    assert alice.date_of_birth is None
    assert not client.login(email="alice@example.org", password=PASSWORD)
    assert not client.login(email=user.email, password=PASSWORD)
    assert not alice.invitations.exists()
    assert not Response.objects.filter(client=alice).exists()


def test_erasing_deletes_her_pdfs_and_leaves_bobs(alice, alice_case, bob_case, ada):
    alices = alice_case.summaries.get().file_name
    bobs = bob_case.summaries.get().file_name
    assert default_storage.exists(alices)
    privacy.erase_client(client=alice, by=ada)
    assert not default_storage.exists(alices)
    assert default_storage.exists(bobs)
    assert not IssuedSummary.objects.filter(file_name=alices).exists()


def test_the_audit_trail_keeps_her_code_and_one_erasure(alice, alice_case, ada):
    before = set(
        AuditEvent.objects.filter(client_code=alice.code).values_list("pk", flat=True)
    )
    assert before  # the request, the decisions, the note
    privacy.erase_client(client=alice, by=ada)
    after = AuditEvent.objects.filter(client_code=alice.code)
    assert before < set(after.values_list("pk", flat=True))
    erased = after.get(action=AuditAction.ERASED)
    assert erased.actor == ada and erased.object_id == str(alice.code)
    assert erased.detail["answers"] > 0 and erased.detail["summaries"] == 1


def test_erasing_marks_her_request_handled(alice, alice_case, ada):
    privacy.erase_client(client=alice, by=ada)
    erasure = ErasureRequest.objects.get()
    assert erasure.handled_at is not None and erasure.handled_by == ada
    assert erasure.client_code == alice.code


# ---------------------------------------------------------- confirmation page


def erase_page(client_record: Client) -> str:
    return f"/staff/clients/{client_record.code}/erase/"


@pytest.fixture
def ada_client(client, ada):
    client.force_login(ada)
    return client


def test_the_page_says_what_will_be_erased(ada_client, alice, alice_case):
    page = ada_client.get(erase_page(alice)).content.decode()
    assert "Alice Archer" in page and "alice@example.org" in page
    assert "1 questionnaire," in page
    assert "1 issued advice summary" in page
    assert "1 private note" in page
    assert "Type the client&#x27;s email address to confirm" in page
    assert "cannot be undone" in page


def test_a_wrong_email_erases_nothing(ada_client, alice, alice_case):
    reply = ada_client.post(erase_page(alice), {"email": "bob@example.org"})
    assert reply.status_code == 200
    assert "That is not this client&#x27;s email address" in reply.content.decode()
    alice.user.refresh_from_db()
    assert alice.user.full_name == "Alice Archer"
    assert Response.objects.filter(client=alice).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ERASED).exists()


def test_the_right_email_erases_the_client(ada_client, alice, alice_case):
    reply = ada_client.post(
        erase_page(alice), {"email": " Alice@Example.org "}, follow=True
    )
    page = reply.content.decode()
    assert "personal data has been erased" in page
    assert "Alice" not in page
    alice.user.refresh_from_db()
    assert alice.user.full_name == "Erased client"
    assert AuditEvent.objects.filter(action=AuditAction.ERASED).count() == 1


@pytest.mark.parametrize("who", ["priya", "omar", "alice", "bob"])
def test_only_admins_may_open_the_erase_page(client, request, alice, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    assert client.get(erase_page(alice)).status_code == 404
    reply = client.post(erase_page(alice), {"email": "alice@example.org"})
    assert reply.status_code == 404
    alice.user.refresh_from_db()
    assert alice.user.is_active


def test_anonymous_visitors_are_sent_to_sign_in(client, alice):
    reply = client.get(erase_page(alice))
    assert reply.status_code == 302
    assert reply["Location"].startswith("/accounts/login/")


# ------------------------------------------------------------------ the admin


def admin_request(user: User):
    request = RequestFactory().post("/admin/practice/client/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_the_admin_action_goes_to_the_confirmation_page(alice, ada):
    reply = erase_selected_clients(
        site._registry[Client], admin_request(ada), Client.objects.filter(pk=alice.pk)
    )
    assert reply.status_code == 302
    assert reply.url == erase_page(alice)


def test_the_admin_action_refuses_several_clients_at_once(alice, bob, ada):
    request = admin_request(ada)
    reply = erase_selected_clients(
        site._registry[Client], request, Client.objects.all()
    )
    assert reply is None
    (message,) = get_messages(request)
    assert "Select one client" in str(message)
    assert User.objects.filter(email="alice@example.org").exists()


def test_the_admin_lists_requests_with_a_link_to_erase(ada_client, alice):
    privacy.request_erasure(client=alice)
    page = ada_client.get("/admin/practice/erasurerequest/").content.decode()
    assert erase_page(alice) in page
    assert ada_client.get("/admin/practice/erasurerequest/add/").status_code == 403
