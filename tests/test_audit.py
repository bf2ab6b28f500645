"""The audit log: who opened or changed a client's record, when and from where; every
sign-in attempt; and that the log holds no health data and nobody can change it."""

import json

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from practice.audit import email_fingerprint
from practice.models import AuditAction, AuditEvent, Role
from questionnaires.intake import sending
from questionnaires.models import IssuedSummary, Medication
from tests.factories import PASSWORD
from tests.intake_helpers import (
    answer_everything,
    name_of,
    shipped_version,
    step_url,
    valid_answers,
)
from tests.review_helpers import submitted_case
from tests.test_advice import LEVOTHYROXINE, MAGNESIUM_200, issue, ready_to_issue


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(alice):
    return submitted_case(
        alice, medications=[LEVOTHYROXINE], supplements=[MAGNESIUM_200]
    )


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


def about(person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(client_code=person.code))


def everything_recorded() -> str:
    """Every column of every audit row, as one lower-case string."""
    return json.dumps(list(AuditEvent.objects.values_list()), default=str).lower()


# --------------------------------------------------------------- opening a record


def test_priya_opening_alices_case_is_recorded_with_who_what_and_where(
    client, priya, alice, case
):
    client.force_login(priya.user)
    page = client.get(
        f"/cases/{case.code}/",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 300,
    )
    assert page.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEWED)
    assert event.actor == priya.user
    assert event.actor_role == Role.PRACTITIONER
    assert event.client_code == alice.code
    assert (event.object_type, event.object_id) == ("response", str(case.code))
    assert event.ip == "203.0.113.7"
    assert event.user_agent.startswith("Mozilla/5.0") and len(event.user_agent) == 200
    assert event.detail == {"page": "case"}


def test_an_unassigned_practitioner_is_refused_and_nothing_about_alice_is_recorded(
    client, omar, alice, case
):
    before = len(about(alice))
    client.force_login(omar.user)
    assert client.get(f"/cases/{case.code}/").status_code == 404
    assert client.get(f"/clients/{alice.code}/").status_code == 404
    assert client.get(f"/cases/{case.code}/advice/").status_code == 404
    assert len(about(alice)) == before
    assert not AuditEvent.objects.filter(
        actor=omar.user, action=AuditAction.VIEWED
    ).exists()


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/clients/{client}/", None),
        ("/cases/{case}/advice/", "advice"),
        ("/cases/{case}/advice/preview/", "advice_preview"),
    ],
)
def test_staff_opening_a_clients_pages_is_recorded(
    client, request, alice, case, path, page
):
    for who in ("priya", "ada"):
        person = request.getfixturevalue(who)
        user = getattr(person, "user", person)
        client.force_login(user)
        url = path.format(client=alice.code, case=case.code)
        assert client.get(url).status_code == 200
        event = AuditEvent.objects.filter(action=AuditAction.VIEWED, actor=user).get()
        assert event.client_code == alice.code
        assert event.actor_role == user.role
        if page:
            assert event.detail == {"page": page}


@pytest.fixture
def summary(client, priya, case) -> IssuedSummary:
    client.force_login(priya.user)
    ready_to_issue(client, case)
    issue(client, case)
    client.logout()
    return IssuedSummary.objects.get()


def test_downloading_a_summary_is_recorded_for_the_practitioner_and_the_client(
    client, priya, alice, bob, summary
):
    for user in (priya.user, alice.user):
        client.force_login(user)
        assert client.get(f"/summaries/{summary.code}/").status_code == 200
        event = AuditEvent.objects.get(action=AuditAction.DOWNLOADED, actor=user)
        assert event.client_code == alice.code
        assert (event.object_type, event.object_id) == (
            "issuedsummary",
            str(summary.code),
        )
        assert event.detail["version"] == 1

    client.force_login(bob.user)
    assert client.get(f"/summaries/{summary.code}/").status_code == 404
    assert not AuditEvent.objects.filter(actor=bob.user, action="downloaded").exists()


# ------------------------------------------------------------------- signing in


def sign_in(client, email, password, **extra):
    return client.post(
        "/accounts/login/", {"login": email, "password": password}, **extra
    )


