"""The questionnaire's pages for a client: each step's forms, filled from what
is stored or what was posted, and what still needs an answer before submitting."""

from __future__ import annotations

from dataclasses import dataclass, field

from questionnaires.intake.entry_forms import (
    MedicationForm,
    PlanAdherenceForm,
    SupplementForm,
)
from questionnaires.intake.forms import (
    SectionForm,
    initial_from_answers,
    questions_not_asked,
    stored_to_data,
)
from questionnaires.models import (
    Answer,
    Medication,
    QuestionKind,
    Response,
    Step,
    Supplement,
)


@dataclass
class StepForms:
    """The bound or unbound forms of one step, and whether they validate."""

    section_form: SectionForm
    medication_forms: list[MedicationForm] = field(default_factory=list)
    supplement_forms: list[SupplementForm] = field(default_factory=list)
    plan_forms: list[PlanAdherenceForm] = field(default_factory=list)

    @property
    def row_forms(self) -> list:
        return [*self.medication_forms, *self.supplement_forms, *self.plan_forms]

    def is_valid(self) -> bool:
        forms = [self.section_form, *self.row_forms]
        # A list, not a generator: every form must validate to show all errors.
        return all([form.is_valid() for form in forms])  # noqa: C419

    def error_links(self) -> list[tuple[str, str]]:
        """(field id, message) for every error, for the summary at the top."""
        links = []
        for form in [self.section_form, *self.row_forms]:
            for name, errors in form.errors.items():
                field_id = form[name].auto_id if name in form.fields else ""
                links.extend((field_id, str(message)) for message in errors)
        return links


@dataclass
class StepProblem:
    step: Step
    messages: list[str]


def step_forms(
    *,
    response: Response,
    step: Step,
    data=None,
    answers: dict[int, Answer] | None = None,
    medications: list[Medication] | None = None,
    supplements: list[Supplement] | None = None,
) -> StepForms:
    """The forms of a step: bound to `data` if given, else showing what is stored."""
    if answers is None:
        answers = response.answers_by_question()
    skip = questions_not_asked(step.questions, response)
    if data is None:
        section_form = SectionForm(
            step.questions,
            initial=initial_from_answers(step.questions, answers),
            skip=skip,
        )
    else:
        section_form = SectionForm(step.questions, data, skip=skip)
    result = StepForms(section_form=section_form)
    if QuestionKind.MEDICATIONS in step.list_kinds:
        rows = (
            medications
            if medications is not None
            else response.medications.select_related("previous")
        )
        result.medication_forms = [
            _row_form(MedicationForm, "medication", row, data) for row in rows
        ]
    if QuestionKind.SUPPLEMENTS in step.list_kinds:
        rows = (
            supplements
            if supplements is not None
            else response.supplements.select_related("previous")
        )
        result.supplement_forms = [
            _row_form(SupplementForm, "supplement", row, data) for row in rows
        ]
    if QuestionKind.PLAN in step.list_kinds:
        result.plan_forms = [
            _row_form(PlanAdherenceForm, "plan", row, data)
            for row in response.plan_adherence.all()
        ]
    return result


def _row_form(form_class, prefix: str, row, data):
    if data is None:
        return form_class(prefix=f"{prefix}-{row.code}", instance=row)
    return form_class(data, prefix=f"{prefix}-{row.code}", instance=row)


def stored_step_forms(
    response: Response,
    step: Step,
    answers: dict[int, Answer],
    medications: list[Medication],
    supplements: list[Supplement],
) -> StepForms:
    """The step's forms bound to what is stored, to check it before submission."""
    data = stored_to_data(step.questions, answers)
    plan_rows = (
        list(response.plan_adherence.all())
        if QuestionKind.PLAN in step.list_kinds
        else []
    )
    for prefix, rows, form_class in (
        ("medication", medications, MedicationForm),
        ("supplement", supplements, SupplementForm),
        ("plan", plan_rows, PlanAdherenceForm),
    ):
        for row in rows:
            data.appendlist(prefix, str(row.code))
            for name in form_class.draft_fields:
                value = getattr(row, name)
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{row.code}-{name}"] = "on"
                else:
                    data[f"{prefix}-{row.code}-{name}"] = value
    return step_forms(
        response=response,
        step=step,
        data=data,
        answers=answers,
        medications=medications,
        supplements=supplements,
    )


def problems(response: Response) -> list[StepProblem]:
    """Every step whose stored answers would not pass "Save and continue"."""
    answers = response.answers_by_question()
    medications = list(response.medications.all())
    supplements = list(response.supplements.all())
    found = []
    for step in response.version.steps():
        forms = stored_step_forms(response, step, answers, medications, supplements)
        if not forms.is_valid():
            found.append(
                StepProblem(step=step, messages=[m for _, m in forms.error_links()])
            )
    return found
