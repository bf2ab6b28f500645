"""The case's states live on Response: each transition leaves only from where it
may and records its event; after an issue the case can be decided again."""

from __future__ import annotations

import pytest

from questionnaires.models import (
    EventKind,
    InvalidTransition,
    ResponseStatus,
)
from questionnaires.review import actions as review
from tests.review_helpers import submitted_case

ALENDRONIC = {"name": "Alendronic acid", "strength": "70 mg"}
CALCIUM = {"product": "Calcium", "nutrient": "calcium", "amount": "500"}


@pytest.fixture
def case(alice):
    return submitted_case(alice, medications=[ALENDRONIC], supplements=[CALCIUM])


def kinds(case) -> list[str]:
    return list(case.events.values_list("kind", flat=True))


@pytest.mark.parametrize(
    "move",
    [
        lambda r, by: r.mark_ready(by=by),
        lambda r, by: r.back_to_review(by=by),
        lambda r, by: r.mark_issued(by=by, version=1),
        lambda r, by: r.submit(by=by),
    ],
    ids=["ready", "back", "issued", "submit"],
)
def test_a_submitted_case_cannot_skip_ahead_or_be_submitted_again(case, priya, move):
    before = kinds(case)
    with pytest.raises(InvalidTransition):
        move(case, priya.user)
    case.refresh_from_db()
    assert case.status == ResponseStatus.SUBMITTED
    assert kinds(case) == before


def test_each_transition_records_its_event(case, priya):
    by = priya.user
    case.start_review(by=by)
    assert not case.is_ready_for_advice
    case.follow_findings(by=by)  # the major calcium finding waits
    assert case.status == ResponseStatus.IN_REVIEW
    finding = case.findings.blocking().get()
    finding.decide(by=by, decision="acknowledged", note="Apart")
    case.refresh_from_db()
    assert case.is_ready_for_advice
    case.mark_issued(by=by, version=1)
    assert case.is_reviewable and not case.can_reopen and case.is_issuable
    assert kinds(case)[-3:] == [
        EventKind.REVIEW_STARTED,
        EventKind.READY_FOR_ADVICE,
        EventKind.SUMMARY_ISSUED,
    ]
    assert case.events.last().message == "Version 1"


def test_after_an_issue_an_undone_decision_puts_the_case_back_in_review(case, priya):
    by = priya.user
    review.start_review(response=case, by=by)
    finding = case.findings.blocking().get()
    finding.decide(by=by, decision="acknowledged", note="First note")
    case.refresh_from_db()
    case.mark_issued(by=by, version=1)

    finding.undo(by=by)
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW
    assert kinds(case)[-1] == EventKind.BACK_IN_REVIEW

    finding.decide(by=by, decision="dismissed", note="Second note")
    case.refresh_from_db()
    assert case.status == ResponseStatus.READY_FOR_ADVICE
    notes = [getattr(item, "note", "") for item in case.history()]
    assert "First note" in notes and "Second note" in notes


def test_the_case_page_reads_the_history_in_a_fixed_number_of_queries(
    client, priya, case, django_assert_max_num_queries
):
    client.force_login(priya.user)
    client.get(f"/cases/{case.code}/")
    with django_assert_max_num_queries(2):
        history = case.history()
        assert [str(item) for item in history]
    assert len(history) >= 3
