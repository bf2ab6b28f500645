"""The case summary stored on each client (what the dashboard sorts, filters and
counts by) stays what the client's rows say, through every step of a real case,
for loaded and demo clients at every stage, and after the migration fills it."""

from __future__ import annotations

import importlib
from collections import Counter

from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.http import QueryDict
from django.utils import timezone

from practice.models import CaseState, Client
from questionnaires.intake import saving, sending, submitting
from questionnaires.models import Response, ResponseStatus, Severity
from questionnaires.review import actions as review
from questionnaires.review import closing
from tests.factories import ClientFactory
from tests.intake_helpers import shipped_follow_up, shipped_version
from tests.review_helpers import submitted_case

ALENDRONIC = {"name": "Alendronic acid", "strength": "70 mg"}
CALCIUM = {"product": "Calcium", "nutrient": "calcium", "amount": "500"}
WAITING = {
    ResponseStatus.SUBMITTED,
    ResponseStatus.IN_REVIEW,
    ResponseStatus.READY_FOR_ADVICE,
}


def expected(client: Client) -> dict:
    """The summary worked out in Python from the client's rows, by the rules the
    dashboard applied on every request before it was stored."""
    client = Client.objects.select_related("user").get(pk=client.pk)
    responses = list(Response.objects.filter(client=client))
    latest = max(responses, key=lambda r: (r.created_at, r.pk), default=None)
    status = latest.status if latest else None
    if not client.user.has_usable_password() and status in (
        None,
        ResponseStatus.IN_PROGRESS,
    ):
        state = CaseState.INVITED
    elif status is None:
        state = CaseState.NO_QUESTIONNAIRE
    else:
        state = status
    times = [i.created_at for i in client.invitations.all()]
    for response in responses:
        times += [response.last_saved_at, response.submitted_at, response.created_at]
        times += [e.at for e in response.events.all()]
        times += [a.at for a in response.review_actions.all()]
    times = [t for t in times if t is not None]
    undecided = Counter(
        f.severity
        for f in (latest.findings.all() if latest else [])
        if f.withdrawn_at is None and not f.decision
    )
    submitted_at = latest.submitted_at if latest else None
    return {
        "case_state": state,
        "case_response_id": latest.pk if latest else None,
        "case_submitted_at": submitted_at,
        "case_waiting_since": submitted_at if status in WAITING else None,
        "case_activity_at": max(times) if times else client.created_at,
        **{f"case_open_{s.value}": undecided[s.value] for s in Severity},
    }


def stored(client: Client) -> dict:
    return Client.objects.filter(pk=client.pk).values(*expected(client)).get()


def assert_true_to_its_rows(client: Client) -> None:
    assert stored(client) == expected(client)


# --- a case through every step ---------------------------------------------------


