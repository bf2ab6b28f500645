"""Saving a step never loses or silently overwrites an answer: a save writes only
what was changed, an answer changed elsewhere meanwhile is reported with both
values, saves and submission take turns under a lock, and lists have a limit."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client as Device

from questionnaires.intake import saving, sending
from questionnaires.models import Answer, Medication, Response, ResponseStatus
from tests.intake_helpers import answer_everything, name_of, shipped_version, step_url
from tests.races import at_once


@pytest.fixture
def response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def autosave_url(response: Response, number: int) -> str:
    return f"{step_url(response, number)}autosave/"


def saver_post(changes: dict[str, str], base: dict[str, str] | None = None) -> dict:
    """What static/js/saver.js posts: the changed fields and where each started."""
    data: dict[str, object] = {"_saver": "1", "_changed": list(changes)}
    data.update(changes)
    for name, value in (base or {}).items():
        data[f"_base:{name}"] = value
    return data


def stored(concept: str):
    answer = Answer.objects.filter(question__concept=concept).first()
    return answer.value if answer else None


def test_a_save_writes_only_the_fields_changed(signed_in, response):
    allergies, history = (
        name_of(response, "allergies"),
        name_of(response, "medical_history"),
    )
    signed_in.post(autosave_url(response, 2), saver_post({allergies: "Penicillin"}))
    # A second device changes only the other question; allergies is not sent at all.
    result = signed_in.post(
        autosave_url(response, 2), saver_post({history: "Mother: diabetes"})
    )
    assert result.status_code == 200
    assert result.json()["conflicts"] == []
    assert stored("allergies") == "Penicillin"
    assert stored("medical_history") == "Mother: diabetes"


def test_two_devices_on_one_step_both_keep_their_answers(client, alice, response):
    laptop, phone = Device(), Device()
    laptop.force_login(alice.user)
    phone.force_login(alice.user)
    allergies, history = (
        name_of(response, "allergies"),
        name_of(response, "medical_history"),
    )
    # Both pages were loaded with the two questions blank.
    laptop.post(autosave_url(response, 2), saver_post({allergies: "Penicillin"}))
    phone.post(autosave_url(response, 2), saver_post({history: "Father: gout"}))
    assert stored("allergies") == "Penicillin"
    assert stored("medical_history") == "Father: gout"


def test_an_answer_changed_elsewhere_is_shown_with_both_values_not_overwritten(
    signed_in, response
):
    allergies = name_of(response, "allergies")
    signed_in.post(autosave_url(response, 2), saver_post({allergies: "Penicillin"}))
    # A page loaded before that save, where allergies was blank, types over it.
    result = signed_in.post(
        autosave_url(response, 2), saver_post({allergies: "Nuts"}, base={allergies: ""})
    )
    assert result.status_code == 200
    [conflict] = result.json()["conflicts"]
    assert conflict["names"] == [allergies]
    assert conflict["label"] == "Do you have any allergies or intolerances?"
    assert (conflict["theirs"], conflict["yours"]) == ("Penicillin", "Nuts")
    assert conflict["theirs_data"] == {allergies: ["Penicillin"]}
    assert stored("allergies") == "Penicillin"


def test_keeping_mine_after_a_conflict_replaces_the_other_answer(signed_in, response):
    allergies = name_of(response, "allergies")
    signed_in.post(autosave_url(response, 2), saver_post({allergies: "Penicillin"}))
    # "Keep mine": the page now starts from what it was shown as saved there.
    result = signed_in.post(
        autosave_url(response, 2),
        saver_post({allergies: "Nuts"}, base={allergies: "Penicillin"}),
    )
    assert result.json()["conflicts"] == []
    assert stored("allergies") == "Nuts"


def test_a_save_sent_again_after_a_lost_reply_is_not_a_conflict(signed_in, response):
    allergies = name_of(response, "allergies")
    post = saver_post({allergies: "Penicillin"}, base={allergies: ""})
    signed_in.post(autosave_url(response, 2), post)
    again = signed_in.post(autosave_url(response, 2), post)
    assert again.json()["conflicts"] == []
    assert stored("allergies") == "Penicillin"


def test_a_choice_changed_elsewhere_is_shown_in_words(signed_in, response):
    diet = name_of(response, "diet_pattern")
    question = response.version.questions.get(concept="diet_pattern")
    (first, first_label), (second, second_label) = question.choices[:2]
    signed_in.post(autosave_url(response, 5), saver_post({diet: first}))
    result = signed_in.post(
        autosave_url(response, 5), saver_post({diet: second}, base={diet: ""})
    )
    [conflict] = result.json()["conflicts"]
    assert (conflict["theirs"], conflict["yours"]) == (first_label, second_label)


def test_a_medicine_changed_elsewhere_is_a_conflict_too(signed_in, response):
    signed_in.get(step_url(response, 3))
    row = Medication.objects.get(response=response)
    name = f"medication-{row.code}-name"
    signed_in.post(autosave_url(response, 3), saver_post({name: "Aspirin"}))
    result = signed_in.post(
        autosave_url(response, 3), saver_post({name: "Asprin 75"}, base={name: ""})
    )
    [conflict] = result.json()["conflicts"]
    assert conflict["label"] == "Medicine 1: Name of the medicine"
    assert (conflict["theirs"], conflict["yours"]) == ("Aspirin", "Asprin 75")
    row.refresh_from_db()
    assert row.name == "Aspirin"
    # Another field of the same row, changed only here, is saved.
    strength = f"medication-{row.code}-strength"
    signed_in.post(autosave_url(response, 3), saver_post({strength: "75 mg"}))
    row.refresh_from_db()
    assert (row.name, row.strength) == ("Aspirin", "75 mg")


def test_a_plain_form_post_without_javascript_still_saves_the_whole_step(
    signed_in, response
):
    allergies = name_of(response, "allergies")
    signed_in.post(autosave_url(response, 2), saver_post({allergies: "Penicillin"}))
    signed_in.post(step_url(response, 2), {allergies: "", "action": "later"})
    assert stored("allergies") is None


def test_the_saver_moving_on_sends_no_changes_and_overwrites_nothing(
    signed_in, response
):
    """After its last save the page submits with _saver=1 and nothing changed."""
    allergies = name_of(response, "allergies")
    signed_in.post(autosave_url(response, 2), saver_post({allergies: "Penicillin"}))
    result = signed_in.post(
        step_url(response, 2), {"_saver": "1", allergies: "", "action": "later"}
    )
    assert result.status_code == 302
    assert stored("allergies") == "Penicillin"


# -------------------------------------------------------------------- row limit


def test_a_list_takes_at_most_fifty_rows(signed_in, response):
    Medication.objects.bulk_create(
        Medication(response=response, position=i) for i in range(saving.MAX_ROWS)
    )
    refused = signed_in.post(
        step_url(response, 3),
        {"_saver": "1", "action": "add-medication"},
        headers={"X-Saver": "1"},
    )
    assert refused.status_code == 422
    assert "up to 50 medicines" in refused.json()["error"]
    without_js = signed_in.post(
        step_url(response, 3), {"action": "add-medication"}, follow=True
    )
    assert "up to 50 medicines" in without_js.content.decode()
    assert Medication.objects.filter(response=response).count() == saving.MAX_ROWS
    page = signed_in.get(step_url(response, 3)).content.decode()
    assert "Add another medicine" not in page
    assert "This list holds up to 50 medicines" in page


def test_a_row_can_be_added_below_the_limit_through_the_saver(signed_in, response):
    signed_in.get(step_url(response, 3))
    added = signed_in.post(
        step_url(response, 3),
        {"_saver": "1", "action": "add-medication"},
        headers={"X-Saver": "1"},
    )
    assert added.status_code == 200
    assert "Medicine 2" in added.content.decode()
    assert Medication.objects.filter(response=response).count() == 2


# ------------------------------------------------------------- a sent response


def test_a_save_after_sending_is_refused_with_the_reason(signed_in, response):
    answer_everything(signed_in, response)
    signed_in.post(f"/q/{response.code}/submit/", {"round": "0"})
    allergies = name_of(response, "allergies")
    before = stored("allergies")
    refused = signed_in.post(
        autosave_url(response, 2), saver_post({allergies: "After sending"})
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == (
        "This questionnaire has been sent and can no longer change."
    )
    via_step = signed_in.post(
        step_url(response, 3),
        {"_saver": "1", "action": "add-medication"},
        headers={"X-Saver": "1"},
    )
    assert via_step.status_code == 409
    assert stored("allergies") == before


def test_save_draft_rechecks_inside_its_lock(response):
    step = response.version.steps()[1]
    Response.objects.filter(pk=response.pk).update(status=ResponseStatus.SUBMITTED)
    # `response` in memory still says "in progress", as a request that read it
    # before the submission would.
    assert response.is_editable
    with pytest.raises(saving.NotEditable):
        saving.save_draft(
            response=response,
            step=step,
            data=_query(saver_post({name_of(response, "allergies"): "x"})),
        )
    with pytest.raises(saving.NotEditable):
        saving.add_row(response=response, kind="medication")


def _query(data: dict):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


# ------------------------------------------------------- races (PostgreSQL only)

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and parallel writers need PostgreSQL (SQLite has neither); "
    "run with DATABASE_URL=postgres://...",
)


def devices(alice, count: int) -> list[Device]:
    """Browsers signed in as Alice, each with its own session."""
    result = []
    for _ in range(count):
        device = Device(raise_request_exception=False)
        device.force_login(alice.user)
        result.append(device)
    return result


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_first_saves_of_a_step_give_no_500(alice, response):
    names = [name_of(response, "allergies"), name_of(response, "medical_history")]
    clients = devices(alice, 8)

    def save(i: int) -> int:
        data = {"_saver": "1", "_changed": names}
        data.update(dict.fromkeys(names, f"device {i}"))
        return clients[i].post(autosave_url(response, 2), data).status_code

    statuses = at_once(8, save)
    assert statuses == [200] * 8
    assert Answer.objects.filter(response=response).count() == 2
    # The first writer won; the others found it changed since their page loaded.
    assert stored("allergies") == stored("medical_history")


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_an_autosave_racing_a_submission_cannot_change_the_sent_answers(
    alice, response
):
    device = Device(raise_request_exception=False)
    device.force_login(alice.user)
    answer_everything(device, response)
    before = stored("allergies")
    allergies = name_of(response, "allergies")
    holding = threading.Event()

    def work(i: int):
        if i == 0:
            # A submission that holds the response's lock while it checks findings.
            with transaction.atomic():
                locked = Response.objects.select_for_update().get(pk=response.pk)
                holding.set()
                time.sleep(0.5)
                locked.status = ResponseStatus.SUBMITTED
                locked.save(update_fields=["status"])
            return None
        holding.wait(5)
        return device.post(
            autosave_url(response, 2),
            saver_post({allergies: "EDITED AFTER SUBMIT"}, base={allergies: before}),
        ).status_code

    _, status = at_once(2, work)
    assert status == 409
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert stored("allergies") == before


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_adds_never_pass_the_row_limit(alice, response):
    Medication.objects.bulk_create(
        Medication(response=response, position=i) for i in range(saving.MAX_ROWS - 2)
    )
    clients = devices(alice, 6)

    def add(i: int) -> int:
        return (
            clients[i]
            .post(
                step_url(response, 3),
                {"_saver": "1", "action": "add-medication"},
                headers={"X-Saver": "1"},
            )
            .status_code
        )

    statuses = at_once(6, add)
    assert sorted(statuses) == [200, 200, 422, 422, 422, 422]
    assert Medication.objects.filter(response=response).count() == saving.MAX_ROWS
