"""What is issued is always what was checked: every path that stores plan rows
leaves the plan "not checked yet", issuing re-checks under the case's lock, a
repeated Issue is a no-op, and a re-issue after a plan change works."""

from __future__ import annotations

import pytest
from django.core import mail

from practice.models import Client
from questionnaires.advice import drafting, issuing, plans
from questionnaires.models import (
    AdviceDraft,
    AdviceSnippet,
    Decision,
    IssuedSummary,
    PlanItem,
    ResponseStatus,
    Severity,
    Supplement,
)
from tests.pdf_helpers import pdf_text
from tests.review_helpers import submitted_case
from tests.test_case_summary import assert_true_to_its_rows

ALENDRONIC = {"name": "Alendronic acid", "strength": "70 mg", "frequency": "weekly"}
CITRATE = {
    "product": "Magnesium citrate",
    "nutrient": "magnesium",
    "form": "citrate",
    "amount": "200",
    "unit": "mg",
    "per_day": "2",
}


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(alice):
    """Alice takes alendronic acid and 400 mg of magnesium citrate a day."""
    return submitted_case(alice, medications=[ALENDRONIC], supplements=[CITRATE])


@pytest.fixture
def priya_client(client, priya):
    client.force_login(priya.user)
    return client


def url(case, tail=""):
    return f"/cases/{case.code}/advice/{tail}"


def decide_all(client, case, note="Discussed"):
    client.get(f"/cases/{case.code}/")
    for finding in case.findings.undecided():
        client.post(
            f"/findings/{finding.code}/decide/",
            {"decision": "acknowledged", "note": note},
        )


def form_data(case, *, button="save", rows=None, **current):
    """The editor's form as a browser posts it, for the rows given."""
    data = {
        "key_points": "Magnesium in the evening.",
        "diet": "",
        "lifestyle": "",
        "gp_notes": "",
        "follow_up": "",
        "action": button,
        "plan": [],
    }
    for row, fields in (rows or {}).items():
        prefix = f"plan-{row.code}"
        data["plan"].append(str(row.code))
        values = {
            "product": row.product,
            "nutrient": row.nutrient,
            "amount": row.amount,
            "unit": row.unit,
            "per_day": row.per_day,
            "timing": "evening_meal",
            **fields,
        }
        data.update({f"{prefix}-{k}": v for k, v in values.items()})
    supplement = case.supplements.get()
    data["current"] = [str(supplement.code)]
    for key, value in current.items():
        data[f"current-{supplement.code}-{key}"] = value
    return data


def checked_plan(client, case, amount="100"):
    """A plan of magnesium glycinate, saved and checked, every finding decided."""
    decide_all(client, case)
    client.post(url(case), {"action": "add-plan"})
    row = case.advice.plan.get()
    reply = client.post(
        url(case),
        form_data(
            case,
            rows={
                row: {
                    "product": "Magnesium glycinate",
                    "nutrient": "magnesium",
                    "amount": amount,
                }
            },
        ),
    )
    assert reply.status_code == 302
    decide_all(client, case)
    row.refresh_from_db()
    return row


def issue(client, case, expected=None):
    expected = expected or case.summaries.count() + 1
    return client.post(url(case, "issue/"), {"expected_version": expected}, follow=True)


def issued_text(summary) -> str:
    # Through the app's read path: it checks the hash (and, in a test whose
    # transaction never commits, moves the PDF out of its pending name).
    return " ".join(pdf_text(issuing.read_issued(summary)).split())


def test_a_checked_plan_issues(priya_client, case):
    checked_plan(priya_client, case)
    page = priya_client.get(url(case)).content.decode()
    assert "Checked" in page and "Not checked yet" not in page
    reply = issue(priya_client, case)
    assert "Advice summary version 1 issued" in reply.content.decode()
    assert "Magnesium glycinate" in issued_text(IssuedSummary.objects.get())


def _add(client, case, row):
    data = form_data(case, button="add-plan", rows={row: {"amount": "5000"}})
    client.post(url(case), data)


def _snippet(client, case, row):
    data = form_data(case, button="snippet:diet", rows={row: {"amount": "5000"}})
    data["snippet-title-diet"] = "Greens"
    data["diet"] = "Eat more greens."
    client.post(url(case), data)
    assert AdviceSnippet.objects.filter(title="Greens").exists()


def _refused_save(client, case, row):
    data = form_data(case, rows={row: {"amount": "5000", "per_day": "two"}})
    assert client.post(url(case), data).status_code == 422


