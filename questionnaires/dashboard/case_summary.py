"""Each client's case summary, stored on the client for the dashboard.

The dashboard filters, sorts and counts a practitioner's clients by where their
case stands. Working that out from every client's responses on every request made
its cost grow with the practice (issue 15), so it is stored on the client
(`Client.case_*`) and worked out again here whenever something it depends on
changes: a move of the state machine, a questionnaire sent, findings stored or
decided, an invitation sent or accepted, a client added or erased. A saved draft
only moves the last activity on, which `note_activity` does without the rest.

The rules are the ones the dashboard used to apply on every request;
tests/test_case_summary.py works them out again in Python for clients at every
stage and compares.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from django.apps import apps as global_apps
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connections, models, router, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.db.models.lookups import Exact, In, IsNull
from django.db.models.sql import UpdateQuery

from practice.models import CaseState, Client, Role
from questionnaires.models import Decision, Severity

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def refresh(*client_ids: int) -> None:
    """Work out these clients' case summaries again and store them."""
    # Usually inside the caller's transaction: no savepoint of its own to pay for.
    with transaction.atomic(savepoint=False):
        # Locked first: each statement reads what was committed before it began,
        # so a change to the same client committing meanwhile is seen, not lost.
        locked = Client.objects.select_for_update().filter(pk__in=client_ids)
        list(locked.order_by("pk").values_list("pk", flat=True))
        ids = tuple(dict.fromkeys(client_ids))
        using = router.db_for_write(Client)
        sql, params = _update_statement(connections[using].vendor, using, len(ids))
        with connections[using].cursor() as cursor:
            cursor.execute(sql, (*params, *ids))


@functools.cache
def _update_statement(vendor: str, using: str, count: int) -> tuple[str, tuple]:
    """The UPDATE that `refresh_all` makes for `count` clients, as SQL and the
    parameters before the clients' ids, built once per process.

    Building it is most of a refresh's cost (about 9 ms of Python for some thirty
    subqueries, paid twice when a summary is issued), and it never changes: every
    value in it is a constant. `vendor` is in the key as the SQL is the backend's.
    """
    marks = tuple(range(-count, 0))  # no client has these ids
    query = Client.objects.filter(pk__in=marks).query.chain(UpdateQuery)
    query.add_update_values(stored_values())
    sql, params = query.get_compiler(using).as_sql()
    if tuple(params[-count:]) != marks:
        raise AssertionError("the clients' ids are not the UPDATE's last parameters")
    return sql, tuple(params[:-count])


def refresh_all(clients: QuerySet, apps=global_apps) -> int:
    """Store the case summary of every one of `clients` in one statement, without
    locks: for loading data and for migrations (which pass their `apps`)."""
    return clients.update(**stored_values(apps))


def note_activity(client_id: int, at: datetime) -> None:
    """Move the client's last activity on to `at` (a draft was saved). Never back:
    of two saves at once, the later time stays."""
    Client.objects.filter(pk=client_id).update(
        case_activity_at=Greatest(
            F("case_activity_at"), Value(at, output_field=DateTimeField())
        )
    )


def on_sign_in(sender, request, user, **kwargs) -> None:
    """A client who signs in has a password, however they set it (the invitation, a
    password reset, the admin): no longer "invited"."""
    if user.role != Role.CLIENT:
        return
    invited = Client.objects.filter(user=user, case_state=CaseState.INVITED)
    if ids := list(invited.values_list("pk", flat=True)):
        refresh(*ids)


def stored_values(apps=global_apps) -> dict[str, models.Expression]:
    """The SQL for each stored field, for an UPDATE of clients."""
    response_model = apps.get_model("questionnaires", "Response")
    latest = response_model.objects.filter(client=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    status = Subquery(latest.values("status")[:1])
    submitted_at = Subquery(latest.values("submitted_at")[:1])
    return {
        "case_response": Subquery(latest.values("pk")[:1]),
        "case_state": _state(apps, status),
        "case_submitted_at": submitted_at,
        "case_waiting_since": Case(
            When(In(status, Client.WAITING_STATES), then=submitted_at),
            default=None,
            output_field=DateTimeField(),
        ),
        "case_activity_at": _last_activity(apps),
        **{f"case_open_{s.value}": _open_findings(apps, s) for s in Severity},
    }


def _state(apps, status: Subquery) -> Case:
    """A client who has not set a password yet is "invited" until something was
    submitted for them (a submission says more than the account does); without a
    questionnaire, "no questionnaire"; otherwise their latest one's status."""
    user_model = apps.get_model("practice", "User")
    not_joined = Exists(
        user_model.objects.filter(
            pk=OuterRef("user_id"), password__startswith=UNUSABLE_PASSWORD_PREFIX
        )
    )
    not_submitted = IsNull(status, True) | Exact(status, CaseState.IN_PROGRESS)
    return Case(
        When(not_joined & not_submitted, then=Value(CaseState.INVITED.value)),
        When(IsNull(status, True), then=Value(CaseState.NO_QUESTIONNAIRE.value)),
        default=status,
        output_field=models.CharField(),
    )


def _open_findings(apps, severity: str) -> Coalesce:
    """How many current findings of this severity on the latest questionnaire wait
    for a decision."""
    response_model = apps.get_model("questionnaires", "Response")
    finding_model = apps.get_model("questionnaires", "Finding")
    latest = response_model.objects.filter(client=OuterRef(OuterRef("pk"))).order_by(
        "-created_at", "-pk"
    )
    findings = (
        finding_model.objects.filter(
            response=Subquery(latest.values("pk")[:1]),
            severity=severity,
            withdrawn_at=None,
            decision=Decision.UNDECIDED,
        )
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(findings, output_field=IntegerField()), 0)


def _newest(queryset: QuerySet, field: str) -> Subquery:
    """The newest value of `field` in `queryset` (already scoped to one client)."""
    newest = queryset.filter(**{f"{field}__isnull": False}).order_by(f"-{field}")
    return Subquery(newest.values(field)[:1], output_field=DateTimeField())


def _last_activity(apps) -> Coalesce:
    """The latest thing that happened to the client or their questionnaires, or
    when the client was added if nothing has yet.

    A missing part counts as long ago, because SQLite's MAX() is NULL if any
    argument is.
    """
    model = apps.get_model
    responses = model("questionnaires", "Response").objects.filter(
        client=OuterRef("pk")
    )
    events = model("questionnaires", "ResponseEvent").objects.filter(
        response__client=OuterRef("pk")
    )
    actions = model("questionnaires", "ReviewAction").objects.filter(
        response__client=OuterRef("pk")
    )
    invitations = model("practice", "Invitation").objects.filter(client=OuterRef("pk"))
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
