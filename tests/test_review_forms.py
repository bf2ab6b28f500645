"""Every POST of the case page and the advice editor goes through a form: bad
input is refused with an error code, the message is shown beside its field, and
what was typed is given back."""

import pytest
from django.http import QueryDict

from questionnaires.advice.forms import InsertSnippetForm, IssueForm, SaveSnippetForm
from questionnaires.intake.forms import SubmitForm
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import (
    AdviceSnippet,
    CaseNote,
    Decision,
    ReviewAction,
    SnippetSection,
)
from questionnaires.review.forms import (
    DecisionForm,
    MatchForm,
    NoteForm,
    OpenCaseForm,
)
from tests.review_helpers import MAGNESIUM, submitted_case

LEVOTHYROXINE = {"name": "Levothyroxine", "strength": "100 mcg"}


@pytest.fixture
def case(alice):
    return submitted_case(alice, medications=[LEVOTHYROXINE], supplements=[MAGNESIUM])


@pytest.fixture
def priya_client(client, priya, case):
    client.force_login(priya.user)
    assert client.get(f"/cases/{case.code}/").status_code == 200
    return client


def codes(form, field: str) -> list[str]:
    return [e.code for e in form.errors.as_data()[field]]


# -------------------------------------------------------------- the forms alone


@pytest.mark.parametrize("decision", ["", "undecided", "maybe"])
def test_a_decision_other_than_the_two_is_bad_decision(decision):
    form = DecisionForm({"decision": decision, "note": "Why"})
    assert codes(form, "decision") == ["bad_decision"]


def test_dismissing_without_a_reason_is_reason_required():
    form = DecisionForm({"decision": "dismissed", "note": " \x00 "})
    assert codes(form, "note") == ["reason_required"]
    assert form.first_error == "Please give a reason for dismissing this finding."


def test_a_note_keeps_its_text_less_nul_bytes():
    form = DecisionForm({"decision": "acknowledged", "note": " Seen\x00 it "})
    assert form.is_valid()
    assert form.cleaned_data["note"] == "Seen it"


def test_a_substance_not_in_the_knowledge_base_is_unknown_substance(db):
    knowledge = knowledge_base.load()
    form = MatchForm({"substance": "unobtainium", "q": "un"}, knowledge=knowledge)
    assert codes(form, "substance") == ["unknown_substance"]
    drug = next(iter(knowledge.drugs))
    assert MatchForm({"substance": drug}, knowledge=knowledge).is_valid()
    assert MatchForm({"substance": ""}, knowledge=knowledge).is_valid()


def test_an_empty_note_is_required():
    assert codes(NoteForm({"text": "  "}), "text") == ["required"]


def test_a_snippet_that_is_not_yours_is_no_snippet(priya, omar):
    theirs = AdviceSnippet.objects.create(
        owner=omar, section=SnippetSection.DIET, title="Fish", text="Oily fish."
    )
    form = InsertSnippetForm(
        {"snippet-diet": str(theirs.pk)}, section="diet", user=priya.user
    )
    assert codes(form, "snippet") == ["no_snippet"]


def test_a_snippet_needs_a_title_and_text(priya, ada):
    untitled = SaveSnippetForm(
        {"snippet-title-diet": " "}, section="diet", user=priya.user, text="Fish."
    )
    assert codes(untitled, "title") == ["title_and_text_required"]
    empty = SaveSnippetForm(
        {"snippet-title-diet": "Fish"}, section="diet", user=priya.user, text=" "
    )
    assert codes(empty, "title") == ["title_and_text_required"]
    admin = SaveSnippetForm(
        {"snippet-title-diet": "Fish"}, section="diet", user=ada, text="Fish."
    )
    assert codes(admin, "title") == ["not_practitioner"]


@pytest.mark.parametrize("posted", ["", "x", "1.5"])
def test_an_issue_without_a_whole_version_is_refused(posted):
    form = IssueForm({"expected_version": posted})
    assert not form.is_valid()
    assert form.errors["expected_version"] == [
        "Nothing was issued: reload the page and try again."
    ]


@pytest.mark.parametrize(("posted", "expected"), [("3", 3), ("", -1), ("x", -1)])
def test_a_submission_round_that_is_not_a_number_matches_no_round(posted, expected):
    assert SubmitForm(QueryDict(f"round={posted}")).expected_round == expected


def test_opening_a_case_has_nothing_to_fill_in():
    assert OpenCaseForm({}).is_valid()


# ------------------------------------------------------------ on the pages


def test_a_dismissal_without_reason_is_shown_beside_the_note_with_the_text(
    priya_client, case
):
    found = case.findings.order_by("pk").first()
    reply = priya_client.post(
        f"/findings/{found.code}/decide/",
        {"decision": "dismissed", "note": "   "},
        headers={"HX-Request": "true"},
    )
    page = reply.content.decode()
    assert f'aria-describedby="note-{found.code}-error"' in page
    assert "Please give a reason for dismissing this finding." in page
    # Without htmx: the case page again, at status 400, the same message beside it.
    plain = priya_client.post(
        f"/findings/{found.code}/decide/", {"decision": "maybe", "note": "Seen it"}
    )
    assert plain.status_code == 400
    page = plain.content.decode()
    assert f'id="note-{found.code}-error">Choose Acknowledge or Dismiss.' in page
    assert ">Seen it</textarea>" in page  # what was typed is given back
    found.refresh_from_db()
    assert found.decision == Decision.UNDECIDED
    assert not ReviewAction.objects.filter(finding=found).exists()


def test_a_bad_hand_match_shows_the_search_again_with_the_message(priya_client, case):
    row = case.medications.get()
    reply = priya_client.post(
        f"/cases/{case.code}/medication/{row.code}/match/",
        {"substance": "unobtainium", "q": "levothyroxine"},
    )
    assert reply.status_code == 400
    page = reply.content.decode()
    assert f'id="match-{row.code}-error">Choose a substance from the search' in page
    assert 'name="q" value="levothyroxine"' in page  # the search is kept
    assert 'name="substance"' in page  # and its results listed again
    row.refresh_from_db()
    assert row.matched_as == ""


def test_an_empty_note_is_refused_beside_the_box(priya_client, case):
    reply = priya_client.post(f"/cases/{case.code}/notes/", {"text": " \x00 "})
    assert reply.status_code == 400
    assert 'id="note-text-error">Write something to save a note.' in (
        reply.content.decode()
    )
    assert not CaseNote.objects.exists()


def test_a_snippet_without_title_says_so_in_its_section_and_keeps_the_advice(
    priya_client, case
):
    reply = priya_client.post(
        f"/cases/{case.code}/advice/",
        {"diet": "", "snippet-title-diet": "Fish", "action": "snippet:diet"},
    )
    page = reply.content.decode()
    assert reply.status_code == 200
    assert 'id="snippet-title-diet-error">Give the snippet a title' in page
    assert 'value="Fish"' in page  # the title typed is given back
    reply = priya_client.post(
        f"/cases/{case.code}/advice/",
        {"diet": "Oily fish.", "snippet-diet": "12345", "action": "insert:diet"},
    )
    assert 'id="snippet-diet-error" role="alert">Choose a saved snippet' in (
        reply.content.decode()
    )
    case.advice.refresh_from_db()
    assert case.advice.diet == "Oily fish."
    assert not AdviceSnippet.objects.exists()