def _remove(client, case, row):
    client.post(url(case), {"action": "add-plan"})
    other = case.advice.plan.exclude(pk=row.pk).get()
    data = form_data(
        case,
        button=f"remove-plan:{other.code}",
        rows={row: {"amount": "5000"}, other: {}},
    )
    client.post(url(case), data)
    assert not case.advice.plan.filter(pk=other.pk).exists()


@pytest.mark.parametrize(
    "store", [_add, _snippet, _refused_save, _remove], ids=lambda f: f.__name__[1:]
)
def test_every_path_that_stores_plan_rows_leaves_the_plan_unchecked(
    priya_client, case, store
):
    row = checked_plan(priya_client, case)
    store(priya_client, case, row)
    row.refresh_from_db()
    assert row.amount == "5000"  # kept as typed

    page = priya_client.get(url(case)).content.decode()
    assert "Not checked yet" in page
    button = page.split("Issue the PDF")[0].rsplit("<button", 1)[1]
    assert "disabled" in button

    reply = issue(priya_client, case).content.decode()
    assert not IssuedSummary.objects.exists()
    if store is _refused_save:
        assert "Enter the doses a day as a number" in reply
    else:
        assert "It has been checked now" in reply
        # What the check found about the new dose is there to read.
        limit = case.findings.current().get(rule="upper-limit-magnesium")
        assert "5000" in limit.message


@pytest.mark.parametrize(
    "store", [_add, _snippet, _remove], ids=["add", "snippet", "remove"]
)
def test_the_issued_pdf_holds_only_a_checked_dose(priya_client, case, store):
    row = checked_plan(priya_client, case)
    store(priya_client, case, row)
    issue(priya_client, case)  # refused: checked now
    assert not IssuedSummary.objects.exists()
    reply = issue(priya_client, case)  # the 5000 mg was checked: moderate only
    assert "version 1 issued" in reply.content.decode()
    text = issued_text(IssuedSummary.objects.get())
    assert "5000 mg" in text
    assert case.findings.current().filter(message__contains="5000").exists()


def test_a_repeated_issue_makes_one_version_and_one_email(
    priya_client, case, django_capture_on_commit_callbacks
):
    checked_plan(priya_client, case)
    with django_capture_on_commit_callbacks(execute=True):
        first = issue(priya_client, case, expected=1)
        again = issue(priya_client, case, expected=1)
    assert "version 1 issued" in first.content.decode()
    assert "Version 1 has already been issued" in again.content.decode()
    assert IssuedSummary.objects.count() == 1
    assert len([m for m in mail.outbox if "advice summary" in m.subject]) == 1


def test_an_issue_without_the_expected_version_changes_nothing(priya_client, case):
    checked_plan(priya_client, case)
    reply = priya_client.post(url(case, "issue/"), follow=True)
    assert "reload the page" in reply.content.decode()
    assert not IssuedSummary.objects.exists()


def test_a_re_issue_after_a_plan_change_that_raises_a_major_finding(priya_client, case):
    row = checked_plan(priya_client, case)
    issue(priya_client, case)
    case.refresh_from_db()
    assert case.status == ResponseStatus.SUMMARY_ISSUED

    # Calcium with alendronic acid is major: the case needs a decision again.
    priya_client.post(url(case), {"action": "add-plan"})
    calcium = case.advice.plan.exclude(pk=row.pk).get()
    priya_client.post(
        url(case),
        form_data(
            case,
            rows={
                row: {},
                calcium: {
                    "product": "Calcium carbonate",
                    "nutrient": "calcium",
                    "amount": "500",
                },
            },
        ),
    )
    case.refresh_from_db()
    assert case.status == ResponseStatus.IN_REVIEW
    finding = case.findings.blocking().get()
    assert "alendronic acid" in finding.title.lower()
    refused = issue(priya_client, case).content.decode()
    assert "still need a decision" in refused
    assert case.summaries.count() == 1

    # The finding can be decided after an issue, and version 2 issued.
    priya_client.post(
        f"/findings/{finding.code}/decide/",
        {"decision": "acknowledged", "note": "Calcium at lunch, 4 hours later"},
    )
    case.refresh_from_db()
    assert case.status == ResponseStatus.READY_FOR_ADVICE
    reply = issue(priya_client, case)
    assert "version 2 issued" in reply.content.decode()
    case.refresh_from_db()
    assert case.status == ResponseStatus.SUMMARY_ISSUED
    assert "Calcium carbonate" in issued_text(case.summaries.get(version=2))
    assert "Calcium carbonate" not in issued_text(case.summaries.get(version=1))


