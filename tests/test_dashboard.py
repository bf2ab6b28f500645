"""The practitioner's dashboard: counts by state, a searchable, sortable table of
their own clients with findings still to decide, and a constant number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from practice import access
from practice.models import CaseState, Client
from questionnaires.models import (
    ActionKind,
    Decision,
    Finding,
    Response,
    ResponseStatus,
    ReviewAction,
)
from tests.factories import ClientFactory, refresh_case
from tests.questionnaire_factories import ResponseFactory

NOW = timezone.now()


def client_in(practitioner, state: str, name: str, *, days_ago: int = 0, **user):
    """A client of this practitioner whose latest questionnaire is in `state`."""
    if state == CaseState.INVITED:
        user["password"] = None  # an unusable password: not set yet
    client = ClientFactory(
        practitioner=practitioner, user__full_name=name, **_prefixed(user)
    )
    if state in (CaseState.INVITED, CaseState.NO_QUESTIONNAIRE):
        return client
    when = NOW - timedelta(days=days_ago)
    ResponseFactory(
        client=client,
        status=state,
        created_at=when - timedelta(days=1),
        submitted_at=None if state == ResponseStatus.IN_PROGRESS else when,
        last_saved_at=when,
    )
    return client


def _prefixed(fields: dict) -> dict:
    return {f"user__{key}": value for key, value in fields.items()}


def finding(response: Response, severity: str, **fields) -> Finding:
    """A finding stored directly, and the client's case summary with it (as the
    findings store does)."""
    row = Finding.objects.create(
        response=response,
        key=f"{severity}-{Finding.objects.count()}",
        rule="test-rule",
        kind="interaction",
        severity=severity,
        title=f"A {severity} finding",
        message="Why it matters.",
        knowledge_version="test",
        **fields,
    )
    refresh_case(response.client)
    return row


def dashboard(client, user, **params):
    client.force_login(user)
    response = client.get("/dashboard/", params)
    assert response.status_code == 200
    return response


def names_in_table(response) -> list[str]:
    return [row.user.full_name for row in response.context["page"]]


@pytest.fixture
def caseload(priya):
    """One of Priya's clients in every state, submitted on different days."""
    return {
        "Ivy Invited": client_in(priya, CaseState.INVITED, "Ivy Invited"),
        "Nora None": client_in(priya, CaseState.NO_QUESTIONNAIRE, "Nora None"),
        "Paul Progress": client_in(
            priya, CaseState.IN_PROGRESS, "Paul Progress", days_ago=1
        ),
        "Rita Reopened": client_in(
            priya, CaseState.REOPENED, "Rita Reopened", days_ago=6
        ),
        "Sam Submitted": client_in(
            priya, CaseState.SUBMITTED, "Sam Submitted", days_ago=2
        ),
        "Ian Review": client_in(priya, CaseState.IN_REVIEW, "Ian Review", days_ago=3),
        "Ruth Ready": client_in(
            priya, CaseState.READY_FOR_ADVICE, "Ruth Ready", days_ago=4
        ),
        "Ed Issued": client_in(
            priya, CaseState.SUMMARY_ISSUED, "Ed Issued", days_ago=5
        ),
    }


# --- counts --------------------------------------------------------------------------


def test_the_counts_say_how_many_clients_are_in_each_state(priya, caseload):
    assert access.clients_for(priya.user).state_counts() == {
        CaseState.INVITED: 1,
        CaseState.NO_QUESTIONNAIRE: 1,
        CaseState.IN_PROGRESS: 2,  # in progress and reopened
        CaseState.SUBMITTED: 1,
        CaseState.IN_REVIEW: 1,
        CaseState.READY_FOR_ADVICE: 1,
        CaseState.SUMMARY_ISSUED: 1,
    }


def test_each_count_is_a_link_that_filters_the_table(client, priya, caseload):
    page = dashboard(client, priya.user).content.decode()
    nav = page.split('aria-label="Clients by state"')[1].split("</nav>")[0]
    assert re.search(
        r'href="\?state=submitted"[^>]*>\s*<span[^>]*>\s*<span[^>]*>1<', nav
    )
    for label in ("Invited", "In progress", "In review", "Ready for advice"):
        assert label in nav
    assert names_in_table(dashboard(client, priya.user, state="submitted")) == [
        "Sam Submitted"
    ]


