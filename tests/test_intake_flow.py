"""A client fills in the questionnaire over several sittings and submits it once."""

import re

import pytest
from django.core import mail

from practice import privacy
from questionnaires.intake import sending, submitting
from questionnaires.models import (
    Answer,
    EventKind,
    Medication,
    ResponseStatus,
    Supplement,
)
from tests.intake_helpers import (
    answer_everything,
    name_of,
    question,
    shipped_version,
    step_url,
    valid_answers,
)

SEND_BUTTON = re.compile(r"<button[^>]*>\s*Send my questionnaire\s*</button>")


@pytest.fixture
def response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def test_the_portal_offers_to_start_the_questionnaire(signed_in, response):
    page = signed_in.get("/portal/").content.decode()
    assert "Start the questionnaire" in page
    assert "14 short steps" in page
    resume = signed_in.get(response.get_absolute_url())
    assert resume["Location"] == step_url(response, 1)


def test_a_step_says_where_the_client_is(signed_in, response):
    page = signed_in.get(step_url(response, 3)).content.decode()
    assert "Step 3 of 14" in page
    assert 'value="3" max="14"' in page  # the progress bar
    response.refresh_from_db()
    assert response.step_reached == 3


def test_save_and_continue_stores_the_answers_and_moves_on(signed_in, response):
    step = response.version.steps()[0]
    result = signed_in.post(
        step_url(response, 1), {**valid_answers(step), "action": "continue"}
    )
    assert result["Location"] == step_url(response, 2)
    stored = Answer.objects.get(question__concept="date_of_birth", response=response)
    assert stored.value == "1952-03-14"


def test_a_number_with_letters_is_refused_next_to_the_field_and_nothing_is_lost(
    signed_in, response
):
    step = response.version.steps()[0]
    data = {
        **valid_answers(step),
        name_of(response, "weight_kg") + "_kg": "sixty",
        "action": "continue",
    }
    result = signed_in.post(step_url(response, 1), data)
    page = result.content.decode()
    assert result.status_code == 422
    weight = question(response, "weight_kg").text
    # The message names its question, at the top and next to the boxes.
    assert page.count(f"{weight} Enter a number, for example 12 or 2.5.") == 2
    assert 'value="sixty"' in page  # what was typed is still in the box
    assert 'aria-invalid="true"' in page
    # Everything on the page was saved as typed, the mistake included.
    values = dict(
        Answer.objects.filter(response=response).values_list(
            "question__concept", "value"
        )
    )
    assert values["weight_kg"] == "sixty"
    assert values["date_of_birth"] == "1952-03-14"
    assert values["sex"] == "female"


def add_supplement(client, response, **fields):
    client.post(step_url(response, 4), {"action": "add-supplement"})
    row = Supplement.objects.filter(response=response).last()
    prefix = f"supplement-{row.code}"
    return row, {
        "supplement": [str(r.code) for r in response.supplements.all()],
        **{f"{prefix}-{k}": v for k, v in fields.items()},
    }


def test_a_negative_supplement_amount_is_refused_and_kept(signed_in, response):
    signed_in.get(step_url(response, 4))  # starts with one empty row
    row = Supplement.objects.get(response=response)
    prefix = f"supplement-{row.code}"
    result = signed_in.post(
        step_url(response, 4),
        {
            "supplement": str(row.code),
            f"{prefix}-product": "Magnesium citrate",
            f"{prefix}-amount": "-150",
            f"{prefix}-unit": "mg",
            f"{prefix}-per_day": "2",
            f"{prefix}-basis": "elemental",
            "action": "continue",
        },
    )
    assert result.status_code == 422
    assert "The amount must be more than 0." in result.content.decode()
    row.refresh_from_db()
    assert (row.product, row.amount, row.per_day) == ("Magnesium citrate", "-150", "2")


def test_save_and_finish_later_keeps_invalid_answers_without_complaint(
    signed_in, response
):
    result = signed_in.post(
        step_url(response, 1),
        {name_of(response, "height_cm"): "tall", "action": "later"},
    )
    assert result["Location"] == "/portal/"
    assert Answer.objects.get(question__concept="height_cm").value == "tall"
    page = signed_in.get("/portal/").content.decode()
    assert "Continue where you left off" in page


def test_back_saves_and_goes_to_the_previous_step(signed_in, response):
    result = signed_in.post(
        step_url(response, 2),
        {name_of(response, "allergies"): "Penicillin", "action": "back"},
    )
    assert result["Location"] == step_url(response, 1)
    assert Answer.objects.get(question__concept="allergies").value == "Penicillin"


def test_autosave_stores_what_is_typed_and_says_when(signed_in, response):
    result = signed_in.post(
        f"/q/{response.code}/step/2/autosave/",
        {name_of(response, "allergies"): "Peanu"},
    )
    assert result.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", result.json()["saved_at"])
    assert result.json()["conflicts"] == []
    assert Answer.objects.get(question__concept="allergies").value == "Peanu"


def test_medicines_are_added_and_removed_without_javascript(signed_in, response):
    signed_in.get(step_url(response, 3))
    first = Medication.objects.get(response=response)
    data = {
        "medication": str(first.code),
        f"medication-{first.code}-name": "Lisinopril",
        f"medication-{first.code}-strength": "10 mg",
    }
    added = signed_in.post(step_url(response, 3), {**data, "action": "add-medication"})
    second = Medication.objects.exclude(pk=first.pk).get(response=response)
    assert added["Location"] == f"{step_url(response, 3)}#row-{second.code}"
    first.refresh_from_db()
    assert (first.name, first.strength) == ("Lisinopril", "10 mg")  # saved too

    signed_in.post(
        step_url(response, 3), {**data, "action": f"remove-medication:{first.code}"}
    )
    assert list(Medication.objects.filter(response=response)) == [second]