def test_a_decision_survives_a_plan_row_joining_the_finding(priya_client, case):
    decide_all(priya_client, case, note="Magnesium moved to the evening")
    major = case.findings.current().get(rule="mg-bisphosphonates")
    checked_plan(priya_client, case)
    current = case.findings.current().get(rule="mg-bisphosphonates")
    assert current.pk != major.pk  # the plan's glycinate joined it
    assert current.decision == Decision.ACKNOWLEDGED
    assert current.decision_note == "Magnesium moved to the evening"
    assert not current.is_new
    page = priya_client.get(f"/cases/{case.code}/").content.decode()
    assert "Magnesium moved to the evening" in page


def test_a_changed_finding_shows_the_earlier_decision_and_must_be_decided_again(
    priya_client, case
):
    row = checked_plan(priya_client, case, amount="300")
    limit = case.findings.current().get(rule="upper-limit-magnesium")
    priya_client.post(
        f"/findings/{limit.code}/decide/",
        {"decision": "dismissed", "note": "Short course only"},
    )
    priya_client.post(url(case), form_data(case, rows={row: {"amount": "900"}}))
    limit.refresh_from_db()
    assert not limit.is_decided
    assert limit.earlier_decision == Decision.DISMISSED
    assert limit.earlier_note == "Short course only"
    page = priya_client.get(url(case)).content.decode()
    assert "Earlier decision, before this finding changed" in page
    assert "Short course only" in page
    history = priya_client.get(f"/cases/{case.code}/").content.decode()
    assert "History of the case" in history and "Short course only" in history


def test_only_refer_and_major_findings_block(priya_client, case):
    checked_plan(priya_client, case, amount="300")
    for finding in case.findings.current().exclude(severity__in=["refer", "major"]):
        priya_client.post(f"/findings/{finding.code}/undo/")
    undecided = case.findings.undecided()
    assert {f.severity for f in undecided} <= {"moderate", "minor", "info"}
    assert undecided.exists()
    case.refresh_from_db()
    assert drafting.issue_blockers(case) == []


def test_replacing_a_current_supplement_changes_the_total_and_the_pdf(
    priya_client, case
):
    row = checked_plan(priya_client, case, amount="300")
    assert case.findings.current().filter(rule="upper-limit-magnesium").exists()
    page = priya_client.get(url(case)).content.decode()
    assert "700 mg a day" in page  # 400 citrate + 300 glycinate

    priya_client.post(
        url(case),
        form_data(
            case,
            rows={row: {}},
            **{"action": "replace", "replaced_by": str(row.code)},
        ),
    )
    assert not case.findings.current().filter(rule="upper-limit-magnesium").exists()
    page = priya_client.get(url(case)).content.decode()
    assert "300 mg a day" in page and "Checked" in page
    decide_all(priya_client, case)
    reply = issue(priya_client, case)
    assert "version 1 issued" in reply.content.decode()
    text = issued_text(IssuedSummary.objects.get())
    assert "Stop taking" in text
    assert (
        "Magnesium citrate (200 mg, twice a day): replaced by Magnesium glycinate"
        in text
    )


def test_changing_the_dose_of_a_current_supplement_is_checked(priya_client, case):
    decide_all(priya_client, case)
    data = form_data(case, **{"action": "change_dose", "amount": "", "per_day": "1"})
    assert priya_client.post(url(case), data).status_code == 422
    assert "give the new amount per dose" in issue(priya_client, case).content.decode()

    data[f"current-{case.supplements.get().code}-amount"] = "100"
    priya_client.post(url(case), data)
    page = priya_client.get(url(case)).content.decode()
    assert "100 mg a day" in page
    issue(priya_client, case)
    text = issued_text(IssuedSummary.objects.get())
    assert "Keep taking" in text
    assert "Magnesium citrate, at a new dose: 100 mg, once a day" in text


def test_the_editor_reads_the_plan_in_a_fixed_number_of_queries(
    priya_client, case, django_assert_max_num_queries
):
    decide_all(priya_client, case)
    priya_client.post(url(case), {"action": "add-plan"})
    priya_client.get(url(case))
    with django_assert_max_num_queries(30) as one:
        priya_client.get(url(case))
    for _ in range(4):
        priya_client.post(url(case), {"action": "add-plan"})
    with django_assert_max_num_queries(30) as five:
        priya_client.get(url(case))
    assert len(five) == len(one)


