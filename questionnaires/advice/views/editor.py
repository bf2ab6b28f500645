"""Writing the advice for a case, checking the supplement plan, previewing and
issuing the PDF; downloading an issued summary."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import access
from practice.audit import record
from practice.models import AuditAction, Role
from questionnaires.advice import (
    current_supplements,
    drafting,
    issuing,
    pdf,
    plans,
    summary_options,
)
from questionnaires.advice.forms import (
    AdviceForm,
    InsertSnippetForm,
    IssueForm,
    PlanItemForm,
    SaveSnippetForm,
)
from questionnaires.advice.views.autosave import saved_version, stale_message
from questionnaires.drafts import Conflict, PostedChanges, save_rows, valid_uuids
from questionnaires.models import (
    AdviceSnippet,
    IssuedSummary,
    Response,
    SnippetSection,
    Timing,
)
from questionnaires.values import without_nul

STAFF = (Role.PRACTITIONER, Role.ADMIN)
TEXT_FIELDS = AdviceForm.Meta.fields
# Issued versions the editor lists, newest first; the others are a link away
# (`?versions=all`), so the page does not grow with every version ever issued.
VERSIONS_SHOWN = 10


def _case_or_redirect(request: HttpRequest, code: str):
    response = access.get_response(request.user, code)
    if response.is_editable:
        messages.info(request, "The client has not sent this questionnaire yet.")
        return response, redirect(response.client)
    return response, None


@never_cache
@access.role_required(*STAFF)
def editor(request: HttpRequest, code: str) -> HttpResponse:
    response, elsewhere = _case_or_redirect(request, code)
    if elsewhere:
        return elsewhere
    draft = drafting.draft_for(response=response, by=request.user)
    if request.method == "POST":
        return _post(request, response, draft)
    record(
        action=AuditAction.VIEWED,
        request=request,
        obj=response,
        detail={"page": "advice"},
    )
    return _render(request, response, draft, AdviceForm(instance=draft), None)


def _post(request: HttpRequest, response, draft) -> HttpResponse:
    action = request.POST.get("action", "save")
    url = reverse("questionnaires:advice", args=[response.code])
    with transaction.atomic():
        # Under the case's lock, so an issue in progress prints the rows it
        # checked; whatever is stored here leaves the plan "not checked yet"
        # until it is checked (its fingerprint no longer matches).
        Response.objects.select_for_update().filter(pk=response.pk).first()
        draft.refresh_from_db(fields=["updated_at", "updated_by"])
        stale = request.POST.get("saved_version", saved_version(draft)) != (
            saved_version(draft)
        )
        if not stale:
            # The whole form, checked against the version it was typed over.
            changes = PostedChanges(request.POST, partial=False)
            _save_as_typed(request, response, draft, changes)
    if stale:
        # Saved elsewhere since this page was opened: keep what was typed on the
        # page, say so, and let a second press of Save replace it on purpose.
        messages.error(
            request, stale_message(draft) + " Save again to replace that version."
        )
        form = AdviceForm(request.POST, instance=draft)
        summary_options.save_options(request.POST, draft)  # shown, not saved
        return _render(
            request, response, draft, form, _plan_forms(draft, request.POST), status=409
        )

    kind, _, arg = action.partition(":")
    if kind == "add-plan":
        row = drafting.add_plan_row(draft=draft)
        return redirect(f"{url}#plan-{row.code}")
    if kind == "remove-plan":
        draft.plan.filter(code__in=valid_uuids([arg])).delete()
        return redirect(f"{url}#plan")
    if kind == "insert" and arg in SnippetSection.values:
        form = InsertSnippetForm(request.POST, section=arg, user=request.user)
        if not form.is_valid():
            return _render_snippet_error(request, response, draft, arg, form)
        snippet = form.cleaned_data["snippet"]
        current = getattr(draft, arg).rstrip()
        setattr(draft, arg, f"{current}\n\n{snippet.text}".strip())
        draft.save(update_fields=[arg])
        messages.success(request, f"Inserted “{snippet.title}”.")
        return redirect(f"{url}#id_{arg}")
    if kind == "snippet" and arg in SnippetSection.values:
        form = SaveSnippetForm(
            request.POST, section=arg, user=request.user, text=getattr(draft, arg)
        )
        if not form.is_valid():
            return _render_snippet_error(request, response, draft, arg, form)
        title = form.cleaned_data["title"]
        AdviceSnippet.objects.create(
            owner=request.user.practitioner_profile,
            section=arg,
            title=title,
            text=form.text,
        )
        messages.success(request, f"Saved “{title}” as a snippet.")
        return redirect(f"{url}#id_{arg}")

    form = AdviceForm(request.POST, instance=draft)
    plan_forms = _plan_forms(draft, request.POST)
    current_ok = not current_supplements.problems(response, draft)
    if not all([form.is_valid(), *[f.is_valid() for f in plan_forms], current_ok]):
        return _render(request, response, draft, form, plan_forms, status=422)
    _prefill_spacing(response, draft)
    drafting.plan_check(response=response, by=request.user)
    found = drafting.plan_findings(response)
    undecided = [f for f in found if not f.is_decided]
    if undecided:
        messages.warning(
            request,
            f"Saved. The plan check found {len(undecided)} thing"
            f"{'s' if len(undecided) > 1 else ''} to decide before issuing.",
        )
    else:
        messages.success(request, "Saved and checked against the client's case.")
    return redirect(f"{url}#plan-check" if undecided else url)


def _save_as_typed(
    request: HttpRequest, response, draft, changes: PostedChanges
) -> list[Conflict]:
    """Keep everything typed, valid or not, before doing anything else; with the
    page's saver, only what changed (static/js/saver.js)."""
    changed_fields = [
        name
        for name in TEXT_FIELDS
        if changes.writes(name) and request.POST[name][:20000] != getattr(draft, name)
    ]
    for name in TEXT_FIELDS:
        if changes.writes(name):
            setattr(draft, name, without_nul(request.POST[name])[:20000])
    changed_fields += summary_options.save_options(request.POST, draft, changes.only)
    draft.updated_by = request.user
    # Never the check's record (checked_plan): only a check writes that.
    draft.save(
        update_fields=[
            *TEXT_FIELDS,
            *summary_options.OPTION_FIELDS,
            "updated_by",
            "updated_at",
        ]
    )
    conflicts: list[Conflict] = []
    rows = save_rows(draft.plan, PlanItemForm, "plan", changes, conflicts)
    current_supplements.save_as_typed(request.POST, response, draft, changes.only)
    # Which fields changed and how many plan rows; never the advice.
    record(
        action=AuditAction.CHANGED,
        request=request,
        obj=response,
        detail={
            "event": "advice_saved",
            "action": request.POST.get("action", "save").partition(":")[0][:20],
            "fields": changed_fields,
            "plan_rows": rows,
        },
    )
    return conflicts


