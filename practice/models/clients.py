"""Clients: their profile, the stored summary of their case that the dashboard
reads, and the queries over a practitioner's clients."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from practice.models.accounts import Practitioner

if TYPE_CHECKING:
    from questionnaires.models import Severity


class ClientErased(Exception):
    """An erased client can be sent nothing: no invitation, questionnaire or email."""


class CaseState(models.TextChoices):
    """Where a client is on the way from invitation to advice summary: their latest
    questionnaire's status, or where they are before they have one."""

    INVITED = "invited", "Invited"
    NO_QUESTIONNAIRE = "no_questionnaire", "No questionnaire sent"
    IN_PROGRESS = "in_progress", "In progress"
    REOPENED = "reopened", "Reopened for the client"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    READY_FOR_ADVICE = "ready_for_advice", "Ready for advice"
    SUMMARY_ISSUED = "summary_issued", "Summary issued"


class CaseOrder(models.TextChoices):
    """How the dashboard sorts a practitioner's clients."""

    URGENCY = "urgency", "Most urgent first"
    LAST_ACTIVITY = "activity", "Last activity, newest first"
    SUBMITTED = "submitted", "Submitted, newest first"
    SUBMITTED_OLDEST = "submitted-oldest", "Submitted, oldest first"
    NAME = "name", "Name"


class CaseCounts(dict[str, int]):
    """How many clients are in each state the dashboard counts, zeros included."""

    def rows(self, state: str = "") -> int:
        """How many rows `case_rows` gives for this state filter without a search,
        from the counts already made: the page need not count its rows again."""
        if state in Client.COUNTED_STATES:
            return self[state]
        return sum(self.values())


class ClientQuerySet(models.QuerySet):
    """Clients, and the practitioner's dashboard of their cases.

    A case's state, submission, last activity and open red flags are stored on
    the client (questionnaires/case_summary.py keeps them true), so that a page,
    its counts and its search read a practitioner's index entries, however many
    clients the practice has.
    """

    SEARCH_MAX_LENGTH = 100

    def for_practitioner(self, practitioner: Practitioner) -> ClientQuerySet:
        return self.filter(practitioner=practitioner)

    def case_rows(
        self, *, search: str = "", state: str = "", sort: str = ""
    ) -> ClientQuerySet:
        """The dashboard's rows: these clients with state, findings and activity.

        `state` is a key of Client.COUNTED_STATES: "in_progress" includes reopened
        questionnaires, as its count does. Unknown `state` and `sort` values are
        ignored.
        """
        rows = (
            self.select_related(None)
            .select_related("user")
            .annotate(
                state=F("case_state"),
                latest_code=F("case_response__code"),
                latest_step=F("case_response__step_reached"),
                submitted_at=F("case_submitted_at"),
                last_activity=F("case_activity_at"),
            )
        )
        if search := search.strip()[: self.SEARCH_MAX_LENGTH]:
            # A trigram index on PostgreSQL (practice/migrations/0008) serves these.
            rows = rows.filter(
                Q(user__full_name__icontains=search) | Q(user__email__icontains=search)
            )
        if state in Client.COUNTED_STATES:
            rows = rows.filter(case_state__in=Client.COUNTED_STATES[state])
        return rows.order_by(*_case_ordering(sort))

    def state_counts(self) -> CaseCounts:
        """How many of these clients are in each counted state, zeros included
        (one GROUP BY over an index)."""
        per_state = dict(
            self.order_by()
            .values_list("case_state")
            # Not COUNT(id): the index alone answers COUNT(*).
            .annotate(n=Count("*"))
        )
        return CaseCounts(
            {
                counted: sum(per_state.get(s, 0) for s in states)
                for counted, states in Client.COUNTED_STATES.items()
            }
        )


def _case_ordering(sort: str) -> list:
    """Each order but the name's reads an index of Client (after the
    practitioner); ties go to the client added first, not by name, so that a page
    is found without reading users (docs/decisions.md)."""
    if sort == CaseOrder.NAME:
        return ["user__full_name", "pk"]
    if sort == CaseOrder.SUBMITTED:
        return [F("case_submitted_at").desc(nulls_last=True), "pk"]
    if sort == CaseOrder.SUBMITTED_OLDEST:
        return [F("case_submitted_at").asc(nulls_last=True), "pk"]
    if sort == CaseOrder.LAST_ACTIVITY:
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


