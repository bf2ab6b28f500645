"""A published questionnaire is read once per process and its radio questions'
markup is kept per answer: every client still sees their own answers and errors,
and a draft being edited is read afresh."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from questionnaires.intake import sending
from questionnaires.models import Question, QuestionnaireVersion, VersionStatus
from tests.intake_helpers import name_of, shipped_version, step_url

SYMPTOM_STEP = 7
QUESTIONS = 'FROM "questionnaires_question"'


@pytest.fixture
def version(db):
    return shipped_version()


@pytest.fixture
def alices(alice, priya, version):
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


@pytest.fixture
def bobs(bob, omar, version):
    return sending.send_questionnaire(client=bob, sent_by=omar.user)


def checked_value(html: str, name: str) -> str | None:
    """The value of the radio button called `name` that the page has ticked."""
    for tag in re.findall(r"<input\b[^>]*>", html):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def first_symptom(response) -> Question:
    step = response.version.steps()[SYMPTOM_STEP - 1]
    return step.questions[0]


def test_each_client_sees_their_own_answer_on_the_same_step(
    client, alice, bob, alices, bobs
):
    name = f"q{first_symptom(alices).pk}"
    for person, response, score in ((alice, alices, "3"), (bob, bobs, "1")):
        client.force_login(person.user)
        client.post(step_url(response, SYMPTOM_STEP), {name: score, "action": "later"})
    client.force_login(alice.user)
    assert (
        checked_value(client.get(step_url(alices, SYMPTOM_STEP)).content.decode(), name)
        == "3"
    )
    client.force_login(bob.user)
    assert (
        checked_value(client.get(step_url(bobs, SYMPTOM_STEP)).content.decode(), name)
        == "1"
    )


def test_a_changed_answer_shows_at_once(client, alice, alices):
    name = f"q{first_symptom(alices).pk}"
    client.force_login(alice.user)
    url = step_url(alices, SYMPTOM_STEP)
    for score in ("2", "0", "2"):
        client.post(url, {name: score, "action": "later"})
        assert checked_value(client.get(url).content.decode(), name) == score
    client.post(url, {"action": "later"})  # cleared: nothing ticked
    assert checked_value(client.get(url).content.decode(), name) is None


def test_an_error_on_one_visit_is_not_shown_on_the_next(client, alice, alices):
    client.force_login(alice.user)
    page = client.post(step_url(alices, 1), {"action": "continue"})
    assert page.status_code == 422
    sex = name_of(alices, "sex")
    error = re.compile(rf'id="error_1_id_{sex}"|is-invalid[^>]*name="{sex}"')
    assert "Please answer this question." in page.content.decode()
    again = client.get(step_url(alices, 1)).content.decode()
    assert "Please answer this question." not in again
    assert not error.search(again)


def test_the_questionnaire_is_read_once_for_many_pages(client, alice, alices):
    client.force_login(alice.user)
    url = step_url(alices, SYMPTOM_STEP)
    client.get(url)  # the step is reached: later visits write nothing
    QuestionnaireVersion.forget_kept_steps()  # as in a new process
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    read = [q["sql"] for q in first if QUESTIONS in q["sql"]]
    assert read, "the first page reads the questions"
    assert not [q["sql"] for q in second if QUESTIONS in q["sql"]]
    assert len(second) == len(first) - 2  # the sections and the questions


def test_a_draft_is_read_afresh_while_it_is_edited(version):
    draft = QuestionnaireVersion.objects.create(
        questionnaire=version.questionnaire, number=2, status=VersionStatus.DRAFT
    )
    section = draft.sections.create(position=1, key="about", title="About you")
    asked = section.questions.create(
        version=draft, position=1, concept="goals", kind="long_text", text="Goals?"
    )
    assert draft.steps()[0].questions[0].text == "Goals?"
    asked.text = "What would you like to change?"
    asked.save()
    assert draft.steps()[0].questions[0].text == asked.text


def test_one_changed_answer_is_saved_in_a_few_queries(
    client, alice, alices, django_assert_max_num_queries
):
    name = f"q{first_symptom(alices).pk}"
    client.force_login(alice.user)
    url = f"/q/{alices.code}/step/{SYMPTOM_STEP}/autosave/"
    client.post(url, {name: "1", "_saver": "1", "_changed": name, f"_base:{name}": ""})
    # Session, user, response; the lock, the answer, its update, the response's
    # time, the client's last activity (for the dashboard), the audit row (and the
    # savepoint around them).
    with django_assert_max_num_queries(11):
        reply = client.post(
            url, {name: "2", "_saver": "1", "_changed": name, f"_base:{name}": "1"}
        )
    assert reply.json()["conflicts"] == []
    assert alices.answers.get(question__pk=name[1:]).value == "2"
