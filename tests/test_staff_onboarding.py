"""Staff join with MFA required (the production default): an invitation link, a
password of their own, then an authenticator app, with no dead end on the way,
whoever asked for a password reset in between. The first admin is made by a
command that can run again without harm."""

from __future__ import annotations

import io
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from practice.models import Practitioner, Role, StaffInvitation, User
from tests.factories import PASSWORD, UserFactory
from tests.test_mfa import SETUP_URL, current_code

NEW_PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def mfa_required(settings):
    settings.COFACTOR_REQUIRE_STAFF_MFA = True


@pytest.fixture
def ada_with_mfa(ada):
    TOTP.activate(ada, generate_totp_secret())
    return ada


def staff_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/staff/invitation/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def invite(client, admin, django_capture_on_commit_callbacks, **fields) -> str:
    """Ada invites someone through the app; returns the path of their link."""
    client.force_login(admin)
    data = {"full_name": "Carol Cole", "email": "carol@example.org"}
    data.update(role="practitioner", **fields)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/people/invite/", data)
    assert response.status_code == 302, response.content.decode()
    client.logout()
    return staff_link(mail.outbox[-1])


def choose_password_and_set_up_mfa(client, link: str) -> None:
    """What the invited person does: choose a password, scan the code, type it."""
    response = client.post(
        link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == SETUP_URL
    # Straight to the QR code: no second password prompt, no refusal.
    page = client.get(SETUP_URL)
    assert page.status_code == 200, page.get("Location")
    secret = page.context["form"].secret
    done = client.post(SETUP_URL, {"code": current_code(secret)})
    assert done.status_code == 302


def test_an_invited_practitioner_sets_a_password_and_activates_totp(
    client, ada_with_mfa, django_capture_on_commit_callbacks
):
    link = invite(
        client,
        ada_with_mfa,
        django_capture_on_commit_callbacks,
        registration="BANT 12345",
    )
    message = mail.outbox[-1]
    assert message.to == ["carol@example.org"]
    assert "two-factor" in message.body
    carol = User.objects.get(email="carol@example.org")
    assert carol.role == Role.PRACTITIONER
    assert not carol.has_usable_password()
    assert Practitioner.objects.get(user=carol).registration == "BANT 12345"

    choose_password_and_set_up_mfa(client, link)

    assert Authenticator.objects.filter(user=carol, type="totp").exists()
    assert client.get("/dashboard/").status_code == 200
    # The link is used up.
    assert client.get(link).status_code == 410


def test_a_reset_requested_by_someone_else_does_not_block_mfa_setup(
    client, ada_with_mfa, django_capture_on_commit_callbacks
):
    link = invite(client, ada_with_mfa, django_capture_on_commit_callbacks)
    # An anonymous visitor asks for a password reset for Carol's address: allauth
    # makes an address row for her as it makes the token.
    client.post("/accounts/password/reset/", {"email": "carol@example.org"})
    carol = User.objects.get(email="carol@example.org")
    assert not EmailAddress.objects.filter(user=carol, verified=False).exists()

    choose_password_and_set_up_mfa(client, link)
    assert client.get("/dashboard/").status_code == 200


def test_a_practitioner_made_in_the_admin_site_can_use_forgot_password_then_mfa(
    client, db
):
    """The reviewer's H1: made without a password, "Forgot password", sign in,
    and allauth refused to set up two-factor for an unverified address."""
    nadia = UserFactory(
        email="nadia@example.org", role=Role.PRACTITIONER, password=None
    )
    nadia.set_unusable_password()
    nadia.save()
    client.post("/accounts/password/reset/", {"email": "nadia@example.org"})
    key_link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body
    ).group(1)
    form_url = client.get(key_link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post("/accounts/login/", {"login": nadia.email, "password": NEW_PASSWORD})
    confirm = client.get(SETUP_URL)
    if confirm.status_code == 302 and "reauthenticate" in confirm["Location"]:
        client.post(confirm["Location"], {"password": NEW_PASSWORD})
    page = client.get(SETUP_URL)
    assert page.status_code == 200, page.get("Location")
    client.post(SETUP_URL, {"code": current_code(page.context["form"].secret)})
    assert client.get("/dashboard/").status_code == 200


def test_a_used_unknown_or_deactivated_staff_link_does_not_work(
    client, ada_with_mfa, django_capture_on_commit_callbacks
):
    link = invite(client, ada_with_mfa, django_capture_on_commit_callbacks)
    assert client.get("/staff/invitation/not-a-real-token/").status_code == 404
    User.objects.filter(email="carol@example.org").update(is_active=False)
    response = client.post(
        link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert not User.objects.get(email="carol@example.org").has_usable_password()


def test_a_new_staff_invitation_replaces_the_old_link(
    client, ada_with_mfa, django_capture_on_commit_callbacks
):
    old = invite(client, ada_with_mfa, django_capture_on_commit_callbacks)
    carol = User.objects.get(email="carol@example.org")
    client.force_login(ada_with_mfa)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/staff/people/{carol.code}/resend-invitation/")
    client.logout()
    new = staff_link(mail.outbox[-1])
    assert new != old
    assert client.get(old).status_code == 410
    assert client.get(new).status_code == 200


# ---------------------------------------------------------------- first admin


def run_first_admin(*args: str, **env) -> str:
    out = io.StringIO()
    call_command("create_first_admin", *args, "--no-input", stdout=out)
    return out.getvalue()


def test_the_first_admin_command_is_idempotent(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setenv("COFACTOR_ADMIN_EMAIL", "Owner@Example.org")
    monkeypatch.setenv("COFACTOR_ADMIN_NAME", "Olive Owner")
    with django_capture_on_commit_callbacks(execute=True):
        first = run_first_admin()
    assert "Created the admin account" in first
    owner = User.objects.get(email="owner@example.org")
    assert owner.role == Role.ADMIN
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = run_first_admin()
    assert "Nothing to do" in again
    assert User.objects.filter(role=Role.ADMIN).count() == 1
    assert StaffInvitation.objects.filter(user=owner).count() == 1
    assert len(mail.outbox) == 1  # no second email

    with django_capture_on_commit_callbacks(execute=True):
        run_first_admin("--new-link")
    assert len(mail.outbox) == 2
    assert StaffInvitation.objects.filter(user=owner, revoked_at=None).count() == 1


def test_the_first_admin_joins_and_sets_up_mfa(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_first_admin("--email", "owner@example.org", "--name", "Olive Owner")
    choose_password_and_set_up_mfa(client, staff_link(mail.outbox[-1]))
    assert client.get("/staff/").status_code == 200
    # Once the admin has a password, running the command again changes nothing.
    before = User.objects.get(email="owner@example.org").password
    assert "Nothing to do" in run_first_admin("--email", "owner@example.org")
    assert User.objects.get(email="owner@example.org").password == before


def test_the_link_is_printed_only_when_asked_or_on_a_terminal(db):
    """Output that goes to a log must not carry a link that takes over the
    account; the email does."""
    quiet = run_first_admin("--email", "owner@example.org", "--name", "Olive")
    assert "/staff/invitation/" not in quiet
    shown = run_first_admin(
        "--email", "owner@example.org", "--new-link", "--print-link"
    )
    assert re.search(r"http://127\.0\.0\.1:8000/staff/invitation/\S+/", shown)


def test_the_first_admin_command_refuses_what_it_should_not_do(db, priya, ada):
    with pytest.raises(CommandError, match="practitioner account"):
        run_first_admin("--email", priya.user.email, "--name", "X")
    with pytest.raises(CommandError, match="already has an admin"):
        run_first_admin("--email", "someone@example.org", "--name", "Y")
    with pytest.raises(CommandError, match="COFACTOR_ADMIN_EMAIL"):
        run_first_admin()


def test_an_admin_made_with_createsuperuser_becomes_trusted(db):
    owner = User.objects.create_superuser("owner@example.org", PASSWORD)
    EmailAddress.objects.create(user=owner, email=owner.email, verified=False)
    # The pre-save rule already trusts it; the command leaves it trusted.
    assert "Nothing to do" in run_first_admin(
        "--email", "owner@example.org", "--name", "Olive"
    )
    assert EmailAddress.objects.get(user=owner).verified


# ------------------------------------------------------------ email addresses


@pytest.mark.parametrize("who", ["alice", "priya"])
def test_nobody_adds_or_switches_to_an_address_of_their_own(client, request, who):
    person = request.getfixturevalue(who)
    user = getattr(person, "user", person)
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    page = client.get("/accounts/email/")
    assert page.status_code == 200
    assert user.email in page.content.decode()
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.net"})
    client.post(
        "/accounts/email/",
        {"action_primary": "", "email": "new@example.net"},
    )
    user.refresh_from_db()
    assert user.email != "new@example.net"
    assert not EmailAddress.objects.filter(email="new@example.net").exists()


def test_an_address_changed_by_the_admin_replaces_the_old_one(
    client, ada_with_mfa, priya
):
    EmailAddress.objects.create(
        user=priya.user, email=priya.user.email, verified=True, primary=True
    )
    client.force_login(ada_with_mfa)
    response = client.post(
        f"/admin/practice/user/{priya.user.pk}/change/",
        {
            "email": "priya.new@example.org",
            "full_name": priya.user.full_name,
            "role": "practitioner",
            "is_active": "on",
            "practitioner_profile-TOTAL_FORMS": "1",
            "practitioner_profile-INITIAL_FORMS": "1",
            "practitioner_profile-0-id": priya.pk,
            "practitioner_profile-0-user": priya.user.pk,
            "practitioner_profile-0-registration": priya.registration,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    addresses = list(
        EmailAddress.objects.filter(user=priya.user).values_list("email", "verified")
    )
    assert addresses == [("priya.new@example.org", True)]


def test_the_upgrade_unblocks_staff_caught_by_an_unverified_address(db, priya, alice):
    """Rows left by earlier releases: Priya's own address unverified (a reset asked
    by someone), and an address Alice added herself."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("practice.migrations.0006_trust_own_addresses")
    EmailAddress.objects.create(user=priya.user, email=priya.user.email)
    EmailAddress.objects.create(user=alice.user, email=alice.user.email, primary=True)
    extra = EmailAddress.objects.create(user=alice.user, email="squat@example.net")
    # What the old release stored, before the pre-save rule trusted it.
    EmailAddress.objects.filter(user=priya.user).update(verified=False)
    assert not EmailAddress.objects.get(pk=extra.pk).verified

    migration.trust_own_addresses(apps, None)

    rows = set(EmailAddress.objects.values_list("email", "verified", "primary"))
    assert rows == {
        (priya.user.email, True, True),
        (alice.user.email, True, True),
    }