def test_every_sign_in_attempt_is_recorded_and_no_password_ever_is(client, alice):
    wrong = "Not-the-Password-0451"
    sign_in(client, "Alice@Example.org", wrong, REMOTE_ADDR="198.51.100.4")
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.actor is None
    assert failed.detail == {
        "reason": "wrong_password",
        "email_fingerprint": email_fingerprint("alice@example.org"),
    }
    assert (failed.object_type, failed.object_id) == ("user", str(alice.user.code))
    assert failed.client_code == alice.code
    assert failed.ip == "198.51.100.4"

    sign_in(client, "nobody@example.org", wrong)
    unknown = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert unknown.detail["email_fingerprint"] == email_fingerprint(
        "nobody@example.org"
    )
    assert "nobody@example.org" not in everything_recorded()
    assert unknown.object_id == ""

    assert sign_in(client, alice.user.email, PASSWORD).status_code == 302
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.actor == alice.user and login.actor_role == Role.CLIENT
    assert login.client_code == alice.code

    client.post("/accounts/logout/")
    assert AuditEvent.objects.get(action=AuditAction.LOGOUT).actor == alice.user

    recorded = everything_recorded()
    assert wrong.lower() not in recorded
    assert PASSWORD.lower() not in recorded


def test_a_very_long_attempted_email_is_cut_short(db):
    request = RequestFactory().post("/accounts/login/")
    user_login_failed.send(
        sender=__name__,
        credentials={"email": "A" * 5000 + "@example.org", "password": "********"},
        request=request,
    )
    event = AuditEvent.objects.get()
    assert event.detail["email_fingerprint"] == email_fingerprint("a" * 120)


# ------------------------------------------------- changes, without health data


GOAL = "Sleep past four without waking, Qx7"
NOTE = "Worried about her thyroid, Zn4"
DISMISSAL = "Not relevant at this dose, Kv2"


def test_the_journey_is_recorded_and_no_typed_text_reaches_the_log(
    client, alice, priya
):
    shipped_version()
    client.force_login(priya.user)
    client.post(f"/clients/{alice.code}/send-questionnaire/")
    response = alice.responses.get()
    sent = AuditEvent.objects.get(action=AuditAction.CREATED, object_type="response")
    assert sent.detail["event"] == "sent" and sent.actor == priya.user

    # Alice answers, lists a medicine and a supplement, and sends it.
    client.force_login(alice.user)
    answer_everything(client, response)
    goals_step = next(
        step
        for step in response.version.steps()
        if any(q.concept == "goals" for q in step.questions)
    )
    client.post(
        step_url(response, goals_step.number),
        {
            **valid_answers(goals_step),
            name_of(response, "goals"): GOAL,
            "action": "later",
        },
    )
    client.get(step_url(response, 3))
    row = Medication.objects.get(response=response)
    client.post(
        step_url(response, 3),
        {
            "medication": str(row.code),
            f"medication-{row.code}-name": "Levothyroxine",
            f"medication-{row.code}-strength": "100 mcg",
            "action": "later",
        },
    )
    saved = AuditEvent.objects.filter(detail__event="answers_saved")
    goals = saved.filter(detail__section=goals_step.section.key).first()
    assert goals.detail["answers_changed"] == 1 and goals.actor == alice.user
    assert saved.filter(detail__section="medications").first().detail == {
        "event": "answers_saved",
        "section": "medications",
        "answers_changed": 0,
        "rows_changed": 1,
    }
    client.post(f"/q/{response.code}/submit/", {"round": "0"})
    assert AuditEvent.objects.filter(detail__event="submitted").count() == 1

    # Priya reviews it, dismisses one finding, notes, writes advice and issues it.
    client.force_login(priya.user)
    client.get(f"/cases/{response.code}/")
    dismissed = response.findings.first()
    client.post(
        f"/findings/{dismissed.code}/decide/",
        {"decision": "dismissed", "note": DISMISSAL},
    )
    client.post(f"/cases/{response.code}/notes/", {"text": NOTE})
    ready_to_issue(client, response)
    issue(client, response)

    summary = IssuedSummary.objects.get()
    issued = AuditEvent.objects.get(object_type="issuedsummary")
    assert issued.action == AuditAction.CREATED
    assert issued.detail["version"] == 1
    assert summary.sha256.startswith(issued.detail["sha256"])
    decided = AuditEvent.objects.get(
        object_id=str(dismissed.code), detail__event="dismissed"
    )
    assert decided.actor == priya.user
    assert decided.client_code == alice.code
    assert AuditEvent.objects.filter(object_type="casenote").count() == 1
    advice_saved = AuditEvent.objects.filter(detail__event="advice_saved")
    assert any("key_points" in e.detail["fields"] for e in advice_saved)

    recorded = everything_recorded()
    typed = [
        GOAL,
        NOTE,
        DISMISSAL,
        "Feel more energetic",  # every other text answer
        "levothyroxine",
        "100 mcg",
        "magnesium",
        "leafy greens",
        "evening meal",
        "Discussed",  # the notes ready_to_issue decides with
    ]
    for text in typed:
        assert text.lower() not in recorded, text


