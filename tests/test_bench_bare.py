"""The bare Django pages that `make bench` measures Cofactor against must keep
doing the same work as the pages they stand for, or the ratios mean nothing."""

import re

import pytest

from bench.bare import largest_symptom_step
from questionnaires.intake import sending
from questionnaires.models import Answer
from tests.conftest import signed_in
from tests.intake_helpers import shipped_version, step_url


@pytest.fixture(autouse=True)
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.bare"


@pytest.fixture
def response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


def field_names(html: str) -> set[str]:
    return set(re.findall(r'<input[^>]* name="(q\d+)"', html))


def test_the_bare_dashboard_lists_her_clients_only(client, priya, alice, bob):
    page = signed_in(client, priya.user).get("/bench/dashboard/")
    assert page.status_code == 200
    assert "Alice Archer" in page.content.decode()
    assert "Bob Brown" not in page.content.decode()


def test_the_bare_step_asks_the_same_questions_as_the_real_one(client, alice, response):
    signed_in(client, alice.user)
    number, questions = largest_symptom_step(response)
    real = client.get(step_url(response, number)).content.decode()
    bare = client.get(f"/bench{step_url(response, number)}")
    assert bare.status_code == 200
    assert len(field_names(real)) == questions
    assert field_names(bare.content.decode()) == field_names(real)


def test_the_bare_autosave_stores_the_changed_answer(client, alice, response):
    signed_in(client, alice.user)
    number, _ = largest_symptom_step(response)
    page = client.get(f"/bench{step_url(response, number)}").content.decode()
    name = sorted(field_names(page))[0]
    reply = client.post(
        f"/bench{step_url(response, number)}autosave/",
        {name: "2", "changed": name},
    )
    assert reply.status_code == 200
    assert "Saved at" in reply.content.decode()
    assert Answer.objects.get(response=response, question_id=name[1:]).value == "2"


def test_another_client_gets_404_from_the_bare_step(client, bob, response):
    page = signed_in(client, bob.user).get(f"/bench{step_url(response, 1)}")
    assert page.status_code == 404
