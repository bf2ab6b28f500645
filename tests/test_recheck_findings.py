"""`manage.py recheck_findings`: re-run open cases after the knowledge changes."""

import dataclasses
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from questionnaires.interactions import knowledge
from questionnaires.management.commands import recheck_findings
from questionnaires.models import ResponseStatus
from questionnaires.review.checking import check_response
from tests.questionnaire_factories import (
    MedicationFactory,
    ResponseFactory,
    SupplementFactory,
    health_version,
    osteoporosis_case,
)


@pytest.fixture
def version(db):
    return health_version()


def recheck(*args):
    out, err = StringIO(), StringIO()
    call_command("recheck_findings", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_recheck_checks_submitted_cases_and_skips_ones_in_progress(alice, bob, version):
    submitted = osteoporosis_case(alice, version)
    in_progress = ResponseFactory(client=bob, version=version)
    SupplementFactory(response=in_progress)
    MedicationFactory(response=in_progress, name="Alendronic acid")

    output = recheck()

    assert submitted.findings.filter(rule="mg-bisphosphonates", is_new=True).exists()
    assert not in_progress.findings.exists()
    count = submitted.findings.count()
    assert f"{submitted.code}: {count} new, 0 updated" in output
    assert str(in_progress.code) not in output
    assert f"Checked 1 responses: {count} new" in output


def test_recheck_marks_only_what_is_new(alice, version):
    case = osteoporosis_case(alice, version)
    check_response(case)
    earlier = set(case.findings.values_list("pk", flat=True))
    MedicationFactory(response=case, name="Lisinopril", strength="10 mg")

    output = recheck()

    new = case.findings.filter(is_new=True)
    assert "mg-antihypertensives-bp" in {f.rule for f in new}
    assert not new.filter(pk__in=earlier).exists()
    assert f"{case.code}: {new.count()} new" in output


def test_recheck_reports_no_change_when_nothing_changed(alice, version):
    case = osteoporosis_case(alice, version)
    check_response(case)

    output = recheck()

    assert f"{case.code}: no change" in output
    assert not case.findings.filter(is_new=True).exists()


def test_a_new_knowledge_version_is_recorded_on_every_finding(
    alice, version, monkeypatch
):
    case = osteoporosis_case(alice, version)
    check_response(case)
    pks = set(case.findings.values_list("pk", flat=True))
    newer = dataclasses.replace(knowledge.load(), version="0123456789ab")
    monkeypatch.setattr(knowledge, "load", lambda *args: newer)

    output = recheck()

    assert set(case.findings.values_list("pk", flat=True)) == pks
    assert set(case.findings.values_list("knowledge_version", flat=True)) == {
        "0123456789ab"
    }
    assert not case.findings.filter(is_new=True).exists()
    assert "Knowledge version 0123456789ab" in output
    assert f"{case.code}: 0 new, {len(pks)} updated" in output


@pytest.mark.parametrize(
    ("status", "checked"),
    [
        (ResponseStatus.SUBMITTED, True),
        (ResponseStatus.IN_REVIEW, True),
        (ResponseStatus.READY_FOR_ADVICE, True),
        (ResponseStatus.SUMMARY_ISSUED, False),
        (ResponseStatus.REOPENED, False),
        (ResponseStatus.IN_PROGRESS, False),
    ],
)
def test_which_cases_are_rechecked(alice, version, status, checked):
    case = osteoporosis_case(alice, version, status=status)

    recheck()

    assert case.findings.exists() is checked


def test_all_includes_cases_whose_summary_was_issued(alice, version):
    case = osteoporosis_case(alice, version, status=ResponseStatus.SUMMARY_ISSUED)

    recheck("--all")

    assert case.findings.filter(rule="mg-bisphosphonates").exists()


def test_dry_run_reports_but_stores_nothing(alice, version):
    case = osteoporosis_case(alice, version)

    output = recheck("--dry-run")

    assert "dry run" in output
    assert f"{case.code}: " in output and " new" in output
    assert not case.findings.exists()


def test_output_carries_no_health_data(alice, version):
    osteoporosis_case(alice, version)

    output = recheck().lower()

    for word in ("alendron", "magnesium", "osteoporosis", "alice"):
        assert word not in output


def test_a_case_that_fails_is_reported_and_the_others_still_run(
    alice, bob, version, monkeypatch
):
    broken, fine = osteoporosis_case(alice, version), osteoporosis_case(bob, version)
    real = recheck_findings.check_response

    def fails_for_one(response, **kwargs):
        if response.pk == broken.pk:
            raise ValueError("could not read 'Alendronic acid'")
        return real(response, **kwargs)

    monkeypatch.setattr(recheck_findings, "check_response", fails_for_one)
    err = StringIO()

    with pytest.raises(CommandError, match="1 responses could not be re-checked"):
        call_command("recheck_findings", stdout=StringIO(), stderr=err)

    assert f"{broken.code}: failed (ValueError)" in err.getvalue()
    assert "Alendronic" not in err.getvalue()
    assert fine.findings.exists()


def test_a_closed_case_is_not_rechecked(alice, priya, version):
    case = osteoporosis_case(alice, version)
    case.close(by=priya.user)

    output = recheck("--all")

    assert not case.findings.exists()
    assert str(case.code) not in output