def test_one_save_is_one_event_and_a_save_that_changes_nothing_is_none(
    client, alice, priya
):
    shipped_version()
    response = sending.send_questionnaire(client=alice, sent_by=priya.user)
    client.force_login(alice.user)
    first = response.version.steps()[0]
    autosave = f"{step_url(response, 1)}autosave/"
    client.post(autosave, valid_answers(first))
    client.post(autosave, valid_answers(first))
    (event,) = AuditEvent.objects.filter(detail__event="answers_saved")
    # Every answer stored by the first save (a date or a height has several boxes).
    assert event.detail["answers_changed"] == response.answers.count() > 0


def test_reopening_is_recorded_without_the_message(client, priya, alice, case):
    client.force_login(priya.user)
    client.post(
        f"/responses/{case.code}/reopen/",
        {"message": "Please add the dose of your thyroid tablets"},
    )
    event = AuditEvent.objects.get(detail__event="reopened")
    assert event.actor == priya.user and event.client_code == alice.code
    assert "thyroid" not in everything_recorded()


def test_a_hand_match_is_recorded_without_the_substance(client, priya, alice):
    case = submitted_case(alice, medications=[{"name": "Zorblatrex"}])
    row = case.medications.get()
    client.force_login(priya.user)
    client.get(f"/cases/{case.code}/")
    client.post(
        f"/cases/{case.code}/medication/{row.code}/match/",
        {"substance": "lisinopril"},
    )
    event = AuditEvent.objects.get(object_id=str(row.code))
    assert event.object_type == "medication"
    assert event.detail["event"] == "rematched"
    recorded = everything_recorded()
    assert "lisinopril" not in recorded and "zorblatrex" not in recorded


# ----------------------------------------------------------- accounts and roles


def test_admin_changes_to_accounts_and_clients_are_recorded(
    admin_client, ada, priya, alice, omar
):
    admin_client.post(
        "/admin/practice/user/add/",
        {
            "email": "nadia@example.org",
            "full_name": "Nadia Noor",
            "role": Role.PRACTITIONER,
            "usable_password": "true",
            "password1": "a-sturdy-new-password",
            "password2": "a-sturdy-new-password",
        },
    )
    created = AuditEvent.objects.get(action=AuditAction.CREATED, object_type="user")
    assert created.actor == ada and created.detail == {"role": "practitioner"}

    admin_client.post(
        f"/admin/practice/user/{priya.user.pk}/change/",
        {
            "email": priya.user.email,
            "full_name": priya.user.full_name,
            "role": Role.ADMIN,
            "is_active": "on",
            "practitioner_profile-TOTAL_FORMS": "0",
            "practitioner_profile-INITIAL_FORMS": "0",
        },
    )
    role = AuditEvent.objects.get(object_id=str(priya.user.code))
    assert role.detail == {
        "fields": ["role"],
        "role": {"from": "practitioner", "to": "admin"},
    }

    admin_client.post(
        f"/admin/practice/client/{alice.pk}/change/",
        {
            "practitioner": omar.pk,
            "date_of_birth": "",
            "invitations-TOTAL_FORMS": "0",
            "invitations-INITIAL_FORMS": "0",
        },
    )
    moved = AuditEvent.objects.get(object_type="client", action=AuditAction.CHANGED)
    assert moved.client_code == alice.code
    assert moved.detail["practitioner"] == {
        "from": str(priya.code),
        "to": str(omar.code),
    }

    TOTP.activate(omar.user, generate_totp_secret())
    for action in ("reset_mfa", "deactivate"):
        admin_client.post(
            "/admin/practice/user/",
            {"action": action, "_selected_action": [omar.user.pk]},
        )
    mfa, active = AuditEvent.objects.filter(object_id=str(omar.user.code)).order_by(
        "id"
    )
    assert mfa.detail == {"event": "mfa_reset"}
    assert active.detail["is_active"] == {"from": True, "to": False}


def test_a_practitioner_inviting_a_client_is_recorded(client, priya):
    client.force_login(priya.user)
    client.post(
        "/clients/invite/",
        {"full_name": "Carol Chen", "email": "carol@example.org"},
    )
    carol = priya.clients.get()
    kinds = set(
        AuditEvent.objects.filter(client_code=carol.code).values_list(
            "action", "object_type"
        )
    )
    assert kinds == {("created", "client"), ("created", "invitation")}


# ---------------------------------------------------------- nobody can change it


def test_events_cannot_be_changed_or_deleted_through_the_orm(alice, priya):
    from practice.audit import record

    event = record(action=AuditAction.VIEWED, actor=priya.user, obj=alice)
    event.detail = {"page": "something else"}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.LOGIN)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().detail == {}