def test_a_replacement_from_another_case_or_an_unknown_action_is_not_stored(
    priya_client, case, bob
):
    other = submitted_case(bob, supplements=[CITRATE])
    foreign = drafting.draft_for(response=other, by=other.client.practitioner.user)
    stranger = foreign.plan.create(product="Iron", nutrient="iron", amount="14")
    decide_all(priya_client, case)
    supplement = case.supplements.get()
    data = form_data(case, **{"action": "replace", "replaced_by": str(stranger.code)})
    assert priya_client.post(url(case), data).status_code == 422
    choice = case.advice.current.get()
    assert choice.replaced_by is None
    data = form_data(case, **{"action": "drop-table"})
    priya_client.post(url(case), data)
    choice.refresh_from_db()
    assert choice.action == "continue"
    assert choice.supplement == supplement


def test_the_preview_says_what_to_stop_and_what_to_keep(priya_client, case):
    decide_all(priya_client, case)
    priya_client.post(url(case), form_data(case, **{"action": "stop"}))
    page = priya_client.get(url(case, "preview/")).content.decode()
    assert "Stop taking" in page
    assert "Magnesium citrate (200 mg, twice a day)" in page
    assert "Keep taking" not in page


def test_a_save_from_a_page_loaded_before_a_check_never_marks_the_plan_checked(
    priya_client, case, monkeypatch
):
    row = checked_plan(priya_client, case, amount="100")
    loaded_earlier = AdviceDraft.objects.get(response=case)  # the first check's
    priya_client.post(url(case), form_data(case, rows={row: {"amount": "300"}}))
    # Back to 100 mg without a check (as an autosave would store it).
    PlanItem.objects.filter(pk=row.pk).update(amount="100")
    assert not plans.read_plan(case).is_checked

    monkeypatch.setattr(drafting, "draft_for", lambda **kwargs: loaded_earlier)
    priya_client.post(url(case), {"key_points": "Later words", "action": "insert:diet"})
    monkeypatch.undo()
    case.advice.refresh_from_db()
    assert case.advice.key_points == "Later words"
    # The findings are the 300 mg check's: the 100 mg plan is not checked.
    assert not plans.read_plan(case).is_checked


def test_a_plan_row_that_changes_a_decided_total_shows_the_earlier_decision(
    priya_client, alice
):
    over = {**CITRATE, "amount": "250"}  # 500 mg a day: over the 400 mg guidance
    case = submitted_case(alice, supplements=[over])
    priya_client.get(f"/cases/{case.code}/")
    limit = case.findings.current().get(rule="upper-limit-magnesium")
    priya_client.post(
        f"/findings/{limit.code}/decide/",
        {"decision": "dismissed", "note": "Her GP knows; short course"},
    )
    priya_client.post(url(case), {"action": "add-plan"})
    row = case.advice.plan.get()
    priya_client.post(
        url(case),
        form_data(
            case,
            rows={
                row: {
                    "product": "Magnesium glycinate",
                    "nutrient": "magnesium",
                    "amount": "100",
                }
            },
        ),
    )
    now = case.findings.current().get(rule="upper-limit-magnesium")
    assert now.pk != limit.pk and "600" in now.message
    assert not now.is_decided
    assert now.earlier_decision == Decision.DISMISSED
    assert now.earlier_note == "Her GP knows; short course"
    page = priya_client.get(f"/cases/{case.code}/").content.decode()
    assert "Earlier decision, before this finding changed" in page


@pytest.mark.parametrize(
    "product, amount, per_day, line",
    [
        ("Calcium 600 mg", "600", "1", "Calcium 600 mg (once a day)"),
        ("Calcium 600mg", "600", "2", "Calcium 600mg (twice a day)"),
        ("Calcium", "600", "1", "Calcium (600 mg, once a day)"),
        ("Calcium 600 mg", "300", "1", "Calcium 600 mg (300 mg, once a day)"),
    ],
)
def test_keep_taking_says_the_dose_once(product, amount, per_day, line):
    taken = Supplement(product=product, amount=amount, unit="mg", per_day=per_day)
    assert plans.stop_and_keep(plans.Plan(draft=None), [taken]) == ((), (line,))


def test_a_refused_issue_stores_what_its_check_found_for_the_dashboard(
    priya_client, case
):
    row = checked_plan(priya_client, case)
    _add(priya_client, case, row)  # 5000 mg: not checked yet
    assert "It has been checked now" in issue(priya_client, case).content.decode()
    assert not IssuedSummary.objects.exists()
    # The check's new finding waits for a decision, and the dashboard says so.
    assert case.findings.current().get(rule="upper-limit-magnesium").decision == ""
    assert_true_to_its_rows(case.client)
    assert (
        sum(
            getattr(Client.objects.get(pk=case.client_id), f"case_open_{s}")
            for s in Severity.values
        )
        == case.findings.current().filter(decision="").count()
    )
