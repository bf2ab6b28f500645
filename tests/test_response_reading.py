"""A response reads itself: its answers by section for a read-only page, and how
many times it has been submitted."""

from questionnaires.intake import submitting
from questionnaires.models import LIST_KINDS, Medication
from tests.review_helpers import submitted_case

WARFARIN = {"name": "Warfarin", "strength": "3 mg"}


def test_the_reading_gives_every_section_with_what_was_asked(alice):
    case = submitted_case(alice, medications=[WARFARIN])
    Medication.objects.create(response=case, position=9)  # blank: not shown

    reading = case.answers_for_reading()

    assert [s["step"] for s in reading["sections"]] == case.version.steps()
    rows = [row for section in reading["sections"] for row in section["rows"]]
    asked = {question.concept: answer for question, answer in rows}
    assert asked["goals"].value == "Sleep better"
    # A list is read from its rows; pregnancy is not asked of a woman of 70.
    assert not any(question.kind in LIST_KINDS for question, _ in rows)
    assert "pregnant" not in asked
    assert sum(s["has_medications"] for s in reading["sections"]) == 1
    assert [str(m) for m in reading["medications"]] == ["Warfarin"]
    assert reading["plan_adherence"] == []


def test_the_reading_takes_one_query_per_kind_of_thing(
    alice, django_assert_max_num_queries
):
    case = submitted_case(alice, medications=[WARFARIN])
    case.version.steps()  # kept once read, as in a running process
    with django_assert_max_num_queries(3):  # answers, medications, supplements
        case.answers_for_reading()


def test_each_submission_is_a_new_round(alice, priya):
    case = submitted_case(alice)
    assert case.submission_round() == 1
    submitting.reopen(response=case, by=priya.user, message="Please add your dose.")
    assert case.submission_round() == 1
    assert submitting.submit(response=case, by=alice.user, expected_round=1)
    assert case.submission_round() == 2
