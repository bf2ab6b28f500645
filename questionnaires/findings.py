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
from questionnaires.casefacts import build_case_facts, plan_entries
from questionnaires.interactions import engine
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import Finding, Response

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


def check_response(response: Response, *, recheck: bool = False) -> StoreResult:
    """Build the case facts, run the engine and store its findings."""
    knowledge = knowledge_base.load()
    with transaction.atomic():
        facts = build_case_facts(
            response, extra_supplements=plan_entries(response), knowledge=knowledge
        )
        found = engine.run(facts, knowledge, limits=upper_limit_set())
        return store_findings(response, found, recheck=recheck)


def store_findings(
    response: Response, findings: Iterable[engine.Finding], *, recheck: bool = False
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
        _lock(response)
        existing = {row.key: row for row in response.findings.all()}
        to_create: list[Finding] = []
        to_update: list[Finding] = []
        counts = {"updated": 0, "reinstated": 0, "unchanged": 0}
        for key, values in wanted.items():
            row = existing.get(key)
            if row is None:
                to_create.append(
                    Finding(response=response, key=key, is_new=recheck, **values)
                )
                continue
            outcome = _refresh(row, values, recheck)
            counts[outcome] += 1
            if outcome != "unchanged":
                to_update.append(row)
        gone = [
            row.pk
            for key, row in existing.items()
            if key not in wanted and row.withdrawn_at is None
        ]
        Finding.objects.bulk_create(to_create)
        if to_update:
            Finding.objects.bulk_update(
                to_update, [*CONTENT_FIELDS, "withdrawn_at", "is_new"]
            )
        if gone:
            Finding.objects.filter(pk__in=gone).update(withdrawn_at=now)
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


def _refresh(row: Finding, values: dict, recheck: bool) -> str:
    """Bring a stored row up to date; say whether it was updated or reinstated."""
    changed = [name for name in CONTENT_FIELDS if getattr(row, name) != values[name]]
    for name in changed:
        setattr(row, name, values[name])
    if row.withdrawn_at is not None:
        row.withdrawn_at = None
        row.is_new = row.is_new or recheck
        return "reinstated"
    return "updated" if changed else "unchanged"


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
