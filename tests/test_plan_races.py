"""Races on PostgreSQL, with threads: parallel Issue clicks make one version and
one email; a check racing a re-match ends consistent with the entries.

SQLite takes a lock on the whole database for every write, so these races cannot
happen there and the tests are skipped.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client

from questionnaires.advice import plans
from questionnaires.interactions import engine
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import IssuedSummary, Response
from questionnaires.review import actions as review
from questionnaires.review.checking import check_response, finding_key, upper_limit_set
from questionnaires.review.engine_facts import build_case_facts
from tests.review_helpers import submitted_case


@pytest.fixture(autouse=True)
def postgresql_only(transactional_db, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("races need PostgreSQL's row locks (set DATABASE_URL)")
    settings.MEDIA_ROOT = tmp_path / "media"


def in_parallel(jobs, *, start_spread: float = 0.0) -> list:
    """Run each job in its own thread from a shared start; return the results."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            if start_spread:
                time.sleep(random.uniform(0, start_spread))
            results[i] = job()
        except Exception as error:  # reported by the assertions
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_four_parallel_issues_make_one_version_and_one_email(alice, priya):
    case = submitted_case(
        alice,
        supplements=[
            {"product": "Vitamin D3", "nutrient": "vitamin d", "amount": "10"}
        ],
    )
    staff = Client()
    staff.force_login(priya.user)
    staff.get(f"/cases/{case.code}/")
    for finding in case.findings.undecided():
        staff.post(f"/findings/{finding.code}/decide/", {"decision": "acknowledged"})
    staff.post(
        f"/cases/{case.code}/advice/",
        {"key_points": "Keep up the vitamin D.", "action": "save"},
    )
    mail.outbox.clear()

    def click():
        browser = Client()
        browser.force_login(priya.user)
        return browser.post(
            f"/cases/{case.code}/advice/issue/", {"expected_version": "1"}
        ).status_code

    results = in_parallel([click] * 4)
    assert results == [302] * 4
    assert list(IssuedSummary.objects.values_list("version", flat=True)) == [1]
    ready = [m for m in mail.outbox if "advice summary" in m.subject]
    assert len(ready) == 1


def stored_and_expected(response: Response) -> tuple[set[str], set[str]]:
    """The current findings' keys, and the keys a fresh check of the entries gives."""
    knowledge = knowledge_base.load()
    facts = plans.resulting_facts(
        build_case_facts(response, knowledge=knowledge), plans.read_plan(response)
    )
    expected = {
        finding_key(f.key)
        for f in engine.run(facts, knowledge, limits=upper_limit_set())
    }
    stored = set(response.findings.current().values_list("key", flat=True))
    return stored, expected


def test_a_check_racing_a_rematch_ends_consistent_with_the_entries(alice, priya):
    case = submitted_case(
        alice,
        medications=[{"name": "Aspirin", "strength": "75 mg"}],
        supplements=[
            {
                "product": "Fish oil",
                "nutrient": "fish oil",
                "amount": "1000",
                "unit": "mg",
            }
        ],
    )
    review.start_review(response=case, by=priya.user)
    entry = case.medications.get()
    for round_ in range(10):
        target = "" if round_ % 2 else "warfarin"

        def rematch(target=target):
            review.rematch(
                response=Response.objects.get(pk=case.pk),
                entry=type(entry).objects.get(pk=entry.pk),
                substance_id=target,
                by=priya.user,
            )

        def check():
            # As the advice page's check and `recheck_findings` run it.
            check_response(Response.objects.get(pk=case.pk), recheck=True)

        errors = [
            r
            for r in in_parallel([rematch, check], start_spread=0.05)
            if isinstance(r, Exception)
        ]
        assert errors == []
        entry.refresh_from_db()
        assert entry.matched_as == target
        stored, expected = stored_and_expected(case)
        assert stored == expected, f"round {round_}: findings contradict the entries"
    titles = set(case.findings.current().values_list("title", flat=True))
    assert not any("warfarin" in t.lower() for t in titles)  # ended unmatched


def test_an_advice_save_racing_a_hand_match_from_another_session(alice, priya):
    """The reviewer's round: toggle a medicine's match in one session while the
    advice is saved and checked from another."""
    case = submitted_case(
        alice,
        medications=[{"name": "Aspirin", "strength": "75 mg"}],
        supplements=[{"product": "Fish oil", "nutrient": "fish oil", "amount": "1000"}],
    )
    entry = case.medications.get()
    matcher, writer = Client(), Client()
    matcher.force_login(priya.user)
    writer.force_login(priya.user)
    matcher.get(f"/cases/{case.code}/")
    match_url = f"/cases/{case.code}/medication/{entry.code}/match/"
    for round_ in range(8):
        target = "" if round_ % 2 else "warfarin"
        results = in_parallel(
            [
                lambda t=target: matcher.post(match_url, {"substance": t}).status_code,
                lambda n=round_: (
                    writer.post(
                        f"/cases/{case.code}/advice/",
                        {"key_points": f"Round {n}", "action": "save"},
                    ).status_code
                ),
            ],
            start_spread=0.05,
        )
        assert results == [302, 302]
        entry.refresh_from_db()
        assert entry.matched_as == target
        stored, expected = stored_and_expected(case)
        assert stored == expected, f"round {round_}: findings contradict the entries"


def test_an_issue_while_another_tab_moves_the_case_waits_instead_of_deadlocking(
    alice, priya
):
    """A decision in another tab locks the case, then the client's dashboard
    summary; issuing must take the same two locks in the same order."""
    from django.db import transaction

    from questionnaires.dashboard import case_summary

    case = submitted_case(
        alice,
        supplements=[
            {"product": "Vitamin D3", "nutrient": "vitamin d", "amount": "10"}
        ],
    )
    staff = Client()
    staff.force_login(priya.user)
    for finding in case.findings.undecided():
        staff.post(f"/findings/{finding.code}/decide/", {"decision": "acknowledged"})
    staff.post(
        f"/cases/{case.code}/advice/",
        {"key_points": "Keep up the vitamin D.", "action": "save"},
    )
    locked = threading.Event()

    def other_tab():
        with transaction.atomic():
            list(Response.objects.select_for_update().filter(pk=case.pk))
            locked.set()
            time.sleep(1.5)  # the issue starts meanwhile
            case_summary.refresh(case.client_id)
        return "moved"

    def issue():
        locked.wait(10)
        return staff.post(
            f"/cases/{case.code}/advice/issue/", {"expected_version": "1"}
        ).status_code

    results = in_parallel([other_tab, issue])
    assert results == ["moved", 302]  # before: "deadlock detected" for one of them
    assert list(IssuedSummary.objects.values_list("version", flat=True)) == [1]
