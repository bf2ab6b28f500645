"""The first screen of the case page: who, what they take as understood, what must
be decided, goals, worst symptoms and the private notes; decided findings fold."""

import re

import pytest

from questionnaires.models import Decision
from questionnaires.review import overview as case_overview
from tests.review_helpers import MAGNESIUM, submitted_case

ALENDRONIC = {"name": "Alendronic acid", "strength": "70 mg", "frequency": "weekly"}


@pytest.fixture
def case(alice):
    return submitted_case(
        alice,
        medications=[ALENDRONIC, {"name": "Blood pressure tablets"}],
        supplements=[MAGNESIUM],
        symptoms={"persistent_heartburn": "2", "muscle_cramps": "3", "fatigue": "1"},
        conditions=["osteoporosis"],
    )


@pytest.fixture
def page(client, priya, case):
    client.force_login(priya.user)
    return lambda: " ".join(client.get(f"/cases/{case.code}/").content.decode().split())


def first_screen(html: str) -> str:
    """The overview: everything before the "On this page" contents."""
    return html[: html.index('aria-label="On this page"')]


def test_the_overview_says_who_what_they_take_and_what_they_want(page):
    top = first_screen(page())
    assert "Alice Archer" in top and "alice@example.org" in top
    assert re.search(r"\d+ years, female", top)
    assert "Osteoporosis" in top and "Sleep better" in top
    # Worst symptoms, worst first; a mild one is not among them.
    assert top.index("Muscle cramps") < top.index("Persistent heartburn")
    assert "Fatigue" not in top
    assert "Alendronic acid 70 mg</strong> → alendronic acid (bisphosphonates)" in top
    assert "not recognised: match by hand" in top  # "Blood pressure tablets"
    assert "Refer to the client's GP" in top
    assert "Major findings to decide" in top
    assert 'id="note-text"' in top  # a private note can be written at once


def test_decided_findings_fold_into_a_short_list_with_their_notes(
    client, priya, case, page
):
    major = case.findings.get(rule="mg-bisphosphonates")
    client.post(
        f"/findings/{major.code}/decide/",
        {"decision": "acknowledged", "note": "Magnesium moved to the evening"},
    )
    html = page()
    assert "Major findings to decide" not in first_screen(html)
    decided = html[html.index('id="decided-findings"') :]
    assert decided.startswith('id="decided-findings"> <summary class="h5">Decided (1)')
    assert (
        "<strong>Acknowledged</strong> by Priya Patel" in decided
        and "“Magnesium moved to the evening”" in decided
    )
    # Undecided findings are whole cards before the folded list.
    undecided = html[html.index('id="findings-heading"') : html.index("Decided (1)")]
    assert f'id="finding-{major.code}"' not in undecided
    assert "Acknowledge<span" in undecided


def test_only_the_three_latest_notes_are_open(client, priya, case, page):
    for n in range(1, 5):
        client.post(f"/cases/{case.code}/notes/", {"text": f"Note {n}"})
    top = first_screen(page())
    assert top.index("Note 4") < top.index("Note 3") < top.index("Note 2")
    assert top.index("Older notes (1)") < top.index("Note 1")


def test_evidence_levels_are_said_in_words():
    assert case_overview.evidence_words("V1") == (
        "Checked against the official text (UK product information, MHRA, NICE, "
        "EFSA or the US Institute of Medicine)."
    )
    assert case_overview.evidence_words("V2: from a secondary copy").endswith(
        "not yet checked against the original. from a secondary copy"
    )
    assert case_overview.evidence_words("odd") == "odd"
    assert case_overview.spacing_words(None) == ""


def test_the_case_page_shows_every_decision_kind(client, priya, case, page):
    flag = case.findings.get(rule="red-flag-persistent-heartburn")
    client.post(
        f"/findings/{flag.code}/decide/",
        {"decision": Decision.DISMISSED, "note": "Already under the GP"},
    )
    html = page()
    assert "<strong>Dismissed</strong> by Priya Patel" in html
    assert "“Already under the GP”" in html
    assert "Refer to the client's GP" not in first_screen(html)
