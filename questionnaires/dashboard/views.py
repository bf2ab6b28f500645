"""The practitioner's home: counts of cases by state and a table of their clients."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from uuid import UUID

from django import forms
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language

from practice import access
from practice.models import CaseOrder, CaseState, Client, ClientQuerySet, Role
from questionnaires.dashboard import new_evidence
from questionnaires.models import Severity

PAGE_SIZE = 25

COUNT_LABELS = {
    CaseState.INVITED: "Invited",
    CaseState.IN_PROGRESS: "In progress",
    CaseState.SUBMITTED: "Submitted",
    CaseState.IN_REVIEW: "In review",
    CaseState.READY_FOR_ADVICE: "Ready for advice",
    CaseState.SUMMARY_ISSUED: "Summary issued",
}
# What the table reads of a client and their user, beside case_rows' annotations:
# loading the other columns was a quarter of the page query's cost in the worker.
TABLE_COLUMNS = (
    "code",
    "case_state",
    "case_response",
    "date_of_birth",
    *(f"case_open_{severity.value}" for severity in Severity),
    "user__full_name",
    "user__email",
)
# A row in one of these says which step the client has reached.
IN_PROGRESS_STATES = Client.COUNTED_STATES[CaseState.IN_PROGRESS]
STATE_FILTER_CHOICES = [
    ("", "All states"),
    *((state.value, label) for state, label in COUNT_LABELS.items()),
    (CaseState.NO_QUESTIONNAIRE.value, CaseState.NO_QUESTIONNAIRE.label),
]


class KeptMarkup(forms.Widget):
    """A filter's widget whose markup is rendered once per value it keeps.

    A filter's markup depends only on its value, and rendering the fields through
    Django's widget templates (a template per option) was a fifth of the page's
    rendering. Other values are rendered every time.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kept: dict[tuple, str] = {}  # shared by the copies each form makes

    def keeps(self, value: str) -> bool:
        return not value

    def render(self, name, value, attrs=None, renderer=None) -> str:
        if not self.keeps(value or ""):
            return super().render(name, value, attrs, renderer)
        key = (name, value or "", tuple(sorted((attrs or {}).items())), get_language())
        html = self.kept.get(key)
        if html is None:
            html = self.kept[key] = super().render(name, value, attrs, renderer)
        return html


class SearchInput(KeptMarkup, forms.TextInput):
    """Kept when empty: a search's own text is not worth keeping."""

    input_type = "search"


class KeptSelect(KeptMarkup, forms.Select):
    """Kept for each of its choices, which are fixed."""

    def keeps(self, value: str) -> bool:
        return not value or value in {str(v) for v, _ in self.choices}


class DashboardFilters(forms.Form):
    """The table's search, filter and sort, read from the query string."""

    q = forms.CharField(
        label="Name or email",
        required=False,
        max_length=ClientQuerySet.SEARCH_MAX_LENGTH,
        widget=SearchInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=STATE_FILTER_CHOICES,
        widget=KeptSelect(attrs={"class": "form-select"}),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=CaseOrder.choices,
        widget=KeptSelect(attrs={"class": "form-select"}),
    )


@access.role_required(Role.PRACTITIONER)
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = DashboardFilters(request.GET)
    filters.is_valid()  # a field with a value it does not know is simply left out
    chosen = filters.cleaned_data
    sort = chosen.get("sort") or CaseOrder.URGENCY
    search, state = chosen.get("q", ""), chosen.get("state", "")
    clients = access.clients_for(request.user)
    counts = clients.state_counts()
    rows = clients.case_rows(search=search, state=state, sort=sort)
    rows = rows.only(*TABLE_COLUMNS)
    paginator = CasePaginator(rows, PAGE_SIZE)
    if not search.strip():
        # Known from the counts: counting her clients again would read them all.
        paginator.count = counts.rows(state)
    page = paginator.get_page(request.GET.get("page"))
    show_rows(page)
    return render(
        request,
        "questionnaires/dashboard.html",
        {
            "filters": filters,
            "chosen_state": state,
            "is_filtered": bool(search or state),
            "sort_label": CaseOrder(sort).label,
            "counts": [
                (key, label, counts[key]) for key, label in COUNT_LABELS.items()
            ],
            "has_clients": any(counts.values()),
            "new_evidence": new_evidence.waiting_for(request.user),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
        },
    )


class CasePaginator(Paginator):
    """Finds a page's clients in the index alone, then loads those 25 with their
    users and latest questionnaires: a page far on joins no more rows than the
    first. Give it `count` when it is known (see `CaseCounts.rows`)."""

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.object_list.values("pk")[bottom : bottom + self.per_page]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def show_rows(page: Page[Client]) -> None:
    """Give each row of the page what its cells show, worked out in Python.

    The table is most of the page's rendering: in the template, each row's four
    dates through the `date` filter, its links through `reverse()` and its labels
    cost several times what these few lines do.
    """
    case_url = url_with_code("questionnaires:case")
    client_url = url_with_code("practice:client-detail")
    for row in page:
        row.link = (
            case_url(row.latest_code) if row.has_case_page else client_url(row.code)
        )
        row.state_text = CaseState(row.state).label
        if row.state in IN_PROGRESS_STATES and row.latest_step:
            row.state_text += f" (step {row.latest_step})"
        row.badges = [
            (severity.value, f"{n} {severity.label.lower()}")
            for severity, n in row.open_findings()
        ]
        row.born = day_text(row.date_of_birth) if row.date_of_birth else ""
        if row.submitted_at:
            submitted = timezone.localtime(row.submitted_at)
            row.submitted_iso = submitted.isoformat()
            row.submitted_text = day_text(submitted)
        activity = timezone.localtime(row.last_activity)
        row.activity_iso = activity.isoformat()
        row.activity_text = f"{day_text(activity)}, {activity:%H:%M}"


def url_with_code(name: str) -> Callable[[UUID], str]:
    """The URL `name` for any code, reversed once: a code only fills its slot."""
    marker = UUID(int=0)
    before, _, after = reverse(name, args=[marker]).partition(str(marker))
    return lambda code: f"{before}{code}{after}"


def day_text(day: datetime.date) -> str:
    """The day as the `date` filter writes it with "j M Y" ("7 Mar 2026"), in a
    fraction of its time; a datetime must be in local time already."""
    return f"{day.day} {MONTHS_3[day.month].title()} {day.year:04d}"
