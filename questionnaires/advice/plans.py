"""The supplement plan as the check reads it: its rows and what happens to the
client's own supplements, the regimen that results, and the plan's fingerprint.

What is issued is always what was checked: every check records the fingerprint of
the plan it read (`mark_checked`), and a plan whose fingerprint differs from the
recorded one is "not checked yet", whichever path stored its rows.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from questionnaires.advice.forms import PLAN_FIELDS, PlanItemForm
from questionnaires.intake.entry_forms import positive_number
from questionnaires.interactions.facts import CaseFacts, SupplementEntry
from questionnaires.models import (
    AdviceDraft,
    CurrentAction,
    CurrentSupplement,
    PlanItem,
    Response,
    Supplement,
)
from questionnaires.review.engine_facts import plan_entry

# What leaves the client's regimen.
ENDS = (CurrentAction.STOP, CurrentAction.REPLACE)


@dataclass(frozen=True)
class Plan:
    """The plan rows and the choices about current supplements, read once."""

    draft: AdviceDraft | None
    rows: tuple[PlanItem, ...] = ()
    current: tuple[CurrentSupplement, ...] = ()

    @property
    def fingerprint(self) -> str:
        """SHA-256 of everything the check reads or the PDF prints; "" if empty."""
        rows = [
            [str(row.code), *(getattr(row, name) for name in PLAN_FIELDS)]
            for row in self.rows
        ]
        current = [
            [
                c.supplement_id,
                c.action,
                c.amount,
                c.per_day,
                str(c.replaced_by.code) if c.replaced_by else "",
            ]
            for c in sorted(self.current, key=lambda c: c.supplement_id)
            if c.action != CurrentAction.CONTINUE
        ]
        if not rows and not current:
            return ""
        text = json.dumps([rows, current], separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def is_checked(self) -> bool:
        checked = self.draft.checked_plan if self.draft else ""
        return checked == self.fingerprint

    def choice_for(self, supplement: Supplement) -> CurrentSupplement | None:
        return next((c for c in self.current if c.supplement_id == supplement.pk), None)


def read_plan(response: Response, *, lock: bool = False) -> Plan:
    """The response's plan in two queries; `lock` holds its rows until commit."""
    draft = AdviceDraft.objects.filter(response=response).first()
    if draft is None:
        return Plan(draft=None)
    rows = PlanItem.objects.filter(advice=draft)
    current = CurrentSupplement.objects.filter(advice=draft).select_related(
        "replaced_by", "supplement"
    )
    if lock:
        rows = rows.select_for_update()
        current = current.select_for_update(of=("self",))
    return Plan(draft=draft, rows=tuple(rows), current=tuple(current))


def mark_checked(plan: Plan) -> None:
    """Record that this plan, as read, has just been checked."""
    if plan.draft is None:
        return
    AdviceDraft.objects.filter(pk=plan.draft.pk).update(
        checked_plan=plan.fingerprint, checked_at=timezone.now()
    )
    plan.draft.checked_plan = plan.fingerprint


def resulting_facts(facts: CaseFacts, plan: Plan) -> CaseFacts:
    """The client's case as it will be: stopped and replaced supplements left out,
    changed doses changed, and the plan's rows added."""
    choices = {f"supplement:{c.supplement.code}": c for c in plan.current}
    supplements: list[SupplementEntry] = []
    for entry in facts.supplements:
        choice = choices.get(entry.ref)
        if choice is None or choice.action == CurrentAction.CONTINUE:
            supplements.append(entry)
        elif choice.action == CurrentAction.CHANGE_DOSE:
            supplements.append(_changed(entry, choice))
    supplements += [plan_entry(row) for row in plan.rows if not row.is_blank]
    return dataclasses.replace(facts, supplements=tuple(supplements))


def _changed(entry: SupplementEntry, choice: CurrentSupplement) -> SupplementEntry:
    amount = choice.amount_value
    per_day = choice.per_day_value
    return dataclasses.replace(
        entry,
        amount=float(amount) if amount and amount > 0 else None,
        per_day=float(per_day) if per_day and per_day > 0 else 1,
        amount_unknown=False,
    )


def problems(plan: Plan) -> list[str]:
    """Why the plan cannot be issued as stored, one sentence per problem."""
    found = []
    for number, row in enumerate(plan.rows, start=1):
        form = PlanItemForm(
            {f"plan-{row.code}-{name}": getattr(row, name) for name in PLAN_FIELDS},
            prefix=f"plan-{row.code}",
            instance=PlanItem(),
        )
        if not form.is_valid():
            first = next(iter(form.errors.values()))[0]
            found.append(f"Plan item {number} ({row}): {first}")
    for choice in plan.current:
        found += choice_problems(choice, rows=plan.rows)
    return found


def choice_problems(
    choice: CurrentSupplement, *, rows: tuple[PlanItem, ...]
) -> list[str]:
    """A changed dose needs a dose; a replacement needs a row of the plan."""
    name = str(choice.supplement)
    if choice.action == CurrentAction.CHANGE_DOSE:
        try:
            if not positive_number(choice.amount, "amount"):
                return [f"{name}: give the new amount per dose."]
            positive_number(choice.per_day, "doses a day")
        except ValidationError as error:
            return [f"{name}: {error.messages[0]}"]
    if choice.action == CurrentAction.REPLACE and (
        choice.replaced_by_id is None
        or choice.replaced_by_id not in {row.pk for row in rows}
    ):
        return [f"{name}: choose the item of the plan that replaces it."]
    return []


def stop_and_keep(
    plan: Plan, supplements: list[Supplement]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The PDF's "Stop taking" and "Keep taking" lines for the client's own
    supplements."""
    stop, keep = [], []
    for supplement in supplements:
        choice = plan.choice_for(supplement)
        action = choice.action if choice else CurrentAction.CONTINUE
        name = _taken(supplement)
        if action == CurrentAction.STOP:
            stop.append(name)
        elif action == CurrentAction.REPLACE:
            by = choice.replaced_by
            stop.append(f"{name}: replaced by {by}" if by else name)
        elif action == CurrentAction.CHANGE_DOSE:
            keep.append(
                f"{supplement}, at a new dose: {choice.amount} {supplement.unit}, "
                f"{_times(choice.per_day)}"
            )
        else:
            keep.append(name)
    return tuple(stop), tuple(keep)


def _taken(supplement: Supplement) -> str:
    if supplement.amount_unknown or not supplement.amount:
        return str(supplement)
    name, dose = str(supplement), f"{supplement.amount} {supplement.unit}"
    # "Calcium 600 mg (600 mg, once a day)" says the dose twice.
    if _squeezed(dose) in _squeezed(name):
        return f"{name} ({_times(supplement.per_day)})"
    return f"{name} ({dose}, {_times(supplement.per_day)})"


def _squeezed(text: str) -> str:
    return "".join(text.lower().split())


def _times(per_day: str) -> str:
    words = {"1": "once a day", "2": "twice a day"}
    return words.get((per_day or "1").strip(), f"{per_day} times a day")