def test_the_summary_follows_a_case_from_invitation_to_a_follow_up(
    client, priya, django_capture_on_commit_callbacks
):
    client.force_login(priya.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/clients/invite/",
            {"full_name": "Carol Cole", "email": "carol@example.org"},
        )
    carol = Client.objects.get(user__email="carol@example.org")
    assert stored(carol)["case_state"] == CaseState.INVITED
    assert_true_to_its_rows(carol)

    link = next(w for w in mail.outbox[-1].body.split() if "/invitation/" in w)
    password = "a long and unguessable passphrase"
    client.post(link, {"new_password1": password, "new_password2": password})
    assert stored(carol)["case_state"] == CaseState.NO_QUESTIONNAIRE
    assert_true_to_its_rows(carol)

    case = submitted_case(carol, medications=[ALENDRONIC], supplements=[CALCIUM])
    assert stored(carol)["case_state"] == CaseState.SUBMITTED
    assert stored(carol)["case_open_major"] == 1  # calcium with alendronic acid
    assert_true_to_its_rows(carol)

    review.start_review(response=case, by=priya.user)
    assert stored(carol)["case_state"] == CaseState.IN_REVIEW
    assert_true_to_its_rows(carol)

    blocking = case.findings.blocking().get()
    blocking.decide(by=priya.user, decision="acknowledged", note="")
    assert stored(carol)["case_state"] == CaseState.READY_FOR_ADVICE
    assert stored(carol)["case_open_major"] == 0
    assert_true_to_its_rows(carol)

    blocking.undo(by=priya.user)
    assert stored(carol)["case_open_major"] == 1
    assert_true_to_its_rows(carol)

    submitting.reopen(response=case, by=priya.user, message="Please add your dose.")
    assert stored(carol)["case_state"] == CaseState.REOPENED
    assert_true_to_its_rows(carol)

    case.refresh_from_db()
    assert submitting.submit(response=case, by=carol.user, expected_round=1)
    review.start_review(response=case, by=priya.user)
    blocking.decide(by=priya.user, decision="dismissed", note="Apart")
    case.refresh_from_db()
    case.mark_issued(by=priya.user, version=1)
    assert stored(carol)["case_state"] == CaseState.SUMMARY_ISSUED
    assert stored(carol)["case_waiting_since"] is None
    assert_true_to_its_rows(carol)

    closing.close_case(response=case, by=priya.user, note="Advice given")
    assert_true_to_its_rows(carol)
    closing.open_case(response=case, by=priya.user)
    assert_true_to_its_rows(carol)

    shipped_follow_up()
    later = sending.send_questionnaire(client=carol, sent_by=priya.user, follows=case)
    assert stored(carol)["case_response_id"] == later.pk  # the follow-up now
    assert stored(carol)["case_state"] == CaseState.IN_PROGRESS
    assert_true_to_its_rows(carol)


def test_a_client_who_set_a_password_another_way_is_no_longer_invited(client, priya):
    carol = ClientFactory(practitioner=priya, user__password=None)
    assert stored(carol)["case_state"] == CaseState.INVITED
    carol.user.set_password("set through a password reset")
    carol.user.save(update_fields=["password"])
    client.force_login(carol.user)
    assert stored(carol)["case_state"] == CaseState.NO_QUESTIONNAIRE


def test_saving_a_draft_moves_the_last_activity_on(alice):
    shipped_version()
    response = sending.send_questionnaire(client=alice, sent_by=None)
    before = stored(alice)["case_activity_at"]
    step = response.version.steps()[0]
    saving.save_draft(response=response, step=step, data=QueryDict(""))
    assert stored(alice)["case_activity_at"] > before
    assert_true_to_its_rows(alice)


def test_an_erased_client_keeps_no_case(priya, alice, ada):
    from practice import privacy

    submitted_case(alice, medications=[ALENDRONIC], supplements=[CALCIUM])
    privacy.erase_client(client=alice, by=ada, request=None)
    assert stored(alice)["case_response_id"] is None
    assert_true_to_its_rows(alice)


# --- clients at every stage --------------------------------------------------------


def test_every_loaded_client_has_the_summary_its_rows_say(db, settings):
    settings.DEBUG = False
    call_command("seed_load", clients=60, i_know_this_is_not_production=True)
    loaded = Client.objects.filter(user__email__endswith="@load.example")
    assert len({c.case_state for c in loaded}) >= 6  # from invited to issued
    assert loaded.filter(case_open_major__gt=0).exists()
    for each in loaded:
        assert_true_to_its_rows(each)


def test_every_demo_client_has_the_summary_its_rows_say(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert Client.objects.count() >= 5
    for each in Client.objects.all():
        assert_true_to_its_rows(each)


def test_the_migration_fills_the_summary_of_existing_clients(priya, alice, bob):
    submitted_case(alice, medications=[ALENDRONIC], supplements=[CALCIUM])
    ClientFactory(practitioner=priya, user__password=None)
    # As the columns were when the migration added them.
    Client.objects.update(
        case_state=CaseState.INVITED,
        case_response=None,
        case_submitted_at=None,
        case_activity_at=timezone.now(),
        case_open_major=0,
    )
    migration = importlib.import_module("practice.migrations.0008_client_case_summary")
    migration.fill_case_summaries(apps, schema_editor=None)
    for each in Client.objects.all():
        assert_true_to_its_rows(each)
