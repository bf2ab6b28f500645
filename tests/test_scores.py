"""Symptom scores per body system for the review chart, and change over time."""

from datetime import UTC, datetime

import pytest

from questionnaires.models import QuestionKind
from questionnaires.review.scores import SystemScore, score_change, symptom_scores
from tests.questionnaire_factories import (
    QuestionFactory,
    QuestionnaireVersionFactory,
    SectionFactory,
    health_version,
    publish,
    submitted_response,
)

# The small health questionnaire asks 2 energy, 2 sleep, 2 muscle and joint and
# 3 digestion symptoms, in that order.
FIRST_VISIT = {
    "symptom:fatigue": "3",
    "symptom:afternoon_slump": "2",
    "symptom:difficulty_falling_asleep": "1",
    # waking_at_night not answered
    "symptom:muscle_cramps": "2",
    "symptom:joint_pain": "0",
    "symptom:bloating": "3",
    "symptom:constipation": "quite",  # unreadable: treated as unanswered
    "symptom:blood_in_stool": "0",
    "alcohol_units_per_week": "4",  # not a symptom
}
FOLLOW_UP = {
    "symptom:fatigue": "1",
    "symptom:afternoon_slump": "1",
    "symptom:difficulty_falling_asleep": "1",
    "symptom:waking_at_night": "2",
    "symptom:muscle_cramps": "0",
    "symptom:joint_pain": "0",
    "symptom:bloating": "1",
    "symptom:constipation": "0",
    "symptom:blood_in_stool": "0",
}


@pytest.fixture
def version(db):
    return health_version()


def test_totals_per_body_system_in_the_questionnaires_order(alice, version):
    response = submitted_response(alice, version, answers=FIRST_VISIT)

    scores = symptom_scores(response)

    assert scores.systems == (
        SystemScore("energy", total=5, asked=2, answered=2),
        SystemScore("sleep", total=1, asked=2, answered=1),
        SystemScore("muscles and joints", total=2, asked=2, answered=2),
        SystemScore("digestion", total=3, asked=3, answered=2),
    )
    assert (scores.total, scores.maximum) == (11, 27)
    assert (scores.answered, scores.asked) == (7, 9)


def test_the_maximum_counts_every_symptom_asked_not_only_those_answered(alice, version):
    response = submitted_response(alice, version, answers={"symptom:fatigue": "2"})

    scores = symptom_scores(response)

    energy = scores.for_system("energy")
    assert (energy.total, energy.maximum, energy.answered) == (2, 6, 1)
    assert scores.for_system("digestion").maximum == 9
    assert (scores.total, scores.maximum) == (2, 27)


def test_no_answers_give_zero_scores_on_the_full_scale(alice, version):
    response = submitted_response(alice, version)

    scores = symptom_scores(response)

    assert [s.total for s in scores.systems] == [0, 0, 0, 0]
    assert (scores.total, scores.maximum, scores.answered) == (0, 27, 0)


def test_order_follows_sections_then_questions(alice, db):
    version = QuestionnaireVersionFactory()
    later_section = SectionFactory(version=version, position=2)
    first_section = SectionFactory(version=version, position=1)
    for section, position, key, system in [
        (later_section, 1, "bloating", "digestion"),
        (first_section, 2, "dry_skin", "skin"),
        (first_section, 1, "headaches", "head"),
        (first_section, 3, "odd_feeling", ""),
    ]:
        QuestionFactory(
            section=section,
            position=position,
            concept=f"symptom:{key}",
            kind=QuestionKind.SYMPTOM_SCALE,
            options={"body_system": system} if system else {},
        )
    publish(version)
    response = submitted_response(alice, version, answers={"symptom:odd_feeling": "2"})

    scores = symptom_scores(response)

    assert [s.body_system for s in scores.systems] == [
        "head",
        "skin",
        "other",
        "digestion",
    ]
    assert scores.for_system("other").total == 2


def test_change_between_two_submissions(alice, version):
    earlier = submitted_response(
        alice,
        version,
        answers=FIRST_VISIT,
        submitted_at=datetime(2025, 1, 10, tzinfo=UTC),
    )
    later = submitted_response(
        alice,
        version,
        answers=FOLLOW_UP,
        submitted_at=datetime(2025, 6, 2, tzinfo=UTC),
    )

    change = score_change(symptom_scores(earlier), symptom_scores(later))

    assert [(s.body_system, s.earlier, s.later, s.change) for s in change.systems] == [
        ("energy", 5, 2, -3),
        ("sleep", 1, 3, 2),
        ("muscles and joints", 2, 0, -2),
        ("digestion", 3, 1, -2),
    ]
    assert (change.earlier_total, change.later_total, change.change) == (11, 6, -5)


def test_change_across_versions_shows_systems_only_one_of_them_asked(alice, version):
    earlier = submitted_response(alice, version, answers=FIRST_VISIT)
    newer_version = QuestionnaireVersionFactory()
    section = SectionFactory(version=newer_version)
    for key, system in [("fatigue", "energy"), ("dry_skin", "skin")]:
        QuestionFactory(
            section=section,
            concept=f"symptom:{key}",
            kind=QuestionKind.SYMPTOM_SCALE,
            options={"body_system": system},
        )
    publish(newer_version)
    later = submitted_response(
        alice,
        newer_version,
        answers={"symptom:fatigue": "1", "symptom:dry_skin": "2"},
    )

    change = score_change(symptom_scores(earlier), symptom_scores(later))

    assert change.for_system("energy").change == -4
    assert change.for_system("skin").earlier is None
    assert change.for_system("skin").change is None
    assert change.for_system("digestion").later is None
    assert [s.body_system for s in change.systems][:2] == ["energy", "skin"]


def test_scores_take_two_queries_however_many_symptoms(
    alice, version, django_assert_num_queries
):
    response = submitted_response(alice, version, answers=FOLLOW_UP)

    with django_assert_num_queries(2):
        symptom_scores(response)
