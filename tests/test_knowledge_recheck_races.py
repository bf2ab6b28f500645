"""Several app processes start at once after a deploy, or two workers run the
re-check at once: the re-check is queued once and each case is checked once.
PostgreSQL only: SQLite runs one writer at a time, so it cannot show a race."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from questionnaires.interactions import knowledge
from questionnaires.models import KnowledgeRecheck, NewEvidence
from questionnaires.rechecks import after_deploy as rechecks
from tests.factories import ClientFactory
from tests.questionnaire_factories import health_version
from tests.races import at_once
from tests.recheck_helpers import checked_with_older_knowledge

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="race tests need PostgreSQL's concurrent writers (set DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def checks(monkeypatch):
    """How many times each response was checked, across threads."""
    counted: Counter = Counter()
    lock = threading.Lock()
    real = rechecks.check_response

    def counting(response, **kwargs):
        with lock:
            counted[response.pk] += 1
        return real(response, **kwargs)

    monkeypatch.setattr(rechecks, "check_response", counting)
    return counted


@pytest.fixture
def cases(priya):
    version = health_version()
    clients = [ClientFactory(practitioner=priya) for _ in range(4)]
    return [checked_with_older_knowledge(c, version)[0] for c in clients]


def test_processes_starting_at_once_queue_the_recheck_once(cases, checks):
    knowledge.load()  # read the files before the threads race, as a process has

    runs = at_once(4, lambda i: rechecks.schedule_recheck())

    assert len([r for r in runs if r is not None]) == 1, runs
    assert KnowledgeRecheck.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert checks == {case.pk: 1 for case in cases}


def test_two_workers_running_the_recheck_at_once_check_each_case_once(cases, checks):
    knowledge.load()
    run = KnowledgeRecheck.objects.create(version=knowledge.load().version)

    at_once(3, lambda i: rechecks.recheck_open_cases.call(run.pk))

    assert checks == {case.pk: 1 for case in cases}
    run.refresh_from_db()
    assert (run.checked, run.changed, run.failed) == (4, 4, 0)
    # Two listed per case (one new, one changed), never twice over.
    assert NewEvidence.objects.count() == 2 * len(cases)
