"""The practitioner's dashboard: each client's case state, findings and last activity.

The state, submission, last activity and open red flags are stored on the client
(questionnaires/case_summary.py keeps them true), so that a page, its counts and its
search read a practitioner's index entries, however many clients the practice has.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, F, Q, QuerySet

from practice import access
from practice.models import CaseState, Client, User
from questionnaires.models import Severity


class SortOrder(models.TextChoices):
    URGENCY = "urgency", "Most urgent first"
    LAST_ACTIVITY = "activity", "Last activity, newest first"
    SUBMITTED = "submitted", "Submitted, newest first"
    SUBMITTED_OLDEST = "submitted-oldest", "Submitted, oldest first"
    NAME = "name", "Name"


# What the dashboard counts and filters by, in the order a case moves. A reopened
# questionnaire is with the client again, so it counts as in progress.
COUNTED_STATES: dict[str, tuple[CaseState, ...]] = {
    CaseState.INVITED: (CaseState.INVITED,),
    CaseState.NO_QUESTIONNAIRE: (CaseState.NO_QUESTIONNAIRE,),
    CaseState.IN_PROGRESS: (CaseState.IN_PROGRESS, CaseState.REOPENED),
    CaseState.SUBMITTED: (CaseState.SUBMITTED,),
    CaseState.IN_REVIEW: (CaseState.IN_REVIEW,),
    CaseState.READY_FOR_ADVICE: (CaseState.READY_FOR_ADVICE,),
    CaseState.SUMMARY_ISSUED: (CaseState.SUMMARY_ISSUED,),
}

# A response in one of these has been submitted: its row opens the case page.
CASE_STATES = frozenset(
    {
        CaseState.SUBMITTED,
        CaseState.IN_REVIEW,
        CaseState.READY_FOR_ADVICE,
        CaseState.SUMMARY_ISSUED,
    }
)

# The practitioner's move: the client has sent it and no summary is issued yet.
WAITING_STATES = (
    CaseState.SUBMITTED,
    CaseState.IN_REVIEW,
    CaseState.READY_FOR_ADVICE,
)

SEARCH_MAX_LENGTH = 100


def case_rows(
    user: User, *, search: str = "", state: str = "", sort: str = ""
) -> QuerySet[Client]:
    """The dashboard's rows: this user's clients with state, findings and activity.

    `state` is a key of COUNTED_STATES: "in_progress" includes reopened
    questionnaires, as its count does. Unknown `state` and `sort` values are ignored.
    """
    rows = (
        access.clients_for(user)
        .select_related(None)
        .select_related("user")
        .annotate(
            state=F("case_state"),
            latest_code=F("case_response__code"),
            latest_step=F("case_response__step_reached"),
            submitted_at=F("case_submitted_at"),
            last_activity=F("case_activity_at"),
        )
    )
    if search := search.strip()[:SEARCH_MAX_LENGTH]:
        # A trigram index on PostgreSQL (practice/migrations/0008) serves these.
        rows = rows.filter(
            Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
        )
    if state in COUNTED_STATES:
        rows = rows.filter(case_state__in=COUNTED_STATES[state])
    return rows.order_by(*_ordering(sort))


def _ordering(sort: str) -> list:
    """Each order but the name's reads an index of Client (after the
    practitioner); ties go to the client added first, not by name, so that a page
    is found without reading users (docs/decisions.md)."""
    if sort == SortOrder.NAME:
        return ["user__full_name", "pk"]
    if sort == SortOrder.SUBMITTED:
        return [F("case_submitted_at").desc(nulls_last=True), "pk"]
    if sort == SortOrder.SUBMITTED_OLDEST:
        return [F("case_submitted_at").asc(nulls_last=True), "pk"]
    if sort == SortOrder.LAST_ACTIVITY:
        return [F("case_activity_at").desc(), "pk"]
    # Most urgent: undecided red flags, then undecided major findings, then the
    # cases waiting for the practitioner, longest-waiting first; everyone else by
    # latest activity.
    return [
        F("case_open_refer").desc(),
        F("case_open_major").desc(),
        F("case_waiting_since").asc(nulls_last=True),
        F("case_activity_at").desc(),
        "pk",
    ]


class CasePaginator(Paginator):
    """Finds a page's clients in the index alone, then loads those 25 with their
    users and latest questionnaires: a page far on joins no more rows than the
    first. Give it `count` when it is known (see `counted`)."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.object_list.values("pk")[bottom : bottom + self.per_page]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def state_counts(user: User) -> dict[str, int]:
    """How many of this user's clients are in each counted state, zeros included
    (one GROUP BY over an index)."""
    per_state = dict(
        access.clients_for(user)
        .order_by()
        .values_list("case_state")
        .annotate(n=Count("*"))  # not COUNT(id): the index alone answers COUNT(*)
    )
    return {
        counted: sum(per_state.get(s, 0) for s in states)
        for counted, states in COUNTED_STATES.items()
    }


def counted(counts: dict[str, int], state: str = "") -> int:
    """How many rows `case_rows` gives for this state filter without a search,
    from the counts already made: the page need not count its rows again."""
    if state in COUNTED_STATES:
        return counts[state]
    return sum(counts.values())


def severity_badges(row: Client) -> list[tuple[Severity, int]]:
    """The (severity, count) pairs of a row's undecided findings, highest first."""
    counts = ((s, getattr(row, f"case_open_{s.value}")) for s in Severity)
    return [(severity, n) for severity, n in counts if n]


def links_to_case(row: Client) -> bool:
    """Whether the row's name opens the case page rather than the client's page."""
    return row.state in CASE_STATES and row.latest_code is not None
