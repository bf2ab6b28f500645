"""The client's side of the questionnaire: one section a page, drafts saved as they
type, a review page, and a single submission."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from practice import access
from practice.middleware import keeps_post_after_idle
from practice.models import Role
from questionnaires.definitions import steps
from questionnaires.intake import pages, saving, submitting
from questionnaires.intake.forms import SubmitForm
from questionnaires.models import LIST_KINDS, QuestionKind, Response, Step

CLIENT = Role.CLIENT


def _step_or_404(response: Response, number: int) -> tuple[Step, int]:
    steps = response.version.steps()
    if not 1 <= number <= len(steps):
        raise Http404("No such step.")
    return steps[number - 1], len(steps)


@never_cache
@access.role_required(CLIENT)
def resume(request: HttpRequest, code: str) -> HttpResponse:
    """Take the client back to where they left off."""
    response = access.get_response(request.user, code)
    if not response.is_editable:
        return redirect("questionnaires:review", code=response.code)
    return redirect(
        "questionnaires:step", code=response.code, step=max(1, response.step_reached)
    )


@never_cache
@keeps_post_after_idle
@access.role_required(CLIENT)
def step(request: HttpRequest, code: str, step: int) -> HttpResponse:
    response = access.get_response(request.user, code)
    current, total = _step_or_404(response, step)
    if not response.is_editable:
        if request.method == "POST" and _from_saver(request):
            return _saver_error(saving.NotEditable.message, status=409)
        messages.info(request, "You have sent this questionnaire; it can't be changed.")
        return redirect("questionnaires:review", code=response.code)

    if request.method == "POST":
        return _post_step(request, response, current, total)

    saving.ensure_a_row(response=response, step=current)
    if step > response.step_reached:
        response.step_reached = step
        response.save(update_fields=["step_reached"])
    forms = pages.step_forms(response=response, step=current)
    return _render_step(request, response, current, total, forms)


def _post_step(
    request: HttpRequest, response: Response, current: Step, total: int
) -> HttpResponse:
    action = request.POST.get("action", "continue")
    from_saver = _from_saver(request)
    try:
        saving.save_draft(
            response=response, step=current, data=request.POST, request=request
        )
    except saving.NotEditable as refused:
        if from_saver:
            return _saver_error(str(refused), status=409)
        messages.info(request, "You have sent this questionnaire; it can't be changed.")
        return redirect("questionnaires:review", code=response.code)
    if getattr(request, "idle_expired", False):
        # Signed out for being idle: what was typed is kept; nothing else is done.
        request.idle_resume_url = _step_url(request, response, current)
        return HttpResponse(status=204)

    kind, _, row_code = action.partition(":")
    try:
        if kind in ("add-medication", "add-supplement"):
            row = saving.add_row(response=response, kind=kind.removeprefix("add-"))
            return _after_list_change(
                request, response, current, total, f"#row-{row.code}"
            )
        if kind in ("remove-medication", "remove-supplement"):
            saving.remove_row(
                response=response,
                kind=kind.removeprefix("remove-"),
                code=row_code,
                request=request,
            )
            return _after_list_change(request, response, current, total, "")
    except saving.TooManyRows as refused:
        if from_saver:
            return _saver_error(str(refused), status=422)
        messages.error(request, str(refused))
        return redirect(_step_url(request, response, current))
    except saving.NotEditable as refused:
        if from_saver:
            return _saver_error(str(refused), status=409)
        return redirect("questionnaires:review", code=response.code)

    if action == "later":
        messages.success(
            request,
            "Your answers are saved. You can carry on any time, on any device.",
        )
        return redirect("practice:portal")
    if action == "back":
        if current.number == 1:
            return redirect("practice:portal")
        return redirect(
            "questionnaires:step", code=response.code, step=current.number - 1
        )

    forms = pages.step_forms(response=response, step=current, data=request.POST)
    if not forms.is_valid():
        return _render_step(request, response, current, total, forms, status=422)
    if request.POST.get("return") == "review" or current.number == total:
        return redirect("questionnaires:review", code=response.code)
    return redirect("questionnaires:step", code=response.code, step=current.number + 1)


def _from_saver(request: HttpRequest) -> bool:
    """Sent by the page's saver (static/js/saver.js), which reads JSON errors."""
    return request.headers.get("X-Saver") == "1"