def test_the_chosen_count_is_marked_as_current(client, priya, caseload):
    page = dashboard(client, priya.user, state="in_review").content.decode()
    assert re.search(r'href="\?state=in_review"\s+aria-current="true"', page)


def test_in_progress_includes_questionnaires_reopened_for_the_client(
    client, priya, caseload
):
    response = dashboard(client, priya.user, state="in_progress")
    assert sorted(names_in_table(response)) == ["Paul Progress", "Rita Reopened"]


def test_a_client_without_a_password_is_invited_even_with_a_questionnaire_sent(priya):
    ivy = client_in(priya, CaseState.INVITED, "Ivy Invited")
    ResponseFactory(client=ivy)
    assert access.clients_for(priya.user).case_rows().get().state == CaseState.INVITED


def test_every_questionnaire_status_is_a_case_state():
    """A client's state is their latest response's status, so each must have a name."""
    assert set(ResponseStatus.values) <= set(CaseState.values)


@pytest.mark.parametrize("state", ["", *Client.COUNTED_STATES, "no-such-state"])
def test_the_counts_say_how_many_rows_each_filter_gives(priya, caseload, state):
    clients = access.clients_for(priya.user)
    counts = clients.state_counts()
    assert counts.rows(state) == clients.case_rows(state=state).count()


def test_a_row_opens_the_case_page_once_its_questionnaire_is_submitted(priya, caseload):
    opens = {
        str(row): row.has_case_page
        for row in access.clients_for(priya.user).case_rows()
    }
    assert opens == {
        "Ivy Invited": False,
        "Nora None": False,
        "Paul Progress": False,
        "Rita Reopened": False,
        "Sam Submitted": True,
        "Ian Review": True,
        "Ruth Ready": True,
        "Ed Issued": True,
    }


def test_a_client_s_open_findings_are_counted_highest_first_without_zeros():
    client = Client(case_open_info=4, case_open_refer=1, case_open_major=0)
    assert [(s.value, n) for s, n in client.open_findings()] == [
        ("refer", 1),
        ("info", 4),
    ]


# --- the table ------------------------------------------------------------------------


def test_the_table_shows_state_submitted_date_and_progress(client, priya, caseload):
    ResponseFactory(
        client=client_in(priya, CaseState.NO_QUESTIONNAIRE, "Zoe Zed"), step_reached=4
    )
    page = dashboard(client, priya.user).content.decode()
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    assert "In progress (step 4)" in page
    assert "Reopened for the client" in page
    submitted = caseload["Sam Submitted"].responses.get().submitted_at
    assert timezone.localtime(submitted).strftime("%-d %b %Y") in page


def test_submitted_cases_link_to_the_case_page_and_others_to_the_client(
    client, priya, caseload
):
    page = dashboard(client, priya.user).content.decode()
    for name in ("Sam Submitted", "Ian Review", "Ruth Ready", "Ed Issued"):
        code = caseload[name].responses.get().code
        assert f'<a href="/cases/{code}/">{name}</a>' in page
    for name in ("Ivy Invited", "Nora None", "Paul Progress", "Rita Reopened"):
        url = caseload[name].get_absolute_url()
        assert f'<a href="{url}">{name}</a>' in page


def test_badges_count_current_undecided_findings_of_the_latest_response(client, priya):
    margaret = client_in(priya, CaseState.SUBMITTED, "Margaret Mills")
    older = margaret.responses.get()
    older.status = ResponseStatus.SUMMARY_ISSUED
    older.save()
    finding(older, "refer")  # an earlier questionnaire's: not this case
    latest = ResponseFactory(client=margaret, submitted=True)
    finding(latest, "refer")
    finding(latest, "refer")
    finding(latest, "major")
    finding(latest, "minor")
    finding(latest, "major", decision=Decision.DISMISSED, decision_note="Not taken")
    finding(latest, "refer", withdrawn_at=timezone.now())

    page = dashboard(client, priya.user).content.decode()

    assert '<span class="badge severity severity-refer">2 refer</span>' in page
    assert '<span class="badge severity severity-major">1 major</span>' in page
    assert '<span class="badge severity severity-minor">1 minor</span>' in page
    assert "moderate</span>" not in page


