"""Run the engine on a response and keep its findings in step with the answers.

A stored finding is "the same finding" across re-runs when its key matches (the
SHA-256 of the engine's key: rule, subjects and triggering entries), so its row and
primary key survive, and with them the practitioner's decision about it. A finding
the engine no longer raises is withdrawn, never deleted, so the record of what was
shown stays complete.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from practice.models import Practice
from questionnaires.advice import plans
from questionnaires.dashboard import case_summary
from questionnaires.interactions import engine
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import (
    ActionKind,
    Decision,
    Finding,
    Response,
    ReviewAction,
)
from questionnaires.review.engine_facts import build_case_facts

logger = logging.getLogger(__name__)

# What the engine decides; compared to tell an update from an unchanged row.
CONTENT_FIELDS = (
    "rule",
    "kind",
    "severity",
    "subjects",
    "classes",
    "title",
    "message",
    "action",
    "spacing_hours",
    "sources",
    "triggers",
    "evidence",
    "knowledge_version",
)

# What a decision was about: a change in any of these sets the decision aside
# (shown beside the finding as the earlier decision) rather than keeping it.
DECISION_FIELDS = ("severity", "title", "message", "action", "spacing_hours")


@dataclass(frozen=True)
class StoreResult:
    """How many stored findings a run created, changed, brought back or withdrew."""

    created: int = 0
    updated: int = 0
    reinstated: int = 0
    withdrawn: int = 0
    unchanged: int = 0

    def __add__(self, other: StoreResult) -> StoreResult:
        return StoreResult(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in fields(self)
            }
        )

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.reinstated or self.withdrawn)


def finding_key(engine_key: str) -> str:
    """The stored key: fixed length, and no answer text in an indexed column."""
    return hashlib.sha256(engine_key.encode()).hexdigest()


def upper_limit_set() -> str:
    """The practice's choice of upper-limit set (uk, eu or us), set in the admin."""
    return Practice.current().upper_limits


def check_response(
    response: Response,
    *,
    recheck: bool = False,
    plan: plans.Plan | None = None,
    locked: bool = False,
    limits: str | None = None,
    refresh_summary: bool = True,
) -> StoreResult:
    """Check the regimen that will result from the plan, store the findings, and
    record the plan as checked.

    The response's lock is taken before anything is read: a re-match or a plan
    save that committed just before must be in the facts, or the findings stored
    would contradict the entries. `locked` says the caller holds it already, in
    this transaction. `plan` is the plan already read under the lock (by
    issuing), so that what is checked is exactly what is printed; `limits` the
    practice's upper-limit set, when the caller has read the practice.
    `refresh_summary=False` leaves the client's case summary to the caller, who
    must refresh it before committing.
    """
    knowledge = knowledge_base.load()
    with transaction.atomic():
        if not locked:
            _lock(response)
        if plan is None:
            plan = plans.read_plan(response)
        facts = plans.resulting_facts(
            build_case_facts(response, knowledge=knowledge), plan
        )
        found = engine.run(facts, knowledge, limits=limits or upper_limit_set())
        result = store_findings(
            response,
            found,
            recheck=recheck,
            locked=True,
            refresh_summary=refresh_summary,
        )
        plans.mark_checked(plan)
        if response.knowledge_version != knowledge.version:
            # What the background re-check compares (questionnaires/rechecks.py).
            response.knowledge_version = knowledge.version
            Response.objects.filter(pk=response.pk).update(
                knowledge_version=knowledge.version
            )
        return result


def store_findings(
    response: Response,
    findings: Iterable[engine.Finding],
    *,
    recheck: bool = False,
    locked: bool = False,
    refresh_summary: bool = True,
) -> StoreResult:
    """Upsert the engine's findings by key; withdraw the ones no longer raised.

    New findings get `is_new=recheck`: on first submission everything is new to
    the practitioner anyway, while a re-check must point at what it added. A
    withdrawn finding that comes back is reinstated (and marked new on a re-check,
    since it reappeared on the list); `is_new` is otherwise left alone so a re-run
    never clears a mark the practitioner has not yet seen.
    """
    now = timezone.now()
    wanted = {finding_key(f.key): _values(f) for f in findings}
    with transaction.atomic():
        # A submit and a re-check at once must not both create the same key.
        if not locked:
            _lock(response)
        existing = {row.key: row for row in response.findings.all()}
        to_create: list[Finding] = []
        to_update: list[Finding] = []
        notes: list[tuple[Finding, str, str]] = []  # (finding, action kind, note)
        counts = {"updated": 0, "reinstated": 0, "unchanged": 0}
        for key, values in wanted.items():
            row = existing.get(key)
            if row is None:
                continue
            outcome = _refresh(row, values, recheck, notes)
            counts[outcome] += 1
            if outcome != "unchanged":
                to_update.append(row)
        for key, values in wanted.items():
            if key in existing:
                continue
            row = Finding(response=response, key=key, is_new=recheck, **values)
            _continue(row, _earlier(row, existing.values()), notes)
            to_create.append(row)
        gone = [
            row.pk
            for key, row in existing.items()
            if key not in wanted and row.withdrawn_at is None
        ]
        Finding.objects.bulk_create(to_create)
        if to_update:
            Finding.objects.bulk_update(
                to_update,
                [*CONTENT_FIELDS, *_DECISION_COLUMNS, "withdrawn_at", "is_new"],
            )
        if gone:
            Finding.objects.filter(pk__in=gone).update(withdrawn_at=now)
        ReviewAction.objects.bulk_create(
            ReviewAction(response=response, kind=kind, finding=row, note=note, at=now)
            for row, kind, note in notes
        )
        if refresh_summary:
            case_summary.refresh(response.client_id)
    result = StoreResult(created=len(to_create), withdrawn=len(gone), **counts)
    logger.info(
        "Findings for response %s: %s created, %s updated, %s reinstated, "
        "%s withdrawn, %s unchanged",
        response.pk,
        result.created,
        result.updated,
        result.reinstated,
        result.withdrawn,
        result.unchanged,
    )
    return result