def _saver_error(message: str, *, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _step_url(request: HttpRequest, response: Response, current: Step) -> str:
    url = reverse("questionnaires:step", args=[response.code, current.number])
    if (request.POST.get("return") or request.GET.get("return")) == "review":
        url += "?return=review"
    return url


def _after_list_change(request, response, current, total, anchor: str) -> HttpResponse:
    """Re-show the step: htmx swaps just the list, a plain browser reloads the page."""
    if request.htmx or _from_saver(request):
        forms = pages.step_forms(response=response, step=current)
        return _render_step(request, response, current, total, forms)
    return redirect(_step_url(request, response, current) + anchor)


def _render_step(
    request: HttpRequest,
    response: Response,
    current: Step,
    total: int,
    forms: pages.StepForms,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "questionnaires/step.html",
        {
            "response": response,
            "step": current,
            "total": total,
            "forms": forms,
            "fields": _fields_in_order(current, forms),
            "return_to": request.POST.get("return") or request.GET.get("return", ""),
            "kinds": QuestionKind,
            "max_rows": saving.MAX_ROWS,
        },
        status=status,
    )


def _fields_in_order(current: Step, forms: pages.StepForms) -> list[dict]:
    """The page's questions in order, with a heading where a body system starts."""
    items, system = [], None
    for question in current.questions:
        item = {"question": question, "kind": question.kind}
        if question.kind not in LIST_KINDS:
            if f"q{question.pk}" not in forms.section_form.fields:
                continue  # cannot apply to this person: not asked
            item["field"] = bound = forms.section_form[f"q{question.pk}"]
            if not getattr(bound.field, "parts", None):
                item["html"] = steps.field_html(current, question, bound)
        if question.body_system and question.body_system != system:
            system = question.body_system
            item["heading"] = system
        items.append(item)
    return items


@require_POST
@keeps_post_after_idle
@access.role_required(CLIENT)
def autosave(request: HttpRequest, code: str, step: int) -> HttpResponse:
    """Save what the client changed on a step while they type; say when, and which
    answers were changed elsewhere meanwhile (those are not overwritten)."""
    response = access.get_response(request.user, code)
    current, _ = _step_or_404(response, step)
    try:
        result = saving.save_draft(
            response=response, step=current, data=request.POST, request=request
        )
    except saving.NotEditable as refused:
        return _saver_error(str(refused), status=409)
    request.idle_resume_url = _step_url(request, response, current)
    return JsonResponse(
        {
            "saved_at": formats.time_format(timezone.localtime(result.saved_at), "H:i"),
            "conflicts": [c.as_dict() for c in result.conflicts],
        }
    )


@never_cache
@access.role_required(CLIENT)
def review(request: HttpRequest, code: str) -> HttpResponse:
    """Every answer, with a link to change each section, and the submit button."""
    response = access.get_response(request.user, code)
    return render(request, "questionnaires/review.html", _review_context(response))


def _review_context(response: Response) -> dict:
    problems = pages.problems(response) if response.is_editable else []
    return {
        "response": response,
        **response.answers_for_reading(),
        "problems": problems,
        "round": response.submission_round(),
    }


@require_POST
@access.role_required(CLIENT)
def submit(request: HttpRequest, code: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    form = SubmitForm(request.POST)
    try:
        sent = submitting.submit(
            response=response,
            by=request.user,
            expected_round=form.expected_round,
            request=request,
        )
    except submitting.IncompleteResponse:
        messages.error(
            request,
            "Some answers still need attention. The steps are listed below.",
        )
        return redirect("questionnaires:review", code=response.code)
    response.refresh_from_db()
    if not sent and response.is_editable:
        # A form from before the questionnaire was reopened: look again first.
        messages.info(request, "Please check your answers, then send them again.")
        return redirect("questionnaires:review", code=response.code)
    return redirect("questionnaires:submitted", code=response.code)


@never_cache
@access.role_required(CLIENT)
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    response = access.get_response(request.user, code)
    if response.is_editable:
        return redirect("questionnaires:review", code=response.code)
    return render(request, "questionnaires/submitted.html", {"response": response})
