"""Priya reviews a submitted case: findings first, each acknowledged or dismissed
with who and when kept; the case moves to "ready for advice" when every refer and
major finding is decided."""

import pytest

from questionnaires.models import (
    ActionKind,
    Decision,
    EventKind,
    ResponseStatus,
    ReviewAction,
)
from tests.review_helpers import MAGNESIUM, submitted_case

ALENDRONIC = {"name": "Alendronic acid", "strength": "70 mg", "frequency": "weekly"}


@pytest.fixture
def case(alice):
    """Alice: osteoporosis, alendronic acid, magnesium; heartburn (a red flag)."""
    return submitted_case(
        alice,
        medications=[ALENDRONIC],
        supplements=[MAGNESIUM],
        symptoms={"persistent_heartburn": "2", "muscle_cramps": "2"},
        conditions=["osteoporosis"],
    )


@pytest.fixture
def priya_client(client, priya):
    client.force_login(priya.user)
    return client


def case_url(response):
    return f"/cases/{response.code}/"


def finding(response, rule):
    return response.findings.get(rule=rule)


def test_opening_a_submitted_case_puts_it_in_review(priya_client, case):
    page = priya_client.get(case_url(case)).content.decode()
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW
    assert case.events.filter(kind=EventKind.REVIEW_STARTED).count() == 1
    assert "Alice Archer" in page
    assert "Refer to the client's GP" in page  # the red-flag banner


def test_the_findings_say_why_what_to_do_which_answers_and_the_sources(
    priya_client, case
):
    page = priya_client.get(case_url(case)).content.decode()
    mg = finding(case, "mg-bisphosphonates")
    assert mg.title in page
    assert mg.message in page
    assert "Alendronic acid 70 mg — Medications" in page
    assert "Magnesium Citrate (150 mg, 2 a day) — Supplements" in page
    for source in mg.sources:
        if source.get("url"):
            assert f'href="{source["url"]}"' in page
    # Refer first, then major, then the rest.
    findings = page[page.index('id="findings-heading"') :]
    assert (
        findings.index("Refer (1)")
        < findings.index("Major (")
        < findings.index(mg.title)
    )


def test_entries_show_what_they_were_matched_to(priya_client, case):
    page = priya_client.get(case_url(case)).content.decode()
    assert "Alendronic acid" in page and "M05BA04" in page
    assert "bisphosphonates" in page
    assert "300 mg a day" in page  # 150 mg x 2, elemental


