"""Alice's questionnaire is hers: Bob and Omar get 404 on every page of it, and only
her practitioner (or an admin) can send or reopen it."""

import pytest

from questionnaires.intake import sending
from questionnaires.models import Answer, ResponseStatus
from tests.intake_helpers import answer_everything, shipped_version


@pytest.fixture
def response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


def client_pages(response):
    code = response.code
    return [
        ("get", f"/q/{code}/"),
        ("get", f"/q/{code}/step/1/"),
        ("post", f"/q/{code}/step/1/"),
        ("post", f"/q/{code}/step/1/autosave/"),
        ("get", f"/q/{code}/review/"),
        ("post", f"/q/{code}/submit/"),
        ("get", f"/q/{code}/submitted/"),
    ]


@pytest.mark.parametrize("who", ["bob", "omar", "priya"])
def test_nobody_else_can_open_or_change_alices_questionnaire(
    client, request, response, who
):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    for method, path in client_pages(response):
        result = getattr(client, method)(path, {"action": "later", "round": "0"})
        assert result.status_code == 404, (who, method, path)
    assert not Answer.objects.filter(response=response).exists()


def test_a_step_that_does_not_exist_is_404(client, alice, response):
    client.force_login(alice.user)
    assert client.get(f"/q/{response.code}/step/15/").status_code == 404
    assert client.get(f"/q/{response.code}/step/0/").status_code == 404


@pytest.mark.parametrize("who", ["bob", "omar"])
def test_others_cannot_send_alice_a_questionnaire(client, request, alice, who):
    shipped_version()
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    assert client.post(f"/clients/{alice.code}/send-questionnaire/").status_code == 404
    assert not alice.responses.exists()


@pytest.mark.parametrize("who", ["bob", "omar"])
def test_others_cannot_reopen_alices_questionnaire(
    client, request, alice, response, who
):
    client.force_login(alice.user)
    answer_everything(client, response)
    client.post(f"/q/{response.code}/submit/", {"round": 0})
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    result = client.post(f"/responses/{response.code}/reopen/", {"message": "Hi"})
    assert result.status_code == 404
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
