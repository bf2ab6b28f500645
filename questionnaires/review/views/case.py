"""The practitioner's case page: findings first, each decided inline; what each
entry was matched to (and matching by hand); symptoms; every answer; notes."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import access
from practice.audit import record
from practice.models import AuditAction, Role
from questionnaires.followups import visits as followup
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.interactions.matching import search
from questionnaires.models import (
    SEVERITY_ORDER,
    Finding,
    Response,
    Severity,
)
from questionnaires.review import actions as review
from questionnaires.review import overview as case_overview
from questionnaires.review.charts import Chart, VisitTable, symptom_chart, visit_table
from questionnaires.review.engine_facts import build_case_facts
from questionnaires.review.forms import (
    CloseCaseForm,
    DecisionForm,
    MatchForm,
    NoteForm,
    OpenCaseForm,
    ReopenForm,
    ReturnToForm,
)
from questionnaires.review.matches import entry_matches, understood_entries
from questionnaires.review.scores import symptom_scores

STAFF = (Role.PRACTITIONER, Role.ADMIN)
SEARCH_LIMIT = 8


@never_cache
@access.role_required(*STAFF)
def case(request: HttpRequest, code: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    if response.is_editable:
        messages.info(
            request,
            "The client has not sent this questionnaire yet (or it was reopened).",
        )
        return redirect(response.client)
    review.start_review(response=response, by=request.user)
    record(
        action=AuditAction.VIEWED,
        request=request,
        obj=response,
        detail={"page": "case"},
    )
    context = case_context(request, response)
    return render(request, "questionnaires/case.html", context)


def case_context(request: HttpRequest, response: Response) -> dict:
    knowledge = knowledge_base.load()
    facts = build_case_facts(response, knowledge=knowledge)
    matches = entry_matches(facts, knowledge)
    findings = list(
        response.findings.current()
        .select_related("decided_by")
        .order_by("created_at", "id")
    )
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    undecided, decided = case_overview.split_decided(findings)
    reading = response.answers_for_reading()
    # What a follow-up does not ask (conditions, goals) is read from earlier visits.
    chain = followup.visits(response)
    earlier = [v.answers_for_reading() for v in chain[1:]]
    match_for = request.GET.get("match", "")
    query = request.GET.get("q", "").strip()
    # Stopped rows are not the client's facts any more; "What changed" lists them.
    medication_rows = [
        (m, matches.get(f"medication:{m.code}"))
        for m in reading["medications"]
        if not m.is_stopped
    ]
    supplement_rows = [
        (s, matches.get(f"supplement:{s.code}"))
        for s in reading["supplements"]
        if not s.is_stopped
    ]
    chart, visits = _chart(response)
    return {
        "response": response,
        "client": response.client,
        "facts": facts,
        # Date of birth is required, so the facts always have the age at submission.
        "age": facts.age,
        "sex": facts.sex or "",
        "goals": next(
            (found for r in (reading, *earlier) if (found := _answer_to(r, "goals"))),
            "",
        ),
        "groups": [
            (Severity(severity), list(items))
            for severity, items in groupby(undecided, key=lambda f: f.severity)
        ],
        "decided": decided,
        "undecided_referrals": [
            f for f in findings if f.severity == Severity.REFER and not f.is_decided
        ],
        "undecided_majors": [f for f in undecided if f.severity == Severity.MAJOR],
        "blocking_count": sum(
            1 for f in findings if f.must_be_decided and not f.is_decided
        ),
        "knowledge_version": findings[0].knowledge_version if findings else "",
        "medication_rows": medication_rows,
        "supplement_rows": supplement_rows,
        "understood": understood_entries(facts, knowledge),
        **case_overview.overview(
            reading=reading,
            earlier=earlier,
            medication_rows=medication_rows,
            supplement_rows=supplement_rows,
        ),
        "match_for": match_for,
        "query": query,
        "hits": search(query, limit=SEARCH_LIMIT) if match_for and query else [],
        "chart": chart,
        "visit_table": visits,
        "notes": list(response.notes.select_related("author")),  # newest first
        "summaries": list(response.summaries.all()),
        "changes": followup.changes(response) if response.is_follow_up else None,
        "follow_up_refusal": followup.refusal(response),
        "follow_ups": list(response.follow_ups.all()),
        # A follow-up asks no consent: the client gave it with the first visit.
        "consent_from": next((v for v in chain if v.consent_at), response),
        "reopen_form": ReopenForm(),
        "close_form": CloseCaseForm(),
        "open_form": OpenCaseForm(),
        "note_form": NoteForm(),
        "match_form": None,
        "can_reopen": response.can_reopen,
        **reading,
    }


def case_page_again(
    request: HttpRequest, response: Response, **refused: object
) -> HttpResponse:
    """The case page again (400), with a refused form's messages beside its fields
    and what was typed still in them."""
    context = {**case_context(request, response), **refused}
    return render(request, "questionnaires/case.html", context, status=400)


def _answer_to(reading: dict, concept: str) -> str:
    """A stored answer, found in the answers already loaded for the page."""
    for section in reading["sections"]:
        for question, answer in section["rows"]:
            if question.concept == concept and answer is not None:
                return str(answer.value or "")
    return ""


def _chart(response: Response) -> tuple[Chart, VisitTable | None]:
    """The symptom chart, with the change since the client's previous submission,
    and every visit's totals when there were more than two (two queries a visit)."""
    earlier = (
        list(
            response.client.responses.submitted()
            .filter(submitted_at__lt=response.submitted_at)
            .order_by("submitted_at")
        )
        if response.submitted_at
        else []
    )
    scores = symptom_scores(response)
    before = [(r.submitted_at.date(), symptom_scores(r)) for r in earlier]
    chart = symptom_chart(
        scores,
        before[-1][1] if before else None,
        earlier_on=before[-1][0] if before else None,
    )
    if len(before) < 2:
        return chart, None
    return chart, visit_table([*before, (response.submitted_at.date(), scores)])


