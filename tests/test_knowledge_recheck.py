"""When the knowledge base changes (a deploy runs migrate), each open case is
re-checked once in the background, and what the new knowledge raised or changed
waits on the practitioner's dashboard until decided."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django_tasks_db.models import DBTaskResult

from questionnaires.interactions import knowledge
from questionnaires.models import (
    EventKind,
    EvidenceChange,
    KnowledgeRecheck,
    NewEvidence,
    Response,
    ResponseStatus,
)
from questionnaires.rechecks import after_deploy as rechecks
from questionnaires.review.checking import check_response
from tests.questionnaire_factories import health_version, osteoporosis_case
from tests.recheck_helpers import OLD, checked_with_older_knowledge


@pytest.fixture
def version(db):
    return health_version()


@pytest.fixture
def checks(monkeypatch):
    """How many times each response was checked by the re-check."""
    counted: Counter = Counter()
    real = rechecks.check_response

    def counting(response, **kwargs):
        counted[response.pk] += 1
        return real(response, **kwargs)

    monkeypatch.setattr(rechecks, "check_response", counting)
    return counted


def test_a_knowledge_change_rechecks_open_cases_once_and_not_closed_ones(
    alice, bob, priya, omar, version, checks
):
    open_case, _, _ = checked_with_older_knowledge(alice, version)
    closed, _, _ = checked_with_older_knowledge(bob, version)
    closed.close(by=omar.user)

    run = rechecks.schedule_recheck()

    assert checks == {open_case.pk: 1}
    run.refresh_from_db()
    assert (run.checked, run.changed, run.failed) == (1, 1, 0)
    assert run.finished_at is not None
    open_case.refresh_from_db()
    assert open_case.knowledge_version == knowledge.load().version
    assert not NewEvidence.objects.filter(finding__response=closed).exists()

    assert rechecks.schedule_recheck() is None  # the next start finds nothing to do
    rechecks.recheck_open_cases.call(run.pk)  # nor does the task run again
    assert checks == {open_case.pk: 1}
    assert DBTaskResult.objects.count() == 1


def test_migrate_queues_the_recheck_when_the_knowledge_changed(alice, version, checks):
    case, _, _ = checked_with_older_knowledge(alice, version)

    emit_post_migrate_signal(0, False, "default")

    assert checks == {case.pk: 1}
    assert KnowledgeRecheck.objects.get().version == knowledge.load().version


def test_nothing_is_queued_when_every_case_is_current(alice, version):
    check_response(osteoporosis_case(alice, version))

    emit_post_migrate_signal(0, False, "default")

    assert not KnowledgeRecheck.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_new_and_changed_findings_are_listed_as_new_evidence(alice, version):
    case, new_rule, changed = checked_with_older_knowledge(alice, version)

    rechecks.schedule_recheck()

    listed = {e.finding.rule: e for e in NewEvidence.objects.select_related("finding")}
    assert set(listed) == {new_rule, changed.rule}
    assert listed[new_rule].change == EvidenceChange.NEW
    assert listed[changed.rule].change == EvidenceChange.CHANGED
    assert listed[changed.rule].fields == ["message"]
    event = case.events.get(kind=EventKind.RECHECKED)
    assert "2 findings to decide" in event.message


def test_a_new_version_that_only_renames_itself_lists_nothing(alice, version):
    case = osteoporosis_case(alice, version)
    check_response(case)
    case.findings.update(knowledge_version=OLD)
    Response.objects.filter(pk=case.pk).update(knowledge_version=OLD)

    run = rechecks.schedule_recheck()

    run.refresh_from_db()
    assert (run.checked, run.changed) == (1, 0)
    assert not NewEvidence.objects.exists()
    assert not case.events.filter(kind=EventKind.RECHECKED).exists()


def test_a_decided_finding_whose_advice_changed_is_listed_again(alice, priya, version):

    case, _, changed = checked_with_older_knowledge(alice, version)
    changed.decide(by=priya.user, decision="acknowledged", note="ok")

    rechecks.schedule_recheck()

    changed.refresh_from_db()
    assert not changed.is_decided
    assert changed.earlier_note == "ok"
    assert NewEvidence.objects.waiting().filter(finding=changed).exists()


@pytest.mark.parametrize(
    ("status", "rechecked"),
    [
        (ResponseStatus.SUBMITTED, True),
        (ResponseStatus.IN_REVIEW, True),
        (ResponseStatus.READY_FOR_ADVICE, True),
        (ResponseStatus.SUMMARY_ISSUED, True),
        (ResponseStatus.IN_PROGRESS, False),
        (ResponseStatus.REOPENED, False),
    ],
)
def test_which_cases_a_knowledge_change_rechecks(
    alice, version, checks, status, rechecked
):
    case, _, _ = checked_with_older_knowledge(alice, version, status=status)

    rechecks.schedule_recheck()

    assert (checks[case.pk] == 1) is rechecked


def test_an_earlier_visit_is_not_rechecked_once_a_later_one_was_sent(
    alice, version, checks
):
    earlier, _, _ = checked_with_older_knowledge(
        alice, version, status=ResponseStatus.SUMMARY_ISSUED
    )
    later, _, _ = checked_with_older_knowledge(alice, version)

    rechecks.schedule_recheck()

    assert checks == {later.pk: 1}
    assert earlier.pk != later.pk


def test_a_new_major_finding_puts_an_issued_case_back_in_review(alice, version):
    # The older knowledge lacked ca-bisphosphonates, a major finding.
    case, new_rule, _ = checked_with_older_knowledge(
        alice, version, status=ResponseStatus.SUMMARY_ISSUED
    )

    rechecks.schedule_recheck()

    case.refresh_from_db()
    assert case.findings.blocking().filter(rule=new_rule).exists()
    assert case.status == ResponseStatus.IN_REVIEW
    assert case.events.filter(kind=EventKind.BACK_IN_REVIEW).exists()


def test_a_case_that_fails_is_counted_and_the_others_still_run(
    alice, bob, version, monkeypatch
):
    broken, _, _ = checked_with_older_knowledge(alice, version)
    fine, _, _ = checked_with_older_knowledge(bob, version)
    real = rechecks.check_response

    def fails_for_one(response, **kwargs):
        if response.pk == broken.pk:
            raise ValueError("could not read an entry")
        return real(response, **kwargs)

    monkeypatch.setattr(rechecks, "check_response", fails_for_one)

    run = rechecks.schedule_recheck()

    run.refresh_from_db()
    assert (run.checked, run.failed) == (1, 1)
    assert NewEvidence.objects.filter(finding__response=fine).exists()
    assert not NewEvidence.objects.filter(finding__response=broken).exists()


def test_a_worker_with_older_knowledge_leaves_the_run_to_a_new_one(
    alice, version, checks, monkeypatch
):
    checked_with_older_knowledge(alice, version)
    run = KnowledgeRecheck.objects.create(version="a-newer-one")

    rechecks.recheck_open_cases.call(run.pk)

    assert not checks
    run.refresh_from_db()
    assert run.finished_at is None
    waiting = DBTaskResult.objects.get()
    assert waiting.args_kwargs["args"] == [run.pk]
    assert waiting.run_after is not None


def test_a_version_deployed_again_is_scheduled_again(alice, version, checks):
    case, _, _ = checked_with_older_knowledge(alice, version)
    rechecks.schedule_recheck()
    # Another version came and went: the case was checked with it.
    Response.objects.filter(pk=case.pk).update(knowledge_version=OLD)

    assert rechecks.schedule_recheck() is not None

    assert checks == {case.pk: 2}
    assert KnowledgeRecheck.objects.count() == 1


def test_an_admin_sees_each_run_and_what_it_found(client, ada, alice, version):
    checked_with_older_knowledge(alice, version)
    rechecks.schedule_recheck()
    client.force_login(ada)

    page = client.get("/admin/questionnaires/knowledgerecheck/").content.decode()

    assert knowledge.load().version in page
    assert '<td class="field-checked">1</td>' in page
    assert '<td class="field-changed">1</td>' in page  # a case with new evidence