def _prefill_spacing(response, draft) -> None:
    for row in draft.plan.all():
        if not row.spacing and not row.is_blank:
            spacing = drafting.spacing_prefill(response, row)
            if spacing:
                row.spacing = spacing
                row.save(update_fields=["spacing"])


def _render_snippet_error(request, response, draft, section: str, form):
    """The editor again, with the snippet's message in its section. Status 200,
    as Django renders a form with errors: the advice itself was saved before the
    snippet was looked at, so nothing on the page is refused."""
    return _render(
        request,
        response,
        draft,
        AdviceForm(instance=draft),
        None,
        snippet_errors={section: form},
    )


def _plan_forms(draft, data=None) -> list[PlanItemForm]:
    return [
        PlanItemForm(data, prefix=f"plan-{row.code}", instance=row)
        if data is not None
        else PlanItemForm(prefix=f"plan-{row.code}", instance=row)
        for row in draft.plan.all()
    ]


def _render(
    request, response, draft, form, plan_forms, status: int = 200, snippet_errors=None
):
    snippets = {}
    for snippet in AdviceSnippet.objects.filter(owner__user=request.user):
        snippets.setdefault(snippet.section, []).append(snippet)
    sections = [
        {
            "field": form[name],
            "name": name,
            "snippets": snippets.get(name, []),
            "snippet_form": (snippet_errors or {}).get(name),
        }
        for name in TEXT_FIELDS
    ]
    plan = plans.read_plan(response)
    blockers = drafting.issue_blockers(response, plan)
    issued = drafting.client_summaries(response)
    # One query for how many there are and the newest, as the Max alone was.
    known = issued.aggregate(latest=Max("version"), count=Count("pk"))
    summaries = issued.select_related("issued_by")
    all_versions = request.GET.get("versions") == "all"
    if not all_versions:
        summaries = summaries[:VERSIONS_SHOWN]
    return render(
        request,
        "questionnaires/advice.html",
        {
            "response": response,
            "client": response.client,
            "draft": draft,
            "form": form,
            "sections": sections,
            "plan_forms": plan_forms if plan_forms is not None else _plan_forms(draft),
            "plan_findings": drafting.plan_findings(response),
            "blockers": blockers,
            "plan_checked": plan.is_checked,
            "current_rows": current_supplements.rows(response, plan),
            "totals": current_supplements.totals(response, plan),
            "summaries": summaries,
            "issued_count": known["count"],
            "older_versions": 0 if all_versions else known["count"] - VERSIONS_SHOWN,
            "next_version": (known["latest"] or 0) + 1,
            "return_to": reverse("questionnaires:advice", args=[response.code]),
            "saved_version": saved_version(draft),
            "medicine_times": summary_options.medicine_choices(draft),
            "timetable_clashes": summary_options.timetable_clashes(response, draft),
            "timing_choices": Timing.choices,
        },
        status=status,
    )