def test_the_admin_can_read_the_log_but_not_change_or_delete_it(
    admin_client, alice, priya
):
    from practice.audit import record

    event = record(action=AuditAction.VIEWED, actor=priya.user, obj=alice)
    url = f"/admin/practice/auditevent/{event.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client.post(url, {"action": "login"}).status_code == 403
    assert admin_client.get(url.replace("change", "delete")).status_code == 403
    assert (
        admin_client.post(url.replace("change", "delete"), {"post": "yes"}).status_code
        == 403
    )
    assert admin_client.get("/admin/practice/auditevent/add/").status_code == 403
    listing = admin_client.get("/admin/practice/auditevent/").content.decode()
    assert "action-select" not in listing and "delete_selected" not in listing
    event.refresh_from_db()
    assert event.action == AuditAction.VIEWED
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_list_filters_by_client_and_by_user(
    admin_client, client, alice, bob, priya, omar
):
    from practice.audit import record

    record(action=AuditAction.VIEWED, actor=priya.user, obj=alice)
    record(action=AuditAction.VIEWED, actor=omar.user, obj=bob)
    record(action=AuditAction.VIEWED, actor=omar.user, obj=bob)
    record(
        action=AuditAction.LOGIN_FAILED,
        detail={"email_fingerprint": email_fingerprint("mallory@example.net")},
    )

    page = admin_client.get(f"/admin/practice/client/{alice.pk}/change/")
    link = f"/admin/practice/auditevent/?client_code={alice.code}"
    assert link in page.content.decode()
    rows = admin_client.get(link).context["cl"].result_list
    assert {e.client_code for e in rows} == {alice.code} and len(rows) >= 1

    page = admin_client.get(f"/admin/practice/user/{omar.user.pk}/change/")
    link = f"/admin/practice/auditevent/?actor__id__exact={omar.user.pk}"
    assert link.replace("&", "&amp;") in page.content.decode()
    rows = admin_client.get(link).context["cl"].result_list
    assert [e.actor for e in rows] == [omar.user, omar.user]

    for query, expected in (
        ("action__exact=viewed", 3),
        ("actor_role__exact=practitioner", 3),
        (f"q={bob.code}", 2),
        ("q=omar@example.org", 2),
        ("q=mallory@example.net", 1),
    ):
        found = admin_client.get(f"/admin/practice/auditevent/?{query}")
        assert found.status_code == 200, query
        assert found.context["cl"].result_count == expected, query


def test_the_audit_list_costs_the_same_for_five_events_and_fifty(
    admin_client, alice, priya, omar
):
    from practice.audit import record

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get("/admin/practice/auditevent/").status_code == 200
        return len(queries)

    for _ in range(5):
        record(action=AuditAction.VIEWED, actor=priya.user, obj=alice)
    list_queries()  # the first request of a session also notes the time in it
    few = list_queries()
    for i in range(45):
        actor = (priya, omar)[i % 2].user
        record(action=AuditAction.VIEWED, actor=actor, obj=alice)
    assert list_queries() == few


# --------------------------------------------------------------- where from


def test_behind_the_proxy_the_address_is_the_one_the_proxy_added(
    client, settings, priya, alice
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.force_login(priya.user)
    client.get(
        f"/clients/{alice.code}/",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23",
    )
    assert AuditEvent.objects.get(action=AuditAction.VIEWED).ip == "198.51.100.23"


def test_without_a_proxy_a_forwarded_address_is_ignored(client, priya, alice):
    client.force_login(priya.user)
    client.get(
        f"/clients/{alice.code}/",
        REMOTE_ADDR="192.0.2.10",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    assert AuditEvent.objects.get(action=AuditAction.VIEWED).ip == "192.0.2.10"


def test_sign_ins_refused_by_the_rate_limit_are_recorded_too(client, alice):
    for _ in range(6):
        sign_in(client, alice.user.email, "Not-the-Password-0451")
    reasons = list(
        AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).values_list(
            "detail__reason", flat=True
        )
    )
    assert reasons.count("wrong_password") == 5
    assert reasons.count("rate_limited") == 1


def test_a_wrong_two_factor_code_is_recorded(client, priya, settings):
    settings.COFACTOR_REQUIRE_STAFF_MFA = True
    TOTP.activate(priya.user, generate_totp_secret())
    sign_in(client, priya.user.email, PASSWORD)
    client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    event = AuditEvent.objects.get(
        action=AuditAction.LOGIN_FAILED, detail__reason="wrong_mfa_code"
    )
    assert event.object_id == str(priya.user.code)


def test_detail_from_a_request_is_stored_safely(db):
    from practice.audit import record

    event = record(action=AuditAction.CHANGED, detail={"action": "a\x00b" + "x" * 500})
    event.refresh_from_db()
    assert event.detail["action"] == ("ab" + "x" * 500)[:200]
