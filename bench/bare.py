"""Bare Django views doing the same work as Cofactor's pages, to measure against.

What "bare" means here: the plainest Django a competent developer would write for
the same page, with the same rows and fields, inside the same site layout
(base.html) and middleware, and nothing else. Cofactor's pages should come
within the goals of issue 15 of these (docs/performance.md).

- dashboard: the practitioner's clients, one page of 25 in one query (and the
  paginator's count), ordered by name, with the same search, state and sort
  fields above the table.
- step: a plain Form with one field per question of the step (radio buttons for
  choices), filled from the stored answers and rendered with crispy + Bootstrap.
- autosave: the changed answer saved as typed, in one row, and a line saying so.

These views read Cofactor's models but none of its code, so they keep working
whatever the pages themselves become.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_POST

from practice.models import Client
from questionnaires.models import Answer, Question, QuestionKind, Response

DASHBOARD = """{% extends "base.html" %}
{% block title %}Clients{% endblock %}
{% block content %}
<h1>Your clients</h1>
<form method="get" class="row g-2">{% for field in filters %}
  <div class="col-md-4">{{ field.label_tag }} {{ field }}</div>{% endfor %}
</form>
<table class="table">
  <thead><tr><th>Name</th><th>Email</th><th>Client since</th></tr></thead>
  <tbody>{% for client in page %}
    <tr><td><a href="{{ client.get_absolute_url }}">{{ client.user.full_name }}</a></td>
      <td>{{ client.user.email }}</td><td>{{ client.created_at|date:"j M Y" }}</td></tr>
  {% endfor %}</tbody>
</table>
<p>Page {{ page.number }} of {{ page.paginator.num_pages }}</p>
{% endblock %}
"""
STEP = """{% extends "base.html" %}
{% load crispy_forms_tags %}
{% block title %}{{ section.title }}{% endblock %}
{% block content %}
<h1>{{ section.title }}</h1>
<form method="post">{% csrf_token %}{{ form|crispy }}
  <button type="submit" class="btn btn-primary">Save and continue</button>
</form>
{% endblock %}
"""
SAVED = """<span role="status">Saved at {{ saved_at|time:"H:i" }}</span>"""

SYMPTOM_CHOICES = [("0", "None"), ("1", "Mild"), ("2", "Moderate"), ("3", "Severe")]


def largest_symptom_step(response: Response) -> tuple[int, int]:
    """The step number and question count of the longest all-symptom-scale step:
    the page the issue's "step with ~30 questions" figure is about."""
    sections = response.version.sections.order_by("position").annotate(
        n=Count("questions"),
        others=Count(
            "questions", filter=~Q(questions__kind=QuestionKind.SYMPTOM_SCALE)
        ),
    )
    steps = [(number, s.n) for number, s in enumerate(sections, 1) if not s.others]
    return max(steps, key=lambda pair: pair[1])


def _template(source: str):
    return engines["django"].from_string(source)


TEMPLATES = {
    "dashboard": _template(DASHBOARD),
    "step": _template(STEP),
    "saved": _template(SAVED),
}


class Filters(forms.Form):
    q = forms.CharField(label="Name or email", required=False)
    state = forms.ChoiceField(
        label="State", required=False, choices=[("", "All states")]
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=[("", "Name")])


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    filters = Filters(request.GET)
    filters.is_valid()
    clients = (
        Client.objects.filter(practitioner__user=request.user)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    page = Paginator(clients, 25).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page}
    return HttpResponse(TEMPLATES["dashboard"].render(context, request))


# A bare app defines its form class once, at import; here it is made once per
# section the first time it is asked for, from the section's questions.
_FORMS: dict[int, type[forms.Form]] = {}


def _form_class(section_id: int) -> type[forms.Form]:
    if section_id not in _FORMS:
        fields = {}
        for question in Question.objects.filter(section_id=section_id).order_by(
            "position"
        ):
            if question.kind in ("medications", "supplements"):
                continue
            choices = [tuple(c) for c in question.choices] or SYMPTOM_CHOICES
            if question.kind in ("single_choice", "symptom_scale", "yes_no"):
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            elif question.kind == "multiple_choice":
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple
                )
            else:
                field = forms.CharField()
            field.label, field.required = question.text, False
            field.help_text = question.help_text
            fields[f"q{question.pk}"] = field
        _FORMS[section_id] = type("StepForm", (forms.Form,), fields)
    return _FORMS[section_id]


def _response(request: HttpRequest, code: str) -> Response:
    return get_object_or_404(
        Response.objects.select_related("version"),
        code=code,
        client__user=request.user,
    )


def _section(response: Response, step: int):
    return response.version.sections.order_by("position")[step - 1]


@login_required
def step(request: HttpRequest, code: str, step: int) -> HttpResponse:
    response = _response(request, code)
    section = _section(response, step)
    form_class = _form_class(section.pk)
    initial = {
        f"q{question_id}": value
        for question_id, value in Answer.objects.filter(
            response=response, question__section=section
        ).values_list("question_id", "value")
    }
    form = form_class(initial=initial)
    context = {"form": form, "section": section}
    return HttpResponse(TEMPLATES["step"].render(context, request))


@require_POST
@login_required
def autosave(request: HttpRequest, code: str, step: int) -> HttpResponse:
    """Store the one answer the page says changed, as typed (no validation, like
    a draft), and say when."""
    response = _response(request, code)
    name = request.POST.get("changed", "")
    Answer.objects.update_or_create(
        response=response,
        question_id=int(name.removeprefix("q")),
        defaults={"value": request.POST.get(name)},
    )
    context = {"saved_at": timezone.localtime()}
    return HttpResponse(TEMPLATES["saved"].render(context, request))


# The site's own URLs plus these (ROOT_URLCONF while benchmarking).
urlpatterns = [
    path("", include("practice.urls")),
    path("bench/dashboard/", dashboard),
    path("bench/q/<uuid:code>/step/<int:step>/", step),
    path("bench/q/<uuid:code>/step/<int:step>/autosave/", autosave),
]