@never_cache
@access.role_required(*STAFF)
def preview(request: HttpRequest, code: str) -> HttpResponse:
    response, elsewhere = _case_or_redirect(request, code)
    if elsewhere:
        return elsewhere
    draft = drafting.draft_for(response=response, by=request.user)
    record(
        action=AuditAction.VIEWED,
        request=request,
        obj=response,
        detail={"page": "advice_preview"},
    )
    version = (drafting.client_summaries(response).count() or 0) + 1
    document = issuing.summary_document(response, version=version)
    return render(
        request,
        "questionnaires/advice_preview.html",
        {
            "response": response,
            "client": response.client,
            "draft": draft,
            "content": format_html("{}", pdf.summary_html(document, for_preview=True)),
        },
    )


@access.role_required(*STAFF)
@require_POST
def issue(request: HttpRequest, code: str) -> HttpResponse:
    response, elsewhere = _case_or_redirect(request, code)
    if elsewhere:
        return elsewhere
    url = reverse("questionnaires:advice", args=[response.code])
    form = IssueForm(request.POST)
    if not form.is_valid():
        # A hidden field, so nothing the practitioner typed: say so at the top.
        messages.error(request, form.errors["expected_version"][0])
        return redirect(url)
    try:
        summary = issuing.issue_summary(
            response=response,
            by=request.user,
            expected_version=form.cleaned_data["expected_version"],
            request=request,
        )
    except issuing.AlreadyIssued as already:
        if already.summary is not None:
            messages.info(
                request,
                f"Version {already.summary.version} has already been issued; "
                "nothing more was sent.",
            )
        return redirect(f"{url}#issued")
    except drafting.IssueRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        return redirect(url)
    except pdf.PdfRenderError as error:
        messages.error(
            request,
            f"The PDF could not be made, so nothing was issued: {error} "
            "Please try again; if it keeps happening, tell your administrator.",
        )
        return redirect(url)
    messages.success(
        request,
        f"Advice summary version {summary.version} issued; "
        f"{response.client.user.full_name} has been emailed that it is ready.",
    )
    return redirect(f"{url}#issued")


@never_cache
@access.role_required(Role.CLIENT, *STAFF)
def download(request: HttpRequest, code: str) -> HttpResponse:
    summary = (
        IssuedSummary.objects.filter(
            code=code, response__in=access.responses_for(request.user)
        )
        .select_related("response__client__user")
        .first()
    )
    if summary is None:
        raise Http404("No such summary.")
    try:
        content = issuing.read_issued(summary)
    except (OSError, ValueError) as error:
        raise Http404("This summary is not available.") from error
    record(
        action=AuditAction.DOWNLOADED,
        request=request,
        obj=summary,
        detail={"response": str(summary.response.code), "version": summary.version},
    )
    reply = HttpResponse(content, content_type="application/pdf")
    reply["Content-Disposition"] = (
        f'attachment; filename="advice-summary-v{summary.version}.pdf"'
    )
    reply["Cache-Control"] = "no-store"
    return reply