# ------------------------------------------------------------------ decisions


def _finding_reply(
    request: HttpRequest, finding: Finding, form: ReturnToForm, error: str = ""
):
    """htmx gets the finding's card (and the case status, out of band); a plain
    browser goes back to the case page at the finding, or is shown it again with
    the message beside the note when there is no other page to go back to."""
    return_to = form.data.get("return_to", "") if form.is_bound else ""
    note = form.data.get("note", "") if error else ""
    if request.htmx:
        finding.refresh_from_db()
        response = finding.response
        response.refresh_from_db(fields=["status"])
        blocking = response.findings.blocking().count()
        return render(
            request,
            "questionnaires/_finding_reply.html",
            {
                "finding": finding,
                "response": response,
                "error": error,
                "failed_finding": finding.code if error else None,
                "typed_note": note,
                "blocking_count": blocking,
                "undecided_referrals": list(
                    response.findings.undecided().filter(severity=Severity.REFER)
                ),
                "undecided_majors": list(
                    response.findings.undecided().filter(severity=Severity.MAJOR)
                ),
                "oob": True,
                "return_to": return_to,
            },
        )
    if error and not return_to:
        return case_page_again(
            request,
            finding.response,
            error=error,
            failed_finding=finding.code,
            typed_note=note,
        )
    if error:
        messages.error(request, error)
    url = reverse("questionnaires:case", args=[finding.response.code])
    # Only a path on this site: anything else (a view name, a relative path, a
    # URL elsewhere) sends the practitioner back to the case page.
    if return_to.startswith("/") and url_has_allowed_host_and_scheme(
        return_to, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        url = return_to.split("#", 1)[0]
    return redirect(f"{url}#finding-{finding.code}")


@access.role_required(*STAFF)
@require_POST
def decide(request: HttpRequest, code: str) -> HttpResponse:
    finding = access.get_finding(request.user, code)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _finding_reply(request, finding, form, error=form.first_error)
    try:
        finding.decide(
            by=request.user,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as error:
        return _finding_reply(request, finding, form, error=error.messages[0])
    return _finding_reply(request, finding, form)


@access.role_required(*STAFF)
@require_POST
def undo(request: HttpRequest, code: str) -> HttpResponse:
    finding = access.get_finding(request.user, code)
    form = ReturnToForm(request.POST)  # nothing else to check: always valid
    try:
        finding.undo(by=request.user, request=request)
    except ValidationError as error:
        return _finding_reply(request, finding, form, error=error.messages[0])
    return _finding_reply(request, finding, form)


# ------------------------------------------------------------ matching by hand


@access.role_required(*STAFF)
@require_POST
def match_entry(request: HttpRequest, code: str, kind: str, entry: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    rows = response.medications if kind == "medication" else response.supplements
    row = rows.filter(code=entry).first()
    url = reverse("questionnaires:case", args=[response.code])
    if row is None:
        return redirect(url)
    knowledge = knowledge_base.load()
    form = MatchForm(request.POST, knowledge=knowledge)
    if not form.is_valid():
        # The search again, with the message beside the choices.
        query = form.cleaned_data.get("q", "").strip()
        return case_page_again(
            request,
            response,
            match_for=str(row.code),
            query=query,
            hits=search(query, limit=SEARCH_LIMIT) if query else [],
            match_form=form,
        )
    substance = form.cleaned_data["substance"]
    try:
        review.rematch(
            response=response,
            entry=row,
            substance_id=substance,
            by=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        name = _substance_name(knowledge, substance)
        done = f"Matched “{row}” to {name}" if substance else f"Unmatched “{row}”"
        messages.success(request, f"{done}; the findings have been checked again.")
    return redirect(f"{url}#entry-{row.code}")


def _substance_name(knowledge, substance_id: str) -> str:
    if substance_id in knowledge.drugs:
        return knowledge.drugs[substance_id].name
    if substance_id in knowledge.nutrients:
        return knowledge.nutrients[substance_id].name
    if substance_id in knowledge.products:
        return knowledge.products[substance_id].name
    return substance_id


# ---------------------------------------------------------------------- notes


@access.role_required(*STAFF)
@require_POST
def add_note(request: HttpRequest, code: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return case_page_again(request, response, note_form=form)
    try:
        review.add_note(
            response=response,
            by=request.user,
            text=form.cleaned_data["text"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Note saved. Only practitioners can see it.")
    return redirect(reverse("questionnaires:case", args=[response.code]) + "#notes")
