"""The practitioner's dashboard: each client's case state, findings and last activity.

Every row is built in one SQL query from subqueries on the client's latest response,
so the number of queries stays the same however many clients a practitioner has.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import models
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf

from practice import access
from practice.models import Client, Invitation, User
from questionnaires.models import (
    Finding,
    Response,
    ResponseEvent,
    ResponseStatus,
    ReviewAction,
    Severity,
)


class CaseState(models.TextChoices):
    """Where a client is on the way from invitation to advice summary."""

    INVITED = "invited", "Invited"
    NO_QUESTIONNAIRE = "no_questionnaire", "No questionnaire sent"
    IN_PROGRESS = "in_progress", "In progress"
    REOPENED = "reopened", "Reopened for the client"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    READY_FOR_ADVICE = "ready_for_advice", "Ready for advice"
    SUMMARY_ISSUED = "summary_issued", "Summary issued"


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
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def _latest(field: str, output_field: models.Field | None = None) -> Subquery:
    """One field of the client's latest response (the one they were last sent)."""
    latest = Response.objects.filter(client=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    return Subquery(latest.values(field)[:1], output_field=output_field)


def _newest(queryset: QuerySet, field: str) -> Subquery:
    """The newest value of `field` in `queryset` (already scoped to one client)."""
    newest = queryset.filter(**{f"{field}__isnull": False}).order_by(f"-{field}")
    return Subquery(newest.values(field)[:1], output_field=DateTimeField())


def _undecided(severity: Severity) -> Coalesce:
    """How many current findings of this severity on the latest response wait for a
    decision."""
    findings = (
        Finding.objects.undecided()
        .filter(response=OuterRef("latest_id"), severity=severity)
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(findings, output_field=IntegerField()), 0)


def _state() -> Case:
    """The case state as SQL, so that it can be counted, filtered and shown.

    A client who has not set a password yet is "invited" until something was
    submitted for them; a submission says more than the account does.
    """
    not_joined = Q(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    not_submitted = Q(latest_status=None) | Q(latest_status=ResponseStatus.IN_PROGRESS)
    return Case(
        When(not_joined & not_submitted, then=Value(CaseState.INVITED.value)),
        When(latest_status=None, then=Value(CaseState.NO_QUESTIONNAIRE.value)),
        default=F("latest_status"),
        output_field=models.CharField(),
    )


def _last_activity() -> Coalesce:
    """The latest thing that happened to the client or their questionnaires, or
    when the client was added if nothing has yet.

    A missing part counts as long ago, because SQLite's MAX() is NULL if any
    argument is.
    """
    responses = Response.objects.filter(client=OuterRef("pk"))
    events = ResponseEvent.objects.filter(response__client=OuterRef("pk"))
    actions = ReviewAction.objects.filter(response__client=OuterRef("pk"))
    invitations = Invitation.objects.filter(client=OuterRef("pk"))
    parts = [
        _newest(responses, "last_saved_at"),
        _newest(responses, "submitted_at"),
        _newest(responses, "created_at"),
        _newest(events, "at"),
        _newest(actions, "at"),
        _newest(invitations, "created_at"),
    ]
    long_ago = Value(LONG_AGO, output_field=DateTimeField())
    latest = Greatest(
        *(Coalesce(part, long_ago) for part in parts), output_field=DateTimeField()
    )
    return Coalesce(NullIf(latest, long_ago), F("created_at"))


def _annotated(user: User) -> QuerySet[Client]:
    """The clients this user may see, each with its case state annotated."""
    return (
        access.clients_for(user)
        .annotate(
            latest_id=_latest("pk"),
            latest_status=_latest("status"),
        )
        .annotate(state=_state())
    )


def case_rows(
    user: User, *, search: str = "", state: str = "", sort: str = ""
) -> QuerySet[Client]:
    """The dashboard's rows: this user's clients with state, findings and activity.

    `state` is a key of COUNTED_STATES: "in_progress" includes reopened
    questionnaires, as its count does. Unknown `state` and `sort` values are ignored.
    """
    rows = _annotated(user).annotate(
        latest_code=_latest("code"),
        latest_step=_latest("step_reached"),
        submitted_at=_latest("submitted_at", DateTimeField()),
        last_activity=_last_activity(),
        **{f"undecided_{s.value}": _undecided(s) for s in Severity},
    )
    if search := search.strip()[:SEARCH_MAX_LENGTH]:
        rows = rows.filter(
            Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
        )
    if state in COUNTED_STATES:
        rows = rows.filter(state__in=COUNTED_STATES[state])
    return rows.order_by(*_ordering(sort))


def _ordering(sort: str) -> list:
    by_name = ["user__full_name", "pk"]
    if sort == SortOrder.NAME:
        return by_name
    if sort == SortOrder.SUBMITTED:
        return [F("submitted_at").desc(nulls_last=True), *by_name]
    if sort == SortOrder.SUBMITTED_OLDEST:
        return [F("submitted_at").asc(nulls_last=True), *by_name]
    if sort == SortOrder.LAST_ACTIVITY:
        return [F("last_activity").desc(), *by_name]
    # Most urgent: undecided red flags, then undecided major findings, then the
    # cases waiting for the practitioner, longest-waiting first; everyone else by
    # latest activity.
    waiting = Case(
        When(state__in=WAITING_STATES, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return [
        F("undecided_refer").desc(),
        F("undecided_major").desc(),
        waiting.desc(),
        Case(When(state__in=WAITING_STATES, then=F("submitted_at"))).asc(),
        F("last_activity").desc(),
        *by_name,
    ]


def state_counts(user: User) -> dict[str, int]:
    """How many of this user's clients are in each counted state, zeros included."""
    per_state = dict(
        _annotated(user).order_by().values_list("state").annotate(n=Count("pk"))
    )
    return {
        counted: sum(per_state.get(s, 0) for s in states)
        for counted, states in COUNTED_STATES.items()
    }


def severity_badges(row: Client) -> list[tuple[Severity, int]]:
    """The (severity, count) pairs of a row's undecided findings, highest first."""
    counts = ((s, getattr(row, f"undecided_{s.value}", 0)) for s in Severity)
    return [(severity, n) for severity, n in counts if n]


def links_to_case(row: Client) -> bool:
    """Whether the row's name opens the case page rather than the client's page."""
    return row.state in CASE_STATES and row.latest_code is not None
