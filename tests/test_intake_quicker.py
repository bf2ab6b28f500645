"""The questionnaire asks things the way an older UK client knows them: the date of
birth in three boxes, height and weight in feet and inches or stones and pounds,
errors that name their question, no pregnancy question for those it cannot apply
to, and dates read as "12 March 1952". Answers given on version 1 stay readable."""

import datetime
from pathlib import Path

import pytest

from questionnaires.intake import sending
from questionnaires.intake.forms import applies
from questionnaires.models import Answer, VersionStatus
from questionnaires.review.engine_facts import build_case_facts
from tests.intake_helpers import (
    load_questionnaire,
    name_of,
    question,
    shipped_version,
    step_url,
)

V1 = Path(__file__).resolve().parent / "questionnaires" / "health_v1.toml"


@pytest.fixture
def response(alice, priya):
    shipped_version()
    return sending.send_questionnaire(client=alice, sent_by=priya.user)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice.user)
    return client


def stored(response, concept):
    answer = Answer.objects.filter(response=response, question__concept=concept)
    return answer.values_list("value", flat=True).first()


def post_step_1(client, response, **boxes):
    data = {"action": "continue", name_of(response, "sex"): "female"}
    for concept, parts in boxes.items():
        for suffix, value in parts.items():
            data[f"{name_of(response, concept)}_{suffix}"] = value
    return client.post(step_url(response, 1), data)


def dob(day="12", month="3", year="1952"):
    return {"day": day, "month": month, "year": year}


# ---------------------------------------------------------------- date of birth


def test_the_date_of_birth_is_three_labelled_boxes(signed_in, response):
    page = signed_in.get(step_url(response, 1)).content.decode()
    name = name_of(response, "date_of_birth")
    text = question(response, "date_of_birth").text
    assert f'<fieldset id="id_{name}"' in page
    assert f'<legend class="form-label">{text}' in page
    for i, (suffix, label) in enumerate(
        (("day", "Day"), ("month", "Month"), ("year", "Year"))
    ):
        assert f'<label class="form-label" for="id_{name}_{i}">{label}</label>' in page
        assert f'name="{name}_{suffix}"' in page
    assert 'type="date"' not in page


@pytest.mark.parametrize("month", ["3", "03", "March", "mar", "MARCH"])
def test_the_month_may_be_a_number_or_a_name(signed_in, response, month):
    result = post_step_1(signed_in, response, date_of_birth=dob(month=month))
    assert result.status_code == 302
    assert stored(response, "date_of_birth") == "1952-03-12"


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (dob(month=""), "Enter the month."),
        (dob(day="", year=""), "Enter the day and year."),
        (dob(year="52"), "Enter the year as 4 numbers, for example 1952."),
        (dob(day="31", month="2"), "Enter a real date, for example 12 3 1952."),
        (dob(day="9" * 25), "Enter a real date, for example 12 3 1952."),
        # Digits int() refuses (found by the hostile-input fuzzing): a message, no 500.
        (dob(month="³"), "Enter a real date, for example 12 3 1952."),
        (dob(day="²"), "Enter a real date, for example 12 3 1952."),
        (dob(year="１９５２"), "Enter the year as 4 numbers, for example 1952."),
        (dob(year="2999"), "Enter a date in the past."),
        (dob(year="1850"), "Enter a date after 1900."),
    ],
)
def test_a_wrong_date_is_refused_with_a_message_that_names_the_question(
    signed_in, response, boxes, message
):
    result = post_step_1(signed_in, response, date_of_birth=boxes)
    assert result.status_code == 422
    named = f"{question(response, 'date_of_birth').text} {message}"
    assert result.content.decode().count(named) == 2  # summary and next to it