def test_a_client_with_nothing_to_decide_says_none(client, priya, caseload):
    page = dashboard(client, priya.user).content.decode()
    assert "1 refer" not in page
    assert ">None</span>" in page


def test_last_activity_is_the_latest_thing_that_happened(priya):
    sam = client_in(priya, CaseState.IN_REVIEW, "Sam Submitted", days_ago=10)
    row = access.clients_for(priya.user).case_rows().get()
    assert row.last_activity == sam.responses.get().last_saved_at
    acted = NOW - timedelta(hours=1)
    ReviewAction.objects.create(
        response=sam.responses.get(), kind=ActionKind.ACKNOWLEDGED, at=acted
    )
    refresh_case(sam)  # as Finding.decide() does
    assert access.clients_for(priya.user).case_rows().get().last_activity == acted


def test_a_new_client_s_last_activity_is_when_they_were_added(priya):
    nora = client_in(priya, CaseState.NO_QUESTIONNAIRE, "Nora None")
    assert (
        access.clients_for(priya.user).case_rows().get().last_activity
        == nora.created_at
    )


# --- search, filter, sort, pages -----------------------------------------------------


def test_search_finds_clients_by_part_of_their_name(client, priya, caseload):
    assert names_in_table(dashboard(client, priya.user, q="  rEAD ")) == ["Ruth Ready"]
    page = dashboard(client, priya.user, q="nobody").content.decode()
    assert "No clients match" in page


def test_search_and_filter_combine(client, priya, caseload):
    client_in(priya, CaseState.SUBMITTED, "Sam Smith")
    response = dashboard(client, priya.user, q="sam", state="submitted")
    assert sorted(names_in_table(response)) == ["Sam Smith", "Sam Submitted"]
    assert (
        names_in_table(dashboard(client, priya.user, q="smith", state="in_review"))
        == []
    )


def test_every_control_has_a_label(client, priya, caseload):
    page = dashboard(client, priya.user).content.decode()
    form = page.split('role="search"')[1].split("</form>")[0]
    for control_id in re.findall(r'<(?:input|select)[^>]*id="([^"]+)"', form):
        assert f'<label class="form-label" for="{control_id}">' in form
    assert 'type="search"' in form


def test_by_default_undecided_red_flags_then_major_findings_come_first(
    client, priya, caseload
):
    ian = caseload["Ian Review"].responses.get()
    finding(ian, "major")
    ed = caseload["Ed Issued"].responses.get()
    finding(ed, "refer")
    finding(caseload["Ruth Ready"].responses.get(), "major", decision="acknowledged")
    page = dashboard(client, priya.user)
    names = names_in_table(page)
    # Red flag, then major, then the cases waiting longest for the practitioner,
    # then everyone else by latest activity.
    assert names[:4] == ["Ed Issued", "Ian Review", "Ruth Ready", "Sam Submitted"]
    assert "sorted by most urgent first" in page.content.decode()


def test_clients_with_the_same_name_are_told_apart(client, priya):
    import datetime

    for email, born in (
        ("joan.w@example.com", datetime.date(1952, 3, 12)),
        ("joan.whitfield@example.net", datetime.date(1960, 7, 1)),
    ):
        person = client_in(priya, CaseState.SUBMITTED, "Joan Whitfield", email=email)
        person.date_of_birth = born
        person.save(update_fields=["date_of_birth"])
    page = dashboard(client, priya.user).content.decode()
    assert "joan.w@example.com" in page and "born 12 Mar 1952" in page
    assert "joan.whitfield@example.net" in page and "born 1 Jul 1960" in page


def test_sorting_by_activity_puts_the_most_recent_first(client, priya, caseload):
    names = names_in_table(dashboard(client, priya.user, sort="activity"))
    # The two without a questionnaire were added just now.
    assert names[2:] == [
        "Paul Progress",
        "Sam Submitted",
        "Ian Review",
        "Ruth Ready",
        "Ed Issued",
        "Rita Reopened",
    ]


