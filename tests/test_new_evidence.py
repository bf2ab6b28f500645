"""The dashboard's "new evidence" list: what a knowledge change raised or changed on
the practitioner's own open cases, with the rule and its sources, until decided."""

from __future__ import annotations

import re

import pytest

from questionnaires.models import Finding, NewEvidence, Response
from questionnaires.rechecks import after_deploy as rechecks
from questionnaires.review.checking import check_response
from tests.factories import ClientFactory
from tests.questionnaire_factories import health_version, osteoporosis_case
from tests.recheck_helpers import checked_with_older_knowledge


@pytest.fixture
def version(db):
    return health_version()


@pytest.fixture
def rechecked(alice, version):
    """Alice's case after new knowledge added one finding and reworded another."""
    case, new_rule, changed = checked_with_older_knowledge(alice, version)
    rechecks.schedule_recheck()
    return case, new_rule, changed


def section(client, user) -> str:
    """The new evidence section of this user's dashboard, or ""."""
    client.force_login(user)
    page = client.get("/dashboard/").content.decode()
    found = re.search(
        r'<section aria-labelledby="new-evidence-heading".*?</section>', page, re.S
    )
    return found.group(0) if found else ""


def test_the_list_shows_each_finding_with_its_rule_and_source(client, priya, rechecked):
    case, new_rule, changed = rechecked
    shown = section(client, priya.user)

    assert "New evidence to decide (2)" in shown
    assert f"Alice Archer: {changed.title}" in shown
    assert f"/cases/{case.code}/#finding-{changed.code}" in shown
    assert (
        f"<code>{new_rule}</code>" in shown and f"<code>{changed.rule}</code>" in shown
    )
    assert "New finding" in shown
    assert "Changed: why" in shown
    assert changed.sources[0]["title"] in shown
    assert "open>" not in shown  # folded: the sources did not change


def test_nobody_sees_another_practitioners_new_evidence(client, omar, bob, rechecked):
    assert section(client, omar.user) == ""


def test_a_decided_finding_leaves_the_list_and_an_undo_does_not_bring_it_back(
    client, priya, rechecked
):
    case, _, changed = rechecked
    client.force_login(priya.user)

    client.post(f"/findings/{changed.code}/decide/", {"decision": "acknowledged"})

    shown = section(client, priya.user)
    assert "New evidence to decide (1)" in shown
    assert changed.title not in shown
    client.post(f"/findings/{changed.code}/undo/")
    assert "New evidence to decide (1)" in section(client, priya.user)


def test_the_list_is_gone_when_everything_is_decided(client, priya, rechecked):
    case, _, _ = rechecked
    client.force_login(priya.user)
    for finding in case.findings.undecided():
        client.post(f"/findings/{finding.code}/decide/", {"decision": "acknowledged"})

    assert section(client, priya.user) == ""
    assert "New evidence" not in client.get("/dashboard/").content.decode()


def test_closing_the_case_takes_its_new_evidence_off_the_list(client, priya, rechecked):
    case, _, _ = rechecked
    client.force_login(priya.user)

    client.post(f"/cases/{case.code}/close/")

    assert section(client, priya.user) == ""
    assert NewEvidence.objects.count() == 2  # kept, just no longer waiting


def test_the_dashboard_query_count_does_not_grow_with_the_evidence(
    client, priya, version, django_assert_max_num_queries
):
    def evidence_for(n: int) -> None:
        for i in range(n):
            someone = ClientFactory(practitioner=priya, user__full_name=f"Client {i}")
            checked_with_older_knowledge(someone, version)
        rechecks.schedule_recheck()

    evidence_for(1)
    client.force_login(priya.user)
    with django_assert_max_num_queries(7) as few:
        client.get("/dashboard/")
    evidence_for(7)
    with django_assert_max_num_queries(7) as many:
        shown = client.get("/dashboard/").content.decode()
    assert len(few) == len(many)
    assert "New evidence to decide (16)" in shown
    assert "And 6 more: the most urgent are shown first." in shown


def test_new_sources_are_shown_unfolded(client, priya, alice, version):
    case = osteoporosis_case(alice, version)
    check_response(case)
    finding = case.findings.get(rule="mg-bisphosphonates")
    Finding.objects.filter(pk=finding.pk).update(sources=[{"title": "An older one"}])
    Response.objects.filter(pk=case.pk).update(knowledge_version="0ld")

    rechecks.schedule_recheck()

    shown = section(client, priya.user)
    assert "Changed: sources" in shown
    assert '<details class="small" open>' in shown
    assert finding.sources[0]["title"] in shown


@pytest.mark.parametrize("shown", [1, 10])
def test_the_list_compiled_once_reads_what_the_queryset_reads(
    priya, omar, rechecked, shown
):
    # The practitioner's list runs SQL compiled once per process (new_evidence.py);
    # it must read the same rows, related names and total as the queryset it
    # was compiled from, for her and for a practitioner with nothing waiting.
    from questionnaires.dashboard.new_evidence import _waiting, waiting_for

    for user in (priya.user, omar.user):
        compiled = waiting_for(user, shown=shown)
        plain = list(_waiting(user, shown))
        assert [i.pk for i in compiled.items] == [i.pk for i in plain]
        assert compiled.total == (plain[0].total if plain else 0)
        assert [
            (i.finding.title, i.finding.response.client.user.full_name, i.fields)
            for i in compiled.items
        ] == [
            (i.finding.title, i.finding.response.client.user.full_name, i.fields)
            for i in plain
        ]
    assert waiting_for(priya.user, shown=shown).total == 2