def test_a_half_typed_date_is_kept_and_comes_back_in_its_boxes(signed_in, response):
    result = signed_in.post(
        step_url(response, 1) + "autosave/",
        {
            f"{name_of(response, 'date_of_birth')}_{k}": v
            for k, v in dob(year="19").items()
        },
    )
    assert result.status_code == 200
    assert stored(response, "date_of_birth") == "19-3-12"
    page = signed_in.get(step_url(response, 1)).content.decode()
    name = name_of(response, "date_of_birth")
    for suffix, value in (("day", "12"), ("month", "3"), ("year", "19")):
        assert f'name="{name}_{suffix}" value="{value}"' in page


def test_the_review_reads_the_date_as_words(signed_in, response):
    post_step_1(signed_in, response, date_of_birth=dob())
    page = signed_in.get(f"/q/{response.code}/review/").content.decode()
    assert "12 March 1952" in page
    assert "1952-03-12" not in page


# ---------------------------------------------------------- height and weight


def test_height_and_weight_in_feet_inches_stones_and_pounds(signed_in, response):
    result = post_step_1(
        signed_in,
        response,
        date_of_birth=dob(),
        height_cm={"ft": "5", "in": "3"},
        weight_kg={"st": "10", "lb": "4"},
    )
    assert result.status_code == 302
    assert stored(response, "height_cm") == "5 ft 3 in"
    assert stored(response, "weight_kg") == "10 st 4 lb"
    page = signed_in.get(f"/q/{response.code}/review/").content.decode()
    assert "5 ft 3 in (160 cm)" in page
    assert "10 st 4 lb (65 kg)" in page
    again = signed_in.get(step_url(response, 1)).content.decode()
    assert f'name="{name_of(response, "height_cm")}_ft" value="5"' in again


def test_metric_still_works_and_is_stored_as_before(signed_in, response):
    post_step_1(
        signed_in,
        response,
        date_of_birth=dob(),
        height_cm={"cm": "163"},
        weight_kg={"kg": "61.5"},
    )
    assert (stored(response, "height_cm"), stored(response, "weight_kg")) == (
        "163",
        "61.5",
    )


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (
            {"cm": "160", "ft": "5"},
            "Fill in centimetres, or feet and inches, not both.",
        ),
        ({"cm": "5.3"}, "use those boxes instead"),  # feet typed as centimetres
        ({"ft": "5", "in": "14"}, "Enter inches from 0 to 11."),
        ({"ft": "five"}, "Enter the feet as a number, for example 5."),
        ({"ft": "12"}, "Enter a number of no more than 250 cm."),
        ({"ft": "9" * 40}, "Enter the feet as a number, for example 5."),
    ],
)
def test_a_height_that_cannot_be_right_is_refused_and_named(
    signed_in, response, boxes, message
):
    result = post_step_1(signed_in, response, date_of_birth=dob(), height_cm=boxes)
    assert result.status_code == 422
    page = result.content.decode()
    assert f"{question(response, 'height_cm').text} " in page
    assert message in page
    assert stored(response, "height_cm") is not None  # what was typed is kept


# ------------------------------------------------- questions that cannot apply


@pytest.mark.parametrize(
    ("sex", "born", "asked"),
    [
        ("female", "1952-03-12", False),  # 74
        ("male", "1990-01-01", False),
        ("female", "1990-01-01", True),
        ("other", "1990-01-01", True),
        ("female", None, True),  # age not known yet: ask
        (None, None, True),
    ],
)
def test_pregnancy_is_asked_only_when_it_can_apply(
    signed_in, response, sex, born, asked
):
    for concept, value in (("sex", sex), ("date_of_birth", born)):
        if value:
            Answer.objects.create(
                response=response, question=question(response, concept), value=value
            )
    page = signed_in.get(step_url(response, 2)).content.decode()
    assert ("Are you pregnant?" in page) is asked
    assert ("Are you breastfeeding?" in page) is asked


def test_the_review_leaves_out_what_was_not_asked(signed_in, response):
    for concept, value in (("sex", "female"), ("date_of_birth", "1952-03-12")):
        Answer.objects.create(
            response=response, question=question(response, concept), value=value
        )
    page = signed_in.get(f"/q/{response.code}/review/").content.decode()
    assert "12 March 1952" in page
    assert "Are you pregnant?" not in page
    assert "Are you breastfeeding?" not in page


