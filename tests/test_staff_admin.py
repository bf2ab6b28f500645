"""The admin's own pages: invite and deactivate staff (with their clients moved),
reset two-factor, and read the audit log as sentences. Only the admin gets in."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client as HttpClient
from django.utils import timezone

from practice import staff
from practice.audit import record
from practice.audit_text import describe
from practice.models import AuditAction, Client, Role, StaffInvitation, User
from tests.factories import ClientFactory
from tests.review_helpers import submitted_case


def admin_pages(priya) -> list[str]:
    code = priya.user.code
    return [
        "/staff/people/",
        "/staff/people/invite/",
        "/staff/audit/",
        f"/staff/people/{code}/deactivate/",
        f"/staff/people/{code}/reset-two-factor/",
        f"/staff/people/{code}/resend-invitation/",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, priya):
    for path in admin_pages(priya):
        for method in (client.get, client.post):
            response = method(path)
            assert response.status_code == 302, path
            assert response["Location"].startswith("/accounts/login/"), path


@pytest.mark.parametrize("who", ["alice", "bob", "priya", "omar"])
def test_clients_and_practitioners_get_404_and_change_nothing(
    client, request, priya, alice, who
):
    TOTP.activate(priya.user, generate_totp_secret())
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    for path in admin_pages(priya):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"reassign_to": ""}).status_code == 404, path
    priya.user.refresh_from_db()
    assert priya.user.is_active
    assert Authenticator.objects.filter(user=priya.user).exists()
    assert len(mail.outbox) == 0


def test_a_code_that_is_not_staff_is_404_for_the_admin(client, ada, alice):
    client.force_login(ada)
    for path in (
        f"/staff/people/{alice.user.code}/deactivate/",
        f"/staff/people/{alice.user.code}/reset-two-factor/",
    ):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    alice.user.refresh_from_db()
    assert alice.user.is_active


def test_the_admin_sees_every_staff_member_and_their_state(client, ada, priya, alice):
    TOTP.activate(priya.user, generate_totp_secret())
    client.force_login(ada)
    page = client.get("/staff/people/").content.decode()
    assert "Priya Patel" in page
    assert "Active, with two-factor authentication" in page
    assert "1 client." in page
    assert "Ada Admin" in page


def test_inviting_a_practitioner_twice_with_one_address_is_refused(client, ada, priya):
    client.force_login(ada)
    response = client.post(
        "/staff/people/invite/",
        {"full_name": "P", "email": priya.user.email.upper(), "role": "practitioner"},
    )
    assert response.status_code == 200
    assert "Someone already has an account" in response.content.decode()
    assert User.objects.filter(email__iexact=priya.user.email).count() == 1


def test_deactivating_a_practitioner_warns_about_and_moves_their_clients(
    client, ada, priya, omar, alice
):
    carol = ClientFactory(user__full_name="Carol Cole", practitioner=priya)
    client.force_login(ada)
    page = client.get(f"/staff/people/{priya.user.code}/deactivate/")
    text = page.content.decode()
    assert "Priya Patel has 2 clients" in text
    assert "Alice Archer" in text and "Carol Cole" in text
    assert "Omar Okafor" in text  # offered as the new practitioner

    response = client.post(
        f"/staff/people/{priya.user.code}/deactivate/",
        {"reassign_to": omar.pk},
        follow=True,
    )
    assert "Priya Patel can no longer sign in. 2 clients moved." in (
        response.content.decode()
    )
    priya.user.refresh_from_db()
    assert not priya.user.is_active
    assert set(Client.objects.filter(practitioner=omar)) >= {alice, carol}
    assert not Client.objects.filter(practitioner=priya).exists()
    log = client.get("/staff/audit/").content.decode()
    assert "Ada Admin deactivated Priya Patel&#x27;s account" in log
    assert "Ada Admin assigned Alice Archer to Omar Okafor" in log


def test_deactivating_without_moving_clients_leaves_a_warning_on_staff_home(
    client, ada, priya, alice
):
    client.force_login(ada)
    client.post(f"/staff/people/{priya.user.code}/deactivate/", {"reassign_to": ""})
    alice.refresh_from_db()
    assert alice.practitioner == priya
    home = client.get("/staff/").content.decode()
    assert "1 client has a practitioner who has been deactivated" in home


def test_an_admin_cannot_deactivate_or_reset_themselves(client, ada):
    TOTP.activate(ada, generate_totp_secret())
    client.force_login(ada)
    page = client.get(f"/staff/people/{ada.code}/deactivate/").content.decode()
    assert "You cannot deactivate your own account" in page
    client.post(f"/staff/people/{ada.code}/deactivate/", {"reassign_to": ""})
    client.post(f"/staff/people/{ada.code}/reset-two-factor/")
    ada.refresh_from_db()
    assert ada.is_active
    assert Authenticator.objects.filter(user=ada).exists()


def test_resetting_mfa_signs_the_person_out_everywhere(client, ada, priya, alice):
    TOTP.activate(priya.user, generate_totp_secret())
    lost_phone = HttpClient()
    lost_phone.force_login(priya.user)
    other = HttpClient()
    other.force_login(alice.user)
    assert lost_phone.get("/dashboard/").status_code == 200
    client.force_login(ada)
    client.post(f"/staff/people/{priya.user.code}/reset-two-factor/")
    assert lost_phone.get("/dashboard/")["Location"].startswith("/accounts/login/")
    assert other.get("/portal/").status_code == 200  # nobody else is signed out


def test_resetting_mfa_makes_the_practitioner_set_it_up_again(
    client, settings, ada, priya
):
    settings.COFACTOR_REQUIRE_STAFF_MFA = True
    TOTP.activate(ada, generate_totp_secret())
    TOTP.activate(priya.user, generate_totp_secret())
    client.force_login(ada)
    response = client.post(
        f"/staff/people/{priya.user.code}/reset-two-factor/", follow=True
    )
    assert "Priya Patel&#x27;s two-factor authentication was reset" in (
        response.content.decode()
    )
    assert not Authenticator.objects.filter(user=priya.user).exists()
    log = client.get("/staff/audit/").content.decode()
    assert "Ada Admin reset Priya Patel&#x27;s two-factor authentication" in log
    client.force_login(priya.user)
    assert client.get("/dashboard/")["Location"] == "/accounts/2fa/totp/activate/"


# ------------------------------------------------------------------ audit log


def test_the_audit_log_says_who_opened_whose_case(client, ada, priya, alice):
    case = submitted_case(alice)
    client.force_login(priya.user)
    assert client.get(f"/cases/{case.code}/").status_code == 200
    client.force_login(ada)
    page = client.get("/staff/audit/").content.decode()
    assert "Priya Patel opened Alice Archer&#x27;s case." in page
    assert "Alice Archer sent their questionnaire to the practitioner." in page
    assert not re.search(
        r"[0-9a-f]{8}-[0-9a-f]{4}-", page.split("<main")[1].split("?client=")[0]
    ), "a bare code in the sentences"


def test_the_audit_log_filters_by_client_and_by_action(client, ada, priya, alice, bob):
    record(action=AuditAction.VIEWED, actor=priya.user, obj=alice)
    record(action=AuditAction.VIEWED, actor=bob.practitioner.user, obj=bob)
    client.force_login(ada)
    page = client.get(f"/staff/audit/?client={alice.code}").content.decode()
    assert "Priya Patel opened Alice Archer&#x27;s record" in page
    assert "Bob Brown" not in page.split("<main")[1]
    only_sign_ins = client.get("/staff/audit/?action=login").content.decode()
    assert "opened Alice" not in only_sign_ins


def test_the_audit_log_shows_what_one_member_of_staff_did(
    client, ada, priya, omar, alice, bob
):
    record(action=AuditAction.VIEWED, actor=priya.user, obj=alice)
    record(action=AuditAction.VIEWED, actor=omar.user, obj=bob)
    client.force_login(ada)
    people = client.get("/staff/people/").content.decode()
    assert f'href="/staff/audit/?by={priya.user.code}"' in people
    page = client.get(f"/staff/audit/?by={priya.user.code}").content.decode()
    assert "Priya Patel opened Alice Archer&#x27;s record" in page
    assert "Omar Okafor opened" not in page


def test_the_staff_list_says_when_an_invitation_has_expired(client, ada):
    staff.invite_staff(
        full_name="Nadia Noor",
        email="nadia@example.org",
        role=Role.PRACTITIONER,
        invited_by=ada,
        request=None,
    )
    client.force_login(ada)
    page = client.get("/staff/people/").content.decode()
    assert "Invited: has not chosen a password yet (the link works until" in page
    StaffInvitation.objects.update(expires_at=timezone.now())
    page = client.get("/staff/people/").content.decode()
    assert "the invitation expired on" in page
    assert "Send a new invitation" in page


def test_failed_sign_ins_read_plainly(client, ada, alice):
    client.post("/accounts/login/", {"login": alice.user.email, "password": "wrong"})
    client.post("/accounts/login/", {"login": "ghost@example.org", "password": "x"})
    client.force_login(ada)
    page = client.get("/staff/audit/").content.decode()
    assert "Someone typed a wrong password for Alice Archer&#x27;s account" in page
    assert "Someone tried to sign in with an address that has no account" in page


def test_the_audit_log_page_costs_the_same_queries_for_many_clients(
    client, ada, priya, django_assert_max_num_queries
):
    def add_clients(n: int) -> None:
        for c in [ClientFactory(practitioner=priya) for _ in range(n)]:
            record(action=AuditAction.VIEWED, actor=priya.user, obj=c)
            record(action=AuditAction.CHANGED, actor=ada, obj=c.user, detail={})

    client.force_login(ada)
    add_clients(1)
    with django_assert_max_num_queries(8) as few:
        client.get("/staff/audit/")
    add_clients(30)
    with django_assert_max_num_queries(8) as many:
        response = client.get("/staff/audit/")
    assert len(many) == len(few)
    assert len(response.context["lines"]) == 50  # a full page of sentences


def test_the_admin_index_hides_what_an_admin_never_needs(client, ada):
    client.force_login(ada)
    index = client.get("/admin/").content.decode()
    for hidden in ("Email addresses", "Authenticators", "Groups", "Sections"):
        assert f">{hidden}<" not in index, hidden
    assert ">Questionnaire versions<" in index
    assert ">Users<" in index
    # Hidden from the index, still there for a link that leads to it.
    assert client.get("/admin/account/emailaddress/").status_code == 200


def test_staff_home_links_to_the_new_pages(client, ada):
    client.force_login(ada)
    home = client.get("/staff/").content.decode()
    for path in ("/staff/people/invite/", "/staff/people/", "/staff/audit/"):
        assert f'href="{path}"' in home


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        (
            {"action": AuditAction.EXPORTED, "actor": "alice", "obj": "alice"},
            "Alice Archer downloaded their data",
        ),
        (
            {"action": AuditAction.ERASURE_REQUESTED, "actor": "alice"},
            "Alice Archer asked for their data to be erased",
        ),
        (
            {"action": AuditAction.ERASED, "actor": "ada", "obj": "alice"},
            "Ada Admin erased a client's personal data",
        ),
        (
            {"action": AuditAction.VIEWED, "actor": "priya", "obj": "alice"},
            "Priya Patel opened Alice Archer's record",
        ),
        (
            {
                "action": AuditAction.CHANGED,
                "actor": "alice",
                "obj": "alice",
                "detail": {"event": "answers_saved"},
            },
            "Alice Archer saved answers in their questionnaire",
        ),
        (
            {"action": AuditAction.LOGIN, "actor": "priya", "obj": "priya"},
            "Priya Patel signed in",
        ),
        (
            {"action": AuditAction.CHANGED, "actor": "ada", "obj": "priya"},
            "Ada Admin changed Priya Patel's account",
        ),
        (
            {"action": AuditAction.CREATED, "actor": None, "object_type": "thing"},
            "Someone created a record",
        ),
    ],
)
def test_each_kind_of_event_reads_as_a_sentence(request, alice, ada, kwargs, sentence):
    def person(name):
        """Alice as her client record; staff as their accounts."""
        if name is None:
            return None
        found = request.getfixturevalue(name)
        return found if name == "alice" else getattr(found, "user", found)

    args = dict(kwargs)
    actor = person(args.pop("actor"))
    args["actor"] = getattr(actor, "user", actor)
    if "obj" in args:
        args["obj"] = person(args.pop("obj"))
    if args["action"] == AuditAction.ERASURE_REQUESTED:
        args["client"] = alice
    event = record(**args)
    assert describe([event])[0].sentence == sentence