class Client(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="client_profile",
    )
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
        help_text="The practitioner who sees this client's records.",
    )
    date_of_birth = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the client's personal data is erased; they can be sent nothing after.
    erased_at = models.DateTimeField(null=True, blank=True)
    # Where the client's case stands, stored so that the dashboard can filter, sort
    # and count by index however many clients there are. Derived data: only
    # questionnaires/case_summary.py writes it (docs/decisions.md, "The dashboard
    # reads a stored case summary").
    case_state = models.CharField(
        max_length=20, choices=CaseState.choices, default=CaseState.INVITED
    )
    case_response = models.ForeignKey(
        "questionnaires.Response",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client's latest questionnaire.",
    )
    case_submitted_at = models.DateTimeField(null=True, blank=True)
    # The submission time while the case waits for the practitioner, else null.
    case_waiting_since = models.DateTimeField(null=True, blank=True)
    case_activity_at = models.DateTimeField(default=timezone.now)
    # Findings of the latest questionnaire still to decide, by severity (the
    # first two sort the most urgent first; all five are the row's badges).
    case_open_refer = models.PositiveIntegerField(default=0)
    case_open_major = models.PositiveIntegerField(default=0)
    case_open_moderate = models.PositiveIntegerField(default=0)
    case_open_minor = models.PositiveIntegerField(default=0)
    case_open_info = models.PositiveIntegerField(default=0)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["user__full_name"]
        # The dashboard's sorts and filters, always within one practitioner's
        # clients, so that a page reads 25 index entries rather than every client.
        indexes = [
            models.Index(
                fields=["practitioner", "case_state", "-case_activity_at"],
                name="client_case_state",
            ),
            models.Index(
                fields=["practitioner", "-case_activity_at"],
                name="client_case_activity",
            ),
            models.Index(
                fields=[
                    "practitioner",
                    "-case_open_refer",
                    "-case_open_major",
                    "case_waiting_since",
                    "-case_activity_at",
                ],
                name="client_case_urgency",
            ),
            # Submitted oldest first; newest first (unsubmitted last too, so DESC
            # NULLS LAST, which SQLite cannot index) is made on PostgreSQL only
            # by practice/migrations/0008.
            models.Index(
                fields=["practitioner", "case_submitted_at"],
                name="client_case_submitted",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    def get_absolute_url(self) -> str:
        return reverse("practice:client-detail", args=[self.code])

    #: What the dashboard counts and filters by, in the order a case moves. A
    #: reopened questionnaire is with the client again, so it counts as in progress.
    COUNTED_STATES: dict[str, tuple[CaseState, ...]] = {
        CaseState.INVITED: (CaseState.INVITED,),
        CaseState.NO_QUESTIONNAIRE: (CaseState.NO_QUESTIONNAIRE,),
        CaseState.IN_PROGRESS: (CaseState.IN_PROGRESS, CaseState.REOPENED),
        CaseState.SUBMITTED: (CaseState.SUBMITTED,),
        CaseState.IN_REVIEW: (CaseState.IN_REVIEW,),
        CaseState.READY_FOR_ADVICE: (CaseState.READY_FOR_ADVICE,),
        CaseState.SUMMARY_ISSUED: (CaseState.SUMMARY_ISSUED,),
    }
    #: The latest questionnaire has been submitted: the case page shows it.
    SUBMITTED_STATES = frozenset(
        {
            CaseState.SUBMITTED,
            CaseState.IN_REVIEW,
            CaseState.READY_FOR_ADVICE,
            CaseState.SUMMARY_ISSUED,
        }
    )
    #: The practitioner's move: the client has sent it and no summary is issued yet.
    WAITING_STATES = (
        CaseState.SUBMITTED,
        CaseState.IN_REVIEW,
        CaseState.READY_FOR_ADVICE,
    )

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def has_joined(self) -> bool:
        """True once the client has set a password through their invitation."""
        return self.user.has_usable_password()

    @property
    def has_case_page(self) -> bool:
        """Whether the client's latest questionnaire has been submitted, so that
        their name on the dashboard opens its case page."""
        return (
            self.case_state in self.SUBMITTED_STATES
            and self.case_response_id is not None
        )

    def open_findings(self) -> list[tuple[Severity, int]]:
        """How many findings of the latest questionnaire wait for a decision, by
        severity, highest first; severities with none are left out."""
        # Imported here: the findings' models are built on this one.
        from questionnaires.models import Severity

        counts = ((s, getattr(self, f"case_open_{s.value}")) for s in Severity)
        return [(severity, n) for severity, n in counts if n]
