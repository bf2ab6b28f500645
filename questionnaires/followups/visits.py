"""Follow-up visits: what a follow-up starts with, what it carries from the visit
before, and what changed since.

A follow-up is a Response like the intake (same steps, saving and submission) on
the `followup` questionnaire, pointing at the visit it follows (`follows`). When
it is sent, the last visit's medicines and supplements are copied as rows the
client confirms, stops or changes; the symptom scores start as last time's; and
each item of the last advice's supplement plan becomes a question. What the
follow-up does not ask (date of birth, conditions, diet...) is read from the
visits before it, so the engine checks the client as they are now.
docs/questionnaires.md, "The follow-up questionnaire", says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from questionnaires.intake.entry_forms import MEDICATION_FIELDS, SUPPLEMENT_FIELDS
from questionnaires.models import (
    AdviceDraft,
    Answer,
    Medication,
    PlanAdherence,
    PlanItem,
    QuestionKind,
    Response,
    SinceLast,
    Supplement,
    Timing,
)

FOLLOW_UP_KEY = "followup"
#: Visits read when carrying answers back; a guard against a cycle in bad data.
MAX_VISITS = 50

# What the client typed: the same fields the intake's row forms save.
_COPIED_FIELDS = {Medication: MEDICATION_FIELDS, Supplement: SUPPLEMENT_FIELDS}
_HAND_MATCH = ("matched_as", "matched_by", "matched_at")


# ----------------------------------------------------------------- sending


def refusal(response: Response) -> str:
    """Why a follow-up cannot be sent from this case now; "" if it can."""
    if response.is_editable:
        return "The client has not sent this questionnaire yet."
    if not response.summaries.exists():
        return "Issue an advice summary first: a follow-up asks how the advice went."
    latest = response.client.responses.order_by("-created_at", "-pk").first()
    if latest is not None and latest.pk != response.pk:
        return "A later questionnaire has been sent to this client."
    return ""


def carry_forward(response: Response) -> None:
    """Fill a new follow-up from the visit it follows (inside the send)."""
    earlier = response.follows
    for model, related in ((Medication, "medications"), (Supplement, "supplements")):
        rows = [r for r in getattr(earlier, related).all() if not r.is_blank]
        model.objects.bulk_create(
            _copy(model, row, response, position)
            for position, row in enumerate((r for r in rows if not r.is_stopped), 1)
        )
    questions = {
        q.concept: q
        for q in response.version.questions.filter(kind=QuestionKind.SYMPTOM_SCALE)
    }
    Answer.objects.bulk_create(
        Answer(response=response, question=questions[concept], value=value)
        for concept, value in visit_answers(earlier).items()
        if concept in questions
    )
    PlanAdherence.objects.bulk_create(
        PlanAdherence(response=response, position=position, item=plan_words(item))
        for position, item in enumerate(_plan(earlier), start=1)
    )


def _copy(model, row, response: Response, position: int):
    fields = {name: getattr(row, name) for name in _COPIED_FIELDS[model]}
    # A hand match is the practitioner's work on the same entry: keep it.
    fields |= {name: getattr(row, name) for name in _HAND_MATCH}
    return model(
        response=response,
        position=position,
        previous=row,
        since_last=SinceLast.TAKING,
        **fields,
    )


def _plan(response: Response) -> list[PlanItem]:
    draft = AdviceDraft.objects.filter(response=response).first()
    if draft is None:
        return []
    return [row for row in draft.plan.all() if not row.is_blank]


def plan_words(row: PlanItem) -> str:
    """A plan row as the client read it: "Magnesium glycinate 200 mg, 1 a day,
    with the evening meal"."""
    amount = " ".join(p for p in (row.amount, row.unit if row.amount else "") if p)
    name = " ".join(p for p in ((row.product or row.nutrient).strip(), amount) if p)
    parts = [name, f"{row.per_day or '1'} a day"]
    if row.timing:
        parts.append(Timing(row.timing).label.lower())
    return ", ".join(parts)[:300]


# ------------------------------------------------------------------- advice

#: What a follow-up's advice starts with from the last visit's, to be revised.
#: Not "what has changed" (the next version says that anew) nor the check.
REVISED_FIELDS = ("key_points", "diet", "lifestyle", "gp_notes", "follow_up")


def revision_of(earlier: AdviceDraft, response: Response) -> dict:
    """The fields of a follow-up's first draft, from the last visit's advice.

    Medicine times move to the same medicines in the follow-up (rows copied from
    the last visit); the choices about the client's own supplements do not, as
    what the client takes has changed and must be looked at again.
    """
    timings = {}
    for code, previous in response.medications.values_list("code", "previous__code"):
        if previous is not None and str(previous) in earlier.medicine_timings:
            timings[str(code)] = earlier.medicine_timings[str(previous)]
    return {
        **{name: getattr(earlier, name) for name in REVISED_FIELDS},
        "include_symptom_chart": earlier.include_symptom_chart,
        "medicine_timings": timings,
    }


def copy_plan(earlier: AdviceDraft, draft: AdviceDraft) -> None:
    fields = [
        f.name
        for f in PlanItem._meta.concrete_fields
        if f.name not in ("id", "code", "advice")
    ]
    PlanItem.objects.bulk_create(
        PlanItem(advice=draft, **{name: getattr(row, name) for name in fields})
        for row in earlier.plan.all()
    )


# ------------------------------------------------------------------ reading


def visits(response: Response) -> list[Response]:
    """This visit and those it follows, newest first."""
    chain, seen = [response], {response.pk}
    while chain[-1].follows_id and len(chain) < MAX_VISITS:
        earlier = Response.objects.get(pk=chain[-1].follows_id)
        if earlier.pk in seen:
            break
        chain.append(earlier)
        seen.add(earlier.pk)
    return chain


def visit_answers(response: Response) -> dict[str, object]:
    """The answers that hold at this visit, by concept.

    A concept this visit's questionnaire asks is this visit's (even unanswered);
    one it does not ask comes from the newest earlier visit that asked it.
    """
    values: dict[str, object] = {}
    asked: set[str] = set()
    for visit in visits(response):
        concepts = set(visit.version.questions.values_list("concept", flat=True))
        for answer in visit.answers.select_related("question"):
            concept = answer.question.concept
            if concept in asked or answer.value in (None, "", []):
                continue
            values[concept] = answer.value
        asked |= concepts
    return values


# ------------------------------------------------------------------ changes


@dataclass(frozen=True)
class EntryChange:
    kind: str  # "medication" or "supplement"
    now: str
    was: str = ""


@dataclass
class VisitChanges:
    """What changed since the visit a follow-up follows."""

    added: list[EntryChange] = field(default_factory=list)
    stopped: list[EntryChange] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)
    unchanged: list[EntryChange] = field(default_factory=list)
    plan: list[PlanAdherence] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.added or self.stopped or self.changed)


def changes(response: Response) -> VisitChanges:
    """Medicines and supplements added, stopped and changed, and the plan's
    answers, since the visit this follow-up follows."""
    found = VisitChanges(plan=list(response.plan_adherence.all()))
    for kind, rows in (
        ("medication", response.medications.select_related("previous")),
        ("supplement", response.supplements.select_related("previous")),
    ):
        for row in rows:
            if row.is_blank:
                continue
            now = describe(row)
            if row.previous is None:
                found.added.append(EntryChange(kind, now))
            elif row.is_stopped:
                found.stopped.append(EntryChange(kind, describe(row.previous)))
            elif now != describe(row.previous):
                found.changed.append(EntryChange(kind, now, describe(row.previous)))
            else:
                found.unchanged.append(EntryChange(kind, now))
    return found


def describe(row: models.Model) -> str:
    """A medicine or supplement row in one line."""
    if isinstance(row, Medication):
        name = " ".join(p for p in (row.name, row.strength) if p)
        return ", ".join(p for p in (name, row.frequency) if p) or "(no name)"
    amount = "amount not known" if row.amount_unknown else f"{row.amount} {row.unit}"
    name = row.product or row.nutrient or "(no name)"
    return f"{name}, {amount.strip()}, {row.per_day or '1'} a day"
