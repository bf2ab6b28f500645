"""seed_load fills a database with a practice's worth of made-up clients for the
benchmarks, and refuses to where it could be production."""

import pytest
from django.core.management import CommandError, call_command

from practice.models import Client, User
from questionnaires.management.client_loader import (
    load_practitioners,
    loaded_clients,
)
from questionnaires.models import (
    EDITABLE_STATUSES,
    Answer,
    Finding,
    IssuedSummary,
    Medication,
    Response,
    Supplement,
)
from tests.conftest import signed_in


def test_seed_load_refuses_without_debug_or_the_flag(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only runs with DJANGO_DEBUG on"):
        call_command("seed_load", clients=10)
    assert not Client.objects.exists()


@pytest.fixture
def loaded(db, settings):
    settings.DEBUG = False
    call_command("seed_load", clients=40, i_know_this_is_not_production=True)


def test_seed_load_adds_the_clients_asked_for_across_a_few_practitioners(loaded):
    assert loaded_clients() == 40
    practitioners = load_practitioners()
    assert len(practitioners) == 4
    assert set(Client.objects.values_list("practitioner", flat=True)) <= {
        p.pk for p in practitioners
    }


def test_seed_load_adds_more_when_run_again(loaded):
    call_command("seed_load", clients=15, i_know_this_is_not_production=True)
    assert loaded_clients() == 55
    assert len(load_practitioners()) == 4


def test_loaded_cases_are_at_every_stage_with_answers_and_findings(loaded):
    statuses = set(Response.objects.values_list("status", flat=True))
    assert len(statuses) >= 4
    submitted = Response.objects.exclude(status__in=EDITABLE_STATUSES)
    assert submitted.exists()
    for response in submitted:
        assert Answer.objects.filter(response=response).count() > 50
        assert Medication.objects.filter(response=response).exists()
        assert Supplement.objects.filter(response=response).exists()
        assert Finding.objects.filter(response=response).exists()
    assert Finding.objects.exclude(decision="").exists()
    assert Finding.objects.filter(decision="").exists()
    assert IssuedSummary.objects.filter(pages=4).exists()


def test_nobody_can_sign_in_as_a_loaded_account(loaded):
    for user in User.objects.filter(email__endswith="@load.example"):
        assert not user.check_password("cofactor-demo")


def test_a_loaded_practitioners_dashboard_lists_her_clients(loaded, client):
    practitioner = load_practitioners()[0]
    theirs = Client.objects.filter(practitioner=practitioner).select_related("user")
    page = signed_in(client, practitioner.user).get("/dashboard/")
    assert page.status_code == 200
    text = page.content.decode()
    names = [c.user.full_name.replace("'", "&#x27;") for c in theirs[:25]]
    assert any(name in text for name in names)