def test_sorting_by_submitted_date_puts_unsubmitted_last(client, priya, caseload):
    newest = names_in_table(dashboard(client, priya.user, sort="submitted"))
    assert newest[:5] == [
        "Sam Submitted",
        "Ian Review",
        "Ruth Ready",
        "Ed Issued",
        "Rita Reopened",
    ]
    assert set(newest[5:]) == {"Ivy Invited", "Nora None", "Paul Progress"}
    oldest = names_in_table(dashboard(client, priya.user, sort="submitted-oldest"))
    assert oldest[:5] == list(reversed(newest[:5]))


def test_sorting_by_name(client, priya, caseload):
    assert names_in_table(dashboard(client, priya.user, sort="name")) == sorted(
        caseload
    )


def test_unknown_parameters_are_ignored(client, priya, caseload):
    response = dashboard(client, priya.user, state="bogus", sort="bogus", page="x")
    assert len(names_in_table(response)) == len(caseload)


def test_the_table_shows_25_clients_a_page_with_links_that_keep_the_filters(
    client, priya
):
    for n in range(30):
        client_in(priya, CaseState.SUBMITTED, f"Client {n:02}", days_ago=n)
    first = dashboard(client, priya.user, state="submitted", sort="name")
    assert names_in_table(first)[0] == "Client 00"
    assert len(names_in_table(first)) == 25
    page = first.content.decode()
    assert 'aria-label="Pages of clients"' in page
    assert 'aria-current="page"' in page
    assert 'href="?state=submitted&amp;sort=name&amp;page=2" rel="next"' in page
    assert "page 1 of 2" in page

    second = dashboard(client, priya.user, state="submitted", sort="name", page=2)
    assert names_in_table(second) == [f"Client {n}" for n in range(25, 30)]
    assert 'rel="prev"' in second.content.decode()


# --- who may see it ------------------------------------------------------------------


def test_omar_sees_none_of_priyas_clients(client, omar, priya, caseload, bob):
    response = dashboard(client, omar.user)
    assert names_in_table(response) == ["Bob Brown"]
    page = response.content.decode()
    assert not any(name in page for name in caseload)
    counts = access.clients_for(omar.user).state_counts()
    assert sum(counts.values()) == 1


@pytest.mark.parametrize("who", ["alice", "ada"])
def test_clients_and_admins_get_404(client, request, who):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))
    assert client.get("/dashboard/").status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get("/dashboard/?state=submitted")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_practitioner_without_clients_is_invited_to_add_one(client, priya):
    page = dashboard(client, priya.user).content.decode()
    assert "You have no clients yet" in page
    assert "Invite a client" in page


# --- queries -------------------------------------------------------------------------


def busy_practice(practitioner, n: int) -> None:
    """n clients in turn in each state, the submitted ones with findings and actions."""
    states = list(CaseState)
    for i in range(n):
        state = states[i % len(states)]
        person = client_in(practitioner, state, f"Client {i:03}", days_ago=i)
        response = person.responses.first()
        if response and response.submitted_at:
            finding(response, "refer")
            finding(response, "moderate")
            ReviewAction.objects.create(response=response, kind=ActionKind.REMATCHED)
            refresh_case(person)


def queries_for_dashboard(client, user, **params) -> list[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/", params).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("params", [{}, {"state": "submitted", "q": "client"}])
def test_the_query_count_does_not_grow_with_the_number_of_clients(
    client, priya, omar, django_assert_max_num_queries, params
):
    busy_practice(priya, 5)
    busy_practice(omar, 50)
    few = queries_for_dashboard(client, priya.user, **params)
    client.force_login(omar.user)
    # One of them is the new evidence list (tests/test_new_evidence.py).
    with django_assert_max_num_queries(7):
        response = client.get("/dashboard/", params)
    assert response.context["page"].paginator.count > 5
    many = queries_for_dashboard(client, omar.user, **params)
    assert len(few) == len(many), "\n".join(many)