def _lock(response: Response) -> None:
    """Serialise stores for one response (a no-op on SQLite, which locks anyway)."""
    list(Response.objects.select_for_update().filter(pk=response.pk).values("pk"))


_DECISION_COLUMNS = (
    "decision",
    "decision_note",
    "decided_by",
    "decided_at",
    "earlier_decision",
    "earlier_note",
    "earlier_by",
    "earlier_at",
)


def _refresh(
    row: Finding, values: dict, recheck: bool, notes: list[tuple[Finding, str, str]]
) -> str:
    """Bring a stored row up to date; say whether it was updated or reinstated.

    A decision stays while what it was about stays; when that changed (a new
    total, a new severity) it is set aside as the earlier decision, to be taken
    again with the earlier note in view.
    """
    changed = [name for name in CONTENT_FIELDS if getattr(row, name) != values[name]]
    if row.is_decided and any(name in changed for name in DECISION_FIELDS):
        _set_aside(row, row)
        row.is_new = True
        notes.append((row, ActionKind.CHANGED, row.earlier_note))
    for name in changed:
        setattr(row, name, values[name])
    if row.withdrawn_at is not None:
        row.withdrawn_at = None
        row.is_new = row.is_new or recheck
        return "reinstated"
    return "updated" if changed else "unchanged"


def _earlier(row: Finding, stored: Iterable[Finding]) -> Finding | None:
    """The latest decided finding about the same thing (rule and subjects) that
    shares an entry with `row`: e.g. a calcium interaction decided before a
    plan row of calcium joined it."""
    candidates = [
        other
        for other in stored
        if other.is_decided
        and other.topic == row.topic
        and other.refs & row.refs
        and other.key != row.key
    ]
    return max(candidates, key=lambda f: f.decided_at, default=None)


def _continue(
    row: Finding, earlier: Finding | None, notes: list[tuple[Finding, str, str]]
) -> None:
    """Keep the earlier decision if the finding says the same; else show it."""
    if earlier is None:
        return
    if all(getattr(row, name) == getattr(earlier, name) for name in DECISION_FIELDS):
        row.decision = earlier.decision
        row.decision_note = earlier.decision_note
        row.decided_by_id = earlier.decided_by_id
        row.decided_at = earlier.decided_at
        row.is_new = False
        notes.append((row, ActionKind.CARRIED, earlier.decision_note))
    else:
        _set_aside(row, earlier)


def _set_aside(row: Finding, decided: Finding) -> None:
    """Show `decided`'s decision as the earlier one of `row`, and clear `row`'s."""
    row.earlier_decision = decided.decision
    row.earlier_note = decided.decision_note
    row.earlier_by_id = decided.decided_by_id
    row.earlier_at = decided.decided_at
    row.decision = Decision.UNDECIDED
    row.decision_note = ""
    row.decided_by_id = None
    row.decided_at = None


def _values(finding: engine.Finding) -> dict:
    """The engine's finding as the Finding model's fields."""
    data = finding.to_dict()
    spacing = finding.spacing_hours
    return {
        "rule": data["rule"],
        "kind": data["kind"],
        "severity": data["severity"],
        "subjects": data["subjects"],
        "classes": data["classes"],
        "title": data["title"],
        "message": data["message"],
        "action": data["action"],
        "spacing_hours": None
        if spacing is None
        else Decimal(str(spacing)).quantize(Decimal("0.1")),
        "sources": data["sources"],
        "triggers": data["triggers"],
        "evidence": data["evidence"],
        "knowledge_version": data["knowledge_version"],
    }
