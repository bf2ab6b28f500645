"""The practitioner's home: counts of cases by state and a table of their clients."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from practice import access
from practice.models import Role
from questionnaires import cases, new_evidence
from questionnaires.cases import CaseState, SortOrder

PAGE_SIZE = 25

COUNT_LABELS = {
    CaseState.INVITED: "Invited",
    CaseState.IN_PROGRESS: "In progress",
    CaseState.SUBMITTED: "Submitted",
    CaseState.IN_REVIEW: "In review",
    CaseState.READY_FOR_ADVICE: "Ready for advice",
    CaseState.SUMMARY_ISSUED: "Summary issued",
}
STATE_FILTER_CHOICES = [
    ("", "All states"),
    *((state.value, label) for state, label in COUNT_LABELS.items()),
    (CaseState.NO_QUESTIONNAIRE.value, CaseState.NO_QUESTIONNAIRE.label),
]


class SearchInput(forms.TextInput):
    input_type = "search"


class DashboardFilters(forms.Form):
    """The table's search, filter and sort, read from the query string."""

    q = forms.CharField(
        label="Name or email",
        required=False,
        max_length=cases.SEARCH_MAX_LENGTH,
        widget=SearchInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=STATE_FILTER_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=SortOrder.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


@access.role_required(Role.PRACTITIONER)
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = DashboardFilters(request.GET)
    filters.is_valid()  # a field with a value it does not know is simply left out
    chosen = filters.cleaned_data
    sort = chosen.get("sort") or SortOrder.URGENCY
    rows = cases.case_rows(
        request.user,
        search=chosen.get("q", ""),
        state=chosen.get("state", ""),
        sort=sort,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.badges = cases.severity_badges(row)
        row.link = (
            reverse("questionnaires:case", args=[row.latest_code])
            if cases.links_to_case(row)
            else row.get_absolute_url()
        )
        row.state_label = CaseState(row.state).label
    counts = cases.state_counts(request.user)
    return render(
        request,
        "questionnaires/dashboard.html",
        {
            "filters": filters,
            "chosen_state": chosen.get("state", ""),
            "is_filtered": bool(chosen.get("q") or chosen.get("state")),
            "sort_label": SortOrder(sort).label,
            "counts": [
                (state, label, counts[state]) for state, label in COUNT_LABELS.items()
            ],
            "has_clients": any(counts.values()),
            "new_evidence": new_evidence.waiting_for(request.user),
            "page": page,
            "page_range": page.paginator.get_elided_page_range(
                page.number, on_each_side=1, on_ends=1
            ),
        },
    )
