"""A finding is decided and undone by itself: `finding.decide()` and `finding.undo()`
check the case is open for review, keep the object in step with its row, and leave
a review action behind each time."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from questionnaires.intake import submitting
from questionnaires.models import ActionKind, Decision, ResponseStatus, ReviewAction
from tests.review_helpers import submitted_case

ALENDRONIC = {"name": "Alendronic acid", "strength": "70 mg"}
CALCIUM = {"product": "Calcium", "nutrient": "calcium", "amount": "500"}


@pytest.fixture
def case(alice):
    return submitted_case(alice, medications=[ALENDRONIC], supplements=[CALCIUM])


@pytest.fixture
def blocking(case):
    return case.findings.blocking().get()


def actions(case) -> list[str]:
    return list(
        ReviewAction.objects.filter(response=case).values_list("kind", flat=True)
    )


def test_deciding_changes_the_finding_itself_and_puts_the_case_in_review(
    case, blocking, priya
):
    blocking.decide(by=priya.user, decision=Decision.DISMISSED, note=" Apart ")
    assert blocking.decision == Decision.DISMISSED
    assert blocking.decision_note == "Apart"
    assert blocking.decided_by == priya.user
    blocking.refresh_from_db()
    assert blocking.decision == Decision.DISMISSED
    case.refresh_from_db()
    assert case.status == ResponseStatus.READY_FOR_ADVICE
    assert actions(case) == [ActionKind.DISMISSED]


def test_undoing_clears_the_decision_and_keeps_the_record(case, blocking, priya):
    blocking.decide(by=priya.user, decision=Decision.ACKNOWLEDGED, note="Seen")
    blocking.undo(by=priya.user)
    assert not blocking.is_decided and blocking.decided_by is None
    blocking.refresh_from_db()
    assert not blocking.is_decided
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW
    assert actions(case) == [ActionKind.ACKNOWLEDGED, ActionKind.UNDONE]


def test_undoing_an_undecided_finding_records_nothing(case, blocking, priya):
    blocking.undo(by=priya.user)
    assert actions(case) == []


@pytest.mark.parametrize(
    ("decision", "note", "code"),
    [("maybe", "", "bad_decision"), (Decision.DISMISSED, "  ", "reason_required")],
)
def test_a_decision_without_what_it_needs_is_refused(
    case, blocking, priya, decision, note, code
):
    with pytest.raises(ValidationError) as refused:
        blocking.decide(by=priya.user, decision=decision, note=note)
    assert refused.value.code == code
    assert actions(case) == []


def test_a_withdrawn_finding_cannot_be_decided(case, blocking, priya):
    type(blocking).objects.filter(pk=blocking.pk).update(withdrawn_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        blocking.decide(by=priya.user, decision=Decision.ACKNOWLEDGED, note="")
    assert refused.value.code == "withdrawn"
    assert actions(case) == []


def test_a_reopened_case_takes_no_decisions(case, blocking, priya):
    submitting.reopen(response=case, by=priya.user, message="Please add your dose.")
    for move in (
        lambda: blocking.decide(by=priya.user, decision=Decision.ACKNOWLEDGED, note=""),
        lambda: blocking.undo(by=priya.user),
    ):
        with pytest.raises(ValidationError) as refused:
            move()
        assert refused.value.code == "not_reviewable"
    assert actions(case) == []