def test_dismissing_needs_a_reason(priya_client, case):
    red_flag = finding(case, "red-flag-persistent-heartburn")
    plain = priya_client.post(
        f"/findings/{red_flag.code}/decide/",
        {"decision": "dismissed", "note": "  "},
        follow=True,
    )
    assert "Please give a reason for dismissing this finding." in (
        plain.content.decode()
    )
    htmx = priya_client.post(
        f"/findings/{red_flag.code}/decide/",
        {"decision": "dismissed", "note": ""},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 200
    assert "Please give a reason for dismissing this finding." in (
        htmx.content.decode()
    )
    red_flag.refresh_from_db()
    assert red_flag.decision == Decision.UNDECIDED
    assert not ReviewAction.objects.exists()


def decide(client, found, decision, note=""):
    return client.post(
        f"/findings/{found.code}/decide/", {"decision": decision, "note": note}
    )


def test_decisions_keep_who_and_when_and_can_be_undone(priya_client, priya, case):
    red_flag = finding(case, "red-flag-persistent-heartburn")
    decide(priya_client, red_flag, "dismissed", "Already under GP investigation")
    red_flag.refresh_from_db()
    assert red_flag.decision == Decision.DISMISSED
    assert red_flag.decided_by == priya.user
    assert red_flag.decided_at is not None
    page = priya_client.get(case_url(case)).content.decode()
    assert "Dismissed</strong> by Priya Patel" in page
    assert "Already under GP investigation" in page

    priya_client.post(f"/findings/{red_flag.code}/undo/")
    red_flag.refresh_from_db()
    assert red_flag.decision == Decision.UNDECIDED
    kinds = list(ReviewAction.objects.values_list("kind", "by", "note"))
    assert kinds == [
        (ActionKind.DISMISSED, priya.user.pk, "Already under GP investigation"),
        (ActionKind.UNDONE, priya.user.pk, ""),
    ]


def test_the_case_is_ready_for_advice_when_refer_and_major_are_decided(
    priya_client, case
):
    priya_client.get(case_url(case))
    must = list(case.findings.filter(severity__in=["refer", "major"]))
    assert len(must) == 2
    for found in must[:-1]:
        decide(priya_client, found, "acknowledged")
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW
    decide(priya_client, must[-1], "dismissed", "Discussed with the client")
    case.refresh_from_db()
    assert case.status == ResponseStatus.READY_FOR_ADVICE
    assert "ready for advice" in priya_client.get(case_url(case)).content.decode()
    # Undoing one puts it back in review.
    priya_client.post(f"/findings/{must[0].code}/undo/")
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW
    assert case.events.filter(kind=EventKind.BACK_IN_REVIEW).count() == 1


def test_an_htmx_decision_returns_the_card_and_the_new_status(priya_client, case):
    red_flag = finding(case, "red-flag-persistent-heartburn")
    reply = priya_client.post(
        f"/findings/{red_flag.code}/decide/",
        {"decision": "acknowledged", "note": "Referred today"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'id="finding-{red_flag.code}"' in reply
    assert "Acknowledged</strong> by Priya Patel" in reply
    assert 'hx-swap-oob="true"' in reply
    assert "Refer to the client" not in reply  # the banner has gone


def test_a_hand_match_adds_the_new_findings_and_keeps_earlier_decisions(
    priya_client, alice
):
    response = submitted_case(
        alice,
        medications=[{"name": "Zorblatrex", "strength": "10 mg"}],
        supplements=[MAGNESIUM],
        symptoms={"persistent_heartburn": "2"},
    )
    priya_client.get(case_url(response))
    red_flag = finding(response, "red-flag-persistent-heartburn")
    decide(priya_client, red_flag, "acknowledged", "GP letter sent")
    unknown = finding(response, "unrecognised-medication")
    row = response.medications.get()

    search = priya_client.get(
        case_url(response), {"match": str(row.code), "q": "lisinopril"}
    ).content.decode()
    assert 'value="lisinopril"' in search
    priya_client.post(
        f"/cases/{response.code}/medication/{row.code}/match/",
        {"substance": "lisinopril"},
    )

    row.refresh_from_db()
    assert row.matched_as == "lisinopril"
    rules = set(response.findings.current().values_list("rule", flat=True))
    assert "mg-antihypertensives-bp" in rules
    assert "unrecognised-medication" not in rules
    unknown.refresh_from_db()
    assert unknown.withdrawn_at is not None
    red_flag.refresh_from_db()
    assert red_flag.decision == Decision.ACKNOWLEDGED  # still decided
    assert red_flag.decision_note == "GP letter sent"
    action = ReviewAction.objects.get(kind=ActionKind.REMATCHED)
    assert action.matched_as == "lisinopril"
    assert action.entry_ref == f"medication:{row.code}"


def test_a_hand_match_must_be_a_known_substance(priya_client, alice):
    response = submitted_case(alice, medications=[{"name": "Zorblatrex"}])
    row = response.medications.get()
    priya_client.post(
        f"/cases/{response.code}/medication/{row.code}/match/",
        {"substance": "not-a-real-thing"},
    )
    row.refresh_from_db()
    assert row.matched_as == ""


def test_private_notes_are_kept_and_an_empty_one_is_refused(priya_client, case):
    priya_client.post(f"/cases/{case.code}/notes/", {"text": "Call on Tuesday"})
    priya_client.post(f"/cases/{case.code}/notes/", {"text": "   "})
    assert list(case.notes.values_list("text", flat=True)) == ["Call on Tuesday"]
    assert "Call on Tuesday" in priya_client.get(case_url(case)).content.decode()


def test_a_case_not_yet_submitted_sends_the_practitioner_to_the_client(
    priya_client, alice
):
    from questionnaires.intake import sending
    from tests.intake_helpers import shipped_version

    shipped_version()
    response = sending.send_questionnaire(client=alice, sent_by=None)
    reply = priya_client.get(case_url(response))
    assert reply["Location"] == alice.get_absolute_url()


def test_the_symptom_chart_shows_the_change_since_an_earlier_submission(
    priya_client, alice
):
    submitted_case(alice, symptoms={"fatigue": "3", "low_mood": "2"})
    later = submitted_case(alice, symptoms={"fatigue": "1", "low_mood": "2"})
    page = priya_client.get(case_url(later)).content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "down 2" in page  # energy: fatigue 3 -> 1


def test_a_recheck_that_raises_a_new_major_finding_puts_the_case_back_in_review(
    priya_client, case
):
    from django.core.management import call_command

    for found in case.findings.all():
        decide(priya_client, found, "acknowledged")
    case.refresh_from_db()
    assert case.status == ResponseStatus.READY_FOR_ADVICE
    # The knowledge base changed: pretend a decided major finding is new again.
    major = case.findings.filter(severity="major").first()
    major.decision = Decision.UNDECIDED
    major.save()
    call_command("recheck_findings")
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW
