"""What the plan says about the supplements the client already takes: continue,
stop, change the dose, or replace with a row of the plan; kept as typed, checked
with the plan, and compared as daily totals before and after."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from questionnaires.advice import plans
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.interactions.totals import daily_totals
from questionnaires.models import (
    AdviceDraft,
    CurrentAction,
    CurrentSupplement,
    Response,
    Supplement,
)
from questionnaires.review.engine_facts import build_case_facts
from questionnaires.values import without_nul


def taken(response: Response) -> list[Supplement]:
    return [
        s for s in response.supplements.all() if not s.is_blank and not s.is_stopped
    ]


def save_as_typed(post: QueryDict, response: Response, draft: AdviceDraft) -> None:
    """Keep each posted choice as typed; a bad dose is refused when checked."""
    posted = set(post.getlist("current"))
    plan_rows = {str(row.code): row for row in draft.plan.all()}
    stored = {
        c.supplement_id: c for c in CurrentSupplement.objects.filter(advice=draft)
    }
    for supplement in taken(response):
        prefix = f"current-{supplement.code}"
        if str(supplement.code) not in posted:
            continue
        action = post.get(f"{prefix}-action", CurrentAction.CONTINUE)
        if action not in CurrentAction.values:
            action = CurrentAction.CONTINUE
        values = {
            "action": action,
            "amount": without_nul(post.get(f"{prefix}-amount", ""))[:40].strip(),
            "per_day": without_nul(post.get(f"{prefix}-per_day", ""))[:40].strip(),
            "replaced_by": plan_rows.get(post.get(f"{prefix}-replaced_by", "")),
        }
        choice = stored.get(supplement.pk)
        if choice is None and action == CurrentAction.CONTINUE:
            continue  # nothing said yet: it is kept, as with no row
        if choice is None:
            CurrentSupplement.objects.create(
                advice=draft, supplement=supplement, **values
            )
            continue
        if any(getattr(choice, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(choice, name, value)
            choice.save()


def problems(response: Response, draft: AdviceDraft) -> list[str]:
    plan = plans.read_plan(response)
    return [p for c in plan.current for p in plans.choice_problems(c, rows=plan.rows)]


@dataclass(frozen=True)
class Row:
    """One current supplement in the editor."""

    supplement: Supplement
    action: str
    amount: str
    per_day: str
    replaced_by: str  # the plan row's code
    problem: str

    @property
    def prefix(self) -> str:
        return f"current-{self.supplement.code}"

    @property
    def actions(self) -> list[tuple[str, str]]:
        return CurrentAction.choices


def rows(response: Response, plan: plans.Plan) -> list[Row]:
    found = []
    for supplement in taken(response):
        choice = plan.choice_for(supplement)
        problem = plans.choice_problems(choice, rows=plan.rows) if choice else []
        found.append(
            Row(
                supplement=supplement,
                action=choice.action if choice else CurrentAction.CONTINUE,
                amount=choice.amount if choice else "",
                per_day=choice.per_day if choice else "",
                replaced_by=str(choice.replaced_by.code)
                if choice and choice.replaced_by
                else "",
                problem=problem[0] if problem else "",
            )
        )
    return found


@dataclass(frozen=True)
class TotalRow:
    nutrient: str
    now: str
    after: str
    changed: bool


def totals(response: Response, plan: plans.Plan) -> list[TotalRow]:
    """Each nutrient's daily total now and with the plan, as the check counts it."""
    if not plan.rows and not plan.current:
        return []
    knowledge = knowledge_base.load()
    facts = build_case_facts(response, knowledge=knowledge)
    now = daily_totals(facts, knowledge)
    after = daily_totals(plans.resulting_facts(facts, plan), knowledge)
    table = []
    for name in sorted({*now, *after}):
        before = now[name].text if name in now else "none"
        then = after[name].text if name in after else "none"
        table.append(TotalRow(name, before, then, before != then))
    return table