def test_a_pregnancy_answer_that_cannot_apply_is_not_read_by_the_engine(response):
    for concept, value in (
        ("sex", "male"),
        ("date_of_birth", "1952-03-12"),
        ("pregnant", "yes"),
    ):
        Answer.objects.create(
            response=response, question=question(response, concept), value=value
        )
    facts = build_case_facts(response)
    assert facts.pregnant is False


def test_the_age_limit_counts_birthdays():
    today = datetime.date(2026, 11, 29)
    assert applies("pregnant", {"date_of_birth": "1966-11-30"}, today)  # 59
    assert not applies("pregnant", {"date_of_birth": "1966-11-29"}, today)  # 60
    assert applies("goals", {"sex": "male"}, today)


# ------------------------------------------------------ errors name questions


def test_the_review_lists_problems_by_question(signed_in, response):
    post_step_1(signed_in, response, date_of_birth=dob(year="52"))
    page = signed_in.get(f"/q/{response.code}/review/").content.decode()
    assert (
        f"{question(response, 'date_of_birth').text} Enter the year as 4 numbers"
        in page
    )


# ---------------------------------------------------- version 1 stays readable


def test_answers_given_on_version_1_stay_readable_after_version_2_is_published(
    client, alice, priya
):
    v1 = load_questionnaire(V1)
    old = sending.send_questionnaire(client=alice, sent_by=priya.user)
    for concept, value in (
        ("date_of_birth", "1952-03-14"),
        ("height_cm", "158"),
        ("pregnant", "no"),
    ):
        Answer.objects.create(
            response=old,
            question=old.version.questions.get(concept=concept),
            value=value,
        )
    v2 = shipped_version()
    v1.refresh_from_db()
    assert (v1.status, v2.status, v2.number) == (
        VersionStatus.RETIRED,
        VersionStatus.PUBLISHED,
        2,
    )
    old.refresh_from_db()
    assert old.version == v1
    assert len(v1.steps()) == 11
    client.force_login(alice.user)
    review = client.get(f"/q/{old.code}/review/").content.decode()
    assert "14 March 1952" in review
    assert "158 cm" in review
    step = client.get(step_url(old, 1)).content.decode()
    name = f"q{old.version.questions.get(concept='date_of_birth').pk}"
    assert f'name="{name}_year" value="1952"' in step
    assert "Step 1 of 11" in step


def test_a_save_of_one_box_keeps_the_other_boxes(signed_in, response):
    """The page's saver posts only what changed: the day, not the month and year."""
    post_step_1(signed_in, response, date_of_birth=dob(), height_cm={"ft": "5"})
    day = f"{name_of(response, 'date_of_birth')}_day"
    inches = f"{name_of(response, 'height_cm')}_in"
    result = signed_in.post(
        step_url(response, 1) + "autosave/",
        {
            "_saver": "1",
            "_changed": [day, inches],
            day: "13",
            f"_base:{day}": "12",
            inches: "3",
        },
    )
    assert result.status_code == 200
    assert stored(response, "date_of_birth") == "1952-03-13"
    assert stored(response, "height_cm") == "5 ft 3 in"


def test_a_box_changed_on_another_device_is_a_conflict_not_an_overwrite(
    signed_in, response
):
    post_step_1(signed_in, response, date_of_birth=dob())
    Answer.objects.filter(response=response, question__concept="date_of_birth").update(
        value="1952-03-14"
    )  # the other device changed the day to 14
    day = f"{name_of(response, 'date_of_birth')}_day"
    signed_in.post(
        step_url(response, 1) + "autosave/",
        {"_saver": "1", "_changed": day, day: "13", f"_base:{day}": "12"},
    )
    assert stored(response, "date_of_birth") == "1952-03-14"
