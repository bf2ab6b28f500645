"""Priya writes the advice, the plan is checked against the client's case, and the
issued PDF never changes."""

import hashlib
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from pypdf import PdfReader

from questionnaires.advice import drafting, issuing, pdf
from questionnaires.models import (
    AdviceSnippet,
    Decision,
    IssuedSummary,
    ResponseStatus,
)
from tests.pdf_helpers import pdf_text
from tests.review_helpers import submitted_case

LEVOTHYROXINE = {"name": "Levothyroxine", "strength": "100 mcg"}
MAGNESIUM_200 = {
    "product": "Magnesium bisglycinate",
    "nutrient": "magnesium",
    "form": "glycinate",
    "amount": "200",
    "unit": "mg",
    "per_day": "1",
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(alice):
    """Alice takes levothyroxine and 200 mg of magnesium a day."""
    return submitted_case(
        alice, medications=[LEVOTHYROXINE], supplements=[MAGNESIUM_200]
    )


@pytest.fixture
def priya_client(client, priya):
    client.force_login(priya.user)
    return client


def open_case(client, case):
    client.get(f"/cases/{case.code}/")
    for finding in case.findings.all():
        client.post(
            f"/findings/{finding.code}/decide/",
            {"decision": "acknowledged", "note": "Discussed"},
        )
    case.refresh_from_db()


def editor_url(case):
    return f"/cases/{case.code}/advice/"


def plan_data(row, **fields):
    prefix = f"plan-{row.code}"
    data = {
        "plan": str(row.code),
        f"{prefix}-unit": "mg",
        f"{prefix}-per_day": "1",
        f"{prefix}-timing": "evening_meal",
    }
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return data


def write_advice(client, case, **plan_fields):
    client.post(editor_url(case), {"action": "add-plan"})
    row = case.advice.plan.get()
    data = {
        "key_points": "Take magnesium with your evening meal.",
        "diet": "More leafy greens.",
        "lifestyle": "A short walk after lunch.",
        "gp_notes": case.advice.gp_notes,
        "follow_up": "In three months.",
        "action": "save",
        **plan_data(row, **plan_fields),
    }
    return client.post(editor_url(case), data), row


def test_the_gp_notes_start_with_the_acknowledged_cautions_about_medicines(
    priya_client, case
):
    open_case(priya_client, case)
    page = priya_client.get(editor_url(case)).content.decode()
    assert "I have taken these points about your medicines into account" in page
    mg = case.findings.get(rule="mg-levothyroxine")
    assert mg.title in case.advice.gp_notes


def test_a_plan_over_the_upper_limit_is_shown_with_its_total_but_only_refer_and_major_block(  # noqa: E501
    priya_client, case
):
    open_case(priya_client, case)
    write_advice(
        priya_client,
        case,
        product="Magnesium glycinate",
        nutrient="magnesium",
        amount="300",
    )
    plan_findings = drafting.plan_findings(case)
    limit = next(f for f in plan_findings if f.kind == "upper_limit")
    assert limit.severity == "moderate"
    assert "Total magnesium: 500 mg a day" in limit.message
    page = priya_client.get(editor_url(case)).content.decode()
    assert limit.title in page
    # The earlier decision on magnesium with levothyroxine is kept for the plan's
    # magnesium, and a moderate finding is there to read, not to block.
    assert drafting.issue_blockers(case) == []
    reply = issue(priya_client, case)
    assert "Advice summary version 1 issued" in reply.content.decode()


def test_the_spacing_is_filled_in_from_the_acknowledged_findings(priya_client, case):
    open_case(priya_client, case)
    _, row = write_advice(
        priya_client,
        case,
        product="Magnesium glycinate",
        nutrient="magnesium",
        amount="100",
    )
    row.refresh_from_db()
    assert row.spacing == "at least 4 hours apart from levothyroxine"


def test_a_bad_plan_amount_is_refused_next_to_the_field_and_kept(priya_client, case):
    open_case(priya_client, case)
    reply, row = write_advice(
        priya_client, case, product="Magnesium", nutrient="magnesium", amount="lots"
    )
    assert reply.status_code == 422
    page = reply.content.decode()
    assert "Enter the amount as a number" in page
    assert 'value="lots"' in page
    row.refresh_from_db()
    assert row.amount == "lots"
    case.advice.refresh_from_db()
    assert case.advice.key_points == "Take magnesium with your evening meal."


def issue(client, case):
    expected = case.summaries.count() + 1
    return client.post(
        f"/cases/{case.code}/advice/issue/",
        {"expected_version": expected},
        follow=True,
    )


def ready_to_issue(client, case):
    open_case(client, case)
    write_advice(
        client, case, product="Magnesium glycinate", nutrient="magnesium", amount="100"
    )
    for finding in drafting.plan_findings(case):
        client.post(f"/findings/{finding.code}/decide/", {"decision": "acknowledged"})


def test_issuing_stores_a_pdf_that_never_changes(
    priya_client, case, django_capture_on_commit_callbacks
):
    ready_to_issue(priya_client, case)
    with django_capture_on_commit_callbacks(execute=True):
        reply = issue(priya_client, case)
    assert "Advice summary version 1 issued" in reply.content.decode()
    summary = IssuedSummary.objects.get()
    case.refresh_from_db()
    assert case.status == ResponseStatus.SUMMARY_ISSUED
    with default_storage.open(summary.file_name, "rb") as handle:
        first = handle.read()
    assert first.startswith(b"%PDF")
    assert hashlib.sha256(first).hexdigest() == summary.sha256
    text = " ".join(pdf_text(first).split())  # table cells wrap lines
    assert "Alice Archer" in text
    assert "Magnesium glycinate" in text and "evening meal" in text.lower()
    assert "levothyroxine" in text.lower()  # the GP notes
    assert "Test Practice" in text
    assert "Take magnesium with your evening meal." in text

    # The client is told, with no health data in the email.
    (message,) = [m for m in mail.outbox if "advice summary" in m.subject]
    assert message.to == [case.client.user.email]
    assert "magnesium" not in message.body.lower()

    # Issuing again makes version 2 and leaves version 1 alone.
    priya_client.post(
        editor_url(case),
        {"key_points": "Changed my mind.", "action": "save", "plan": []},
    )
    issue(priya_client, case)
    assert list(case.summaries.values_list("version", flat=True)) == [2, 1]
    with default_storage.open(summary.file_name, "rb") as handle:
        assert handle.read() == first
    assert issuing.read_issued(summary) == first

    with pytest.raises(ValueError, match="never changes"):
        summary.save()


def test_issuing_takes_a_fixed_number_of_queries(
    priya_client, case, django_assert_max_num_queries
):
    ready_to_issue(priya_client, case)
    # The client, their account and their practitioner's are read once, in the
    # query that locks the client, for the document, the audit row and the email;
    # the practice, the client's supplements and the latest version once each, for
    # the check and the document; the findings that block, once, for the case's
    # move and the reasons to refuse; the case's lock is taken once and its status
    # not read again. Two store the client's case summary for the dashboard once,
    # when the case is marked issued (the client's lock and one UPDATE): the
    # check's findings are in it, so it is not stored for them first.
    with django_assert_max_num_queries(34):
        reply = priya_client.post(
            f"/cases/{case.code}/advice/issue/", {"expected_version": 1}
        )
    assert reply.status_code == 302
    summary = case.summaries.get()
    stored = PdfReader(BytesIO(issuing.read_issued(summary)))
    assert summary.pages == len(stored.pages)  # counted without reading it back


def test_issuing_is_refused_while_decisions_are_outstanding(priya_client, alice):
    case = submitted_case(
        alice, medications=[LEVOTHYROXINE], symptoms={"chest_pain": "1"}
    )
    priya_client.get(f"/cases/{case.code}/")
    write_advice(
        priya_client,
        case,
        product="Vitamin D",
        nutrient="vitamin d",
        amount="10",
        unit="mcg",
    )
    reply = issue(priya_client, case)
    assert "refer or major finding" in reply.content.decode()
    assert not IssuedSummary.objects.exists()
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW


def test_a_render_failure_leaves_nothing_half_issued(
    priya_client, case, monkeypatch, settings
):
    ready_to_issue(priya_client, case)

    def broken(document):
        raise pdf.PdfRenderError("the font could not be loaded.")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    reply = issue(priya_client, case)
    page = reply.content.decode()
    assert "The PDF could not be made, so nothing was issued" in page
    assert not IssuedSummary.objects.exists()
    case.refresh_from_db()
    assert case.status != ResponseStatus.SUMMARY_ISSUED
    media = settings.MEDIA_ROOT / "summaries"
    assert not media.exists() or not any(media.rglob("*.pdf"))


def test_a_database_failure_after_writing_removes_the_file(
    priya_client, case, monkeypatch, settings
):
    ready_to_issue(priya_client, case)

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(IssuedSummary.objects, "create", fail)
    with pytest.raises(RuntimeError):
        issuing.issue_summary(response=case, by=case.client.practitioner.user)
    media = settings.MEDIA_ROOT / "summaries"
    assert not [p for p in media.rglob("*") if p.is_file()]  # not even a pending one


@pytest.fixture
def issued(priya_client, case):
    ready_to_issue(priya_client, case)
    issue(priya_client, case)
    return IssuedSummary.objects.get()


def test_the_client_downloads_her_summary_and_nothing_is_cached(client, alice, issued):
    client.force_login(alice.user)
    portal = client.get("/portal/").content.decode()
    assert issued.get_absolute_url() in portal
    reply = client.get(issued.get_absolute_url())
    assert reply.status_code == 200
    assert reply["Content-Type"] == "application/pdf"
    assert "no-store" in reply["Cache-Control"]
    assert reply["Content-Disposition"].startswith("attachment;")
    assert hashlib.sha256(reply.content).hexdigest() == issued.sha256


@pytest.mark.parametrize("who", ["bob", "omar"])
def test_others_get_404_on_the_download(client, request, issued, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    assert client.get(issued.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("who", ["bob", "omar", "alice"])
def test_others_cannot_open_or_issue_the_advice(client, request, case, who):
    person = request.getfixturevalue(who)
    client.force_login(person.user)
    assert client.get(editor_url(case)).status_code == 404
    assert client.post(f"/cases/{case.code}/advice/issue/").status_code == 404
    assert client.get(f"/cases/{case.code}/advice/preview/").status_code == 404


def test_a_tampered_file_is_not_served(client, alice, issued):
    with default_storage.open(issued.file_name, "wb") as handle:
        handle.write(b"%PDF-1.7 something else")
    client.force_login(alice.user)
    assert client.get(issued.get_absolute_url()).status_code == 404


def test_snippets_are_saved_and_inserted(priya_client, priya, case):
    open_case(priya_client, case)
    priya_client.post(
        editor_url(case),
        {
            "diet": "Eat oily fish twice a week.",
            "snippet-title-diet": "Oily fish",
            "action": "snippet:diet",
        },
    )
    snippet = AdviceSnippet.objects.get(owner=priya)
    assert (snippet.title, snippet.section) == ("Oily fish", "diet")
    priya_client.post(
        editor_url(case),
        {"diet": "", "snippet-diet": snippet.pk, "action": "insert:diet"},
    )
    case.advice.refresh_from_db()
    assert case.advice.diet == "Eat oily fish twice a week."


def test_the_preview_shows_the_summary_before_it_is_issued(priya_client, case):
    ready_to_issue(priya_client, case)
    page = priya_client.get(f"/cases/{case.code}/advice/preview/").content.decode()
    assert "Magnesium glycinate" in page
    assert "Take magnesium with your evening meal." in page
    assert not IssuedSummary.objects.exists()


def test_decisions_on_plan_findings_return_to_the_editor(priya_client, case):
    open_case(priya_client, case)
    write_advice(
        priya_client,
        case,
        product="Magnesium glycinate",
        nutrient="magnesium",
        amount="300",
    )
    finding = drafting.plan_findings(case)[0]
    reply = priya_client.post(
        f"/findings/{finding.code}/decide/",
        {"decision": "acknowledged", "return_to": editor_url(case)},
    )
    assert reply["Location"] == f"{editor_url(case)}#finding-{finding.code}"
    finding.refresh_from_db()
    assert finding.decision == Decision.ACKNOWLEDGED