def test_adding_a_medicine_with_htmx_returns_the_list(signed_in, response):
    signed_in.get(step_url(response, 3))
    result = signed_in.post(
        step_url(response, 3),
        {"action": "add-medication"},
        headers={"HX-Request": "true"},
    )
    page = result.content.decode()
    assert result.status_code == 200
    assert 'id="medications-list"' in page
    assert "Medicine 2" in page


def test_a_medicine_row_without_a_name_is_explained(signed_in, response):
    signed_in.get(step_url(response, 3))
    row = Medication.objects.get(response=response)
    result = signed_in.post(
        step_url(response, 3),
        {
            "medication": str(row.code),
            f"medication-{row.code}-strength": "10 mg",
            "action": "continue",
        },
    )
    assert result.status_code == 422
    assert "Please give the name of the medicine" in result.content.decode()


def test_the_review_lists_answers_with_change_links_and_what_is_missing(
    signed_in, response
):
    page = signed_in.get(f"/q/{response.code}/review/").content.decode()
    assert "Check your answers before you send them" in page
    assert f"{step_url(response, 1)}?return=review" in page
    assert "Step 1: About you" in page  # date of birth and sex are required
    assert not SEND_BUTTON.search(page)


def test_a_change_from_the_review_returns_to_the_review(signed_in, response):
    step = response.version.steps()[1]
    result = signed_in.post(
        step_url(response, 2),
        {**valid_answers(step), "action": "continue", "return": "review"},
    )
    assert result["Location"] == f"/q/{response.code}/review/"


def submit(client, response, round_=0):
    return client.post(f"/q/{response.code}/submit/", {"round": round_})


def test_submitting_twice_keeps_one_submission(
    signed_in, response, django_capture_on_commit_callbacks
):
    answer_everything(signed_in, response)
    assert SEND_BUTTON.search(
        signed_in.get(f"/q/{response.code}/review/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(signed_in, response)
        second = submit(signed_in, response)
    assert first["Location"] == second["Location"] == f"/q/{response.code}/submitted/"
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.events.filter(kind=EventKind.SUBMITTED).count() == 1
    assert len([m for m in mail.outbox if "has sent their questionnaire" in m.subject])


def test_the_practitioner_is_emailed_without_health_data(
    signed_in, response, alice, django_capture_on_commit_callbacks
):
    signed_in.post(
        step_url(response, 2),
        {name_of(response, "conditions_other"): "Glaucoma", "action": "later"},
    )
    answer_everything(signed_in, response)
    with django_capture_on_commit_callbacks(execute=True):
        submit(signed_in, response)
    (message,) = [m for m in mail.outbox if "questionnaire" in m.subject]
    assert message.to == [alice.practitioner.user.email]
    assert "Alice Archer" in message.body
    assert "Glaucoma" not in message.body
    assert "Feel more energetic" not in message.body


def test_submitting_stores_the_findings(signed_in, response):
    signed_in.get(step_url(response, 3))
    row = Medication.objects.get(response=response)
    answer_everything(signed_in, response)
    row.name = "Zorblatrex"  # no such medicine: a person must look at it
    row.save()
    submit(signed_in, response)
    rules = set(response.findings.values_list("rule", flat=True))
    assert "unrecognised-medication" in rules


def test_an_incomplete_questionnaire_is_not_submitted(signed_in, response):
    result = submit(signed_in, response)
    assert result["Location"] == f"/q/{response.code}/review/"
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_PROGRESS


def test_after_submitting_the_answers_can_be_read_but_not_changed(signed_in, response):
    answer_everything(signed_in, response)
    submit(signed_in, response)
    assert signed_in.get(step_url(response, 1))["Location"] == (
        f"/q/{response.code}/review/"
    )
    signed_in.post(
        step_url(response, 2),
        {name_of(response, "allergies"): "Changed later", "action": "later"},
    )
    autosave = signed_in.post(
        f"/q/{response.code}/step/2/autosave/",
        {name_of(response, "allergies"): "Changed later"},
    )
    assert autosave.status_code == 409
    assert Answer.objects.get(question__concept="allergies").value != "Changed later"
    page = signed_in.get(f"/q/{response.code}/review/").content.decode()
    assert "Your answers" in page and not SEND_BUTTON.search(page)


def test_consent_is_recorded_with_the_time_and_notice_version(
    signed_in, response, settings
):
    consent_step = response.version.steps()[-1]
    signed_in.post(
        step_url(response, consent_step.number),
        {**valid_answers(consent_step), "action": "continue"},
    )
    response.refresh_from_db()
    assert response.consent_at is not None
    assert response.consent_notice_version == privacy.notice_version() == "1"


def test_a_reopened_questionnaire_can_be_changed_and_sent_again(
    signed_in, client, response, priya, django_capture_on_commit_callbacks
):
    answer_everything(signed_in, response)
    submit(signed_in, response, round_=0)
    with django_capture_on_commit_callbacks(execute=True):
        submitting.reopen(
            response=response, by=priya.user, message="Please add your vitamin D."
        )
    assert any("another look" in m.subject for m in mail.outbox)
    assert "vitamin D" not in mail.outbox[-1].body  # the note stays in the app
    portal = signed_in.get("/portal/").content.decode()
    assert "Please add your vitamin D." in portal

    replay = submit(signed_in, response, round_=0)  # the old form, posted again
    response.refresh_from_db()
    assert response.status == ResponseStatus.REOPENED
    assert replay["Location"] == f"/q/{response.code}/review/"

    submit(signed_in, response, round_=1)
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.events.filter(kind=EventKind.SUBMITTED).count() == 2
