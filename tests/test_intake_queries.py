"""A step's page and its saves take a fixed number of queries, however many answers
or list rows there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questionnaires.intake import sending
from questionnaires.models import Medication
from tests.intake_helpers import answer_everything, shipped_version, step_url


@pytest.fixture
def response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def test_a_symptom_step_costs_the_same_with_no_answers_and_all_answered(
    client, alice, response, django_assert_max_num_queries
):
    client.force_login(alice.user)
    client.get(step_url(response, 7))
    empty = count_queries(lambda: client.get(step_url(response, 7)))
    answer_everything(client, response)
    full = count_queries(lambda: client.get(step_url(response, 7)))
    assert full == empty
    with django_assert_max_num_queries(5):
        client.get(step_url(response, 7))


def test_saving_a_list_step_costs_the_same_for_two_rows_and_twelve(
    client, alice, response, django_assert_max_num_queries
):
    client.force_login(alice.user)

    def post_rows(n: int) -> int:
        Medication.objects.filter(response=response).delete()
        rows = [
            Medication.objects.create(response=response, position=i, name=f"Drug {i}")
            for i in range(n)
        ]
        data = {"medication": [str(r.code) for r in rows], "action": "later"}
        for row in rows:
            data[f"medication-{row.code}-name"] = f"{row.name} changed"
        return count_queries(lambda: client.post(step_url(response, 3), data))

    client.get(step_url(response, 3))  # the questionnaire is read once, here
    assert post_rows(2) == post_rows(12)
    with django_assert_max_num_queries(20):
        client.post(step_url(response, 3), {"action": "later"})


def test_saving_a_symptom_step_costs_the_same_however_many_are_answered(
    client, alice, response
):
    client.force_login(alice.user)
    step = response.version.steps()[6]
    names = [f"q{q.pk}" for q in step.questions]

    def post(answered: int, score: str) -> int:
        data = dict.fromkeys(names[:answered], score)
        data["action"] = "later"
        return count_queries(lambda: client.post(step_url(response, 7), data))

    creating_one = post(1, "1")
    response.answers.all().delete()
    creating_all = post(len(names), "1")
    changing_all = post(len(names), "2")
    response.answers.all().delete()
    post(len(names), "1")
    changing_one = post(1, "3")
    assert creating_one == creating_all
    assert changing_one <= changing_all <= creating_all + 1
