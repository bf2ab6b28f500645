"""Re-check open cases in the background when the knowledge base changes.

A deploy that brings new knowledge runs `migrate`; after it, `schedule_recheck()`
sees cases checked with another knowledge version and queues one background task
(`manage.py db_worker` runs it). The task re-checks each case that is not closed
once, under the case's row lock, and lists what the new knowledge raised or
changed as new evidence for the practitioner (docs/operations.md).
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from questionnaires.dashboard import case_summary
from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import (
    EventKind,
    EvidenceChange,
    Finding,
    KnowledgeRecheck,
    NewEvidence,
    Response,
)
from questionnaires.review.checking import CONTENT_FIELDS, check_response

log = logging.getLogger(__name__)

# What the knowledge can change about a finding; the version alone changes them all.
COMPARED = tuple(name for name in CONTENT_FIELDS if name != "knowledge_version")
# A worker still running the code before a deploy leaves the task for a new one.
RETRY_AFTER = datetime.timedelta(minutes=1)
# A run not finished by then died with its worker: the next deploy schedules again.
STUCK_AFTER = datetime.timedelta(hours=6)


def due(version: str):
    """The open cases not yet checked with this knowledge version."""
    return Response.objects.kept_current().exclude(knowledge_version=version)


def schedule_recheck() -> KnowledgeRecheck | None:
    """Queue the re-check for the current knowledge if any open case needs it;
    return the run, or None when nothing was queued.

    Safe to call from several processes at once: the version's row is created
    (or, for a version deployed again, claimed under its row lock) by one of them,
    and only that one queues the task, in the same transaction.
    """
    version = knowledge_base.load().version
    if not due(version).exists():
        return None
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = KnowledgeRecheck.objects.create(version=version)
        except IntegrityError:
            run = KnowledgeRecheck.objects.select_for_update().get(version=version)
            pending = run.finished_at is None and run.scheduled_at > now - STUCK_AFTER
            # Finished while we waited for the lock, or still running: done.
            if pending or not due(version).exists():
                return None
            run.scheduled_at, run.started_at, run.finished_at = now, None, None
            run.checked = run.changed = run.failed = 0
            run.save()
        recheck_open_cases.enqueue(run.pk)
    log.info("knowledge re-check %s queued for version %s", run.pk, version)
    return run


def after_migrate(sender, using: str = "default", **kwargs) -> None:
    """A deploy ran `migrate`: re-check open cases if the knowledge changed."""
    if using != "default" or KnowledgeRecheck._meta.db_table not in (
        connection.introspection.table_names()
    ):
        return  # migrated back before the re-check existed
    schedule_recheck()


@task()
def recheck_open_cases(recheck_id: int) -> None:
    """Re-check every open case once against the current knowledge."""
    run = KnowledgeRecheck.objects.filter(pk=recheck_id).first()
    version = knowledge_base.load().version
    if run is None or run.finished_at is not None:
        return
    if run.version != version:
        _leave_to_current_code(run, version)
        return
    KnowledgeRecheck.objects.filter(pk=run.pk).update(started_at=timezone.now())
    checked = changed = failed = 0
    for pk in due(version).order_by("pk").values_list("pk", flat=True).iterator():
        try:
            outcome = recheck_case(pk, run=run)
        except Exception as error:  # one bad case must not stop the others
            log.error("re-check of response %s failed: %s", pk, type(error).__name__)
            failed += 1
            continue
        if outcome is not None:
            checked += 1
            changed += bool(outcome)
    # Added, not set: a run queued again while this one ran shares the row.
    KnowledgeRecheck.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(),
        checked=F("checked") + checked,
        changed=F("changed") + changed,
        failed=F("failed") + failed,
    )
    log.info(
        "knowledge re-check %s: %s cases checked, %s with new evidence, %s failed",
        run.pk,
        checked,
        changed,
        failed,
    )


def _leave_to_current_code(run: KnowledgeRecheck, version: str) -> None:
    """This worker's knowledge is not the run's: either a newer deploy replaced
    the run (drop it) or this worker is older than the deploy (try again later,
    when a restarted worker picks it up)."""
    newer = KnowledgeRecheck.objects.filter(
        version=version, scheduled_at__gt=run.scheduled_at
    )
    if newer.exists():
        KnowledgeRecheck.objects.filter(pk=run.pk).update(finished_at=timezone.now())
        log.info("knowledge re-check %s replaced by version %s", run.pk, version)
        return
    recheck_open_cases.using(run_after=timezone.now() + RETRY_AFTER).enqueue(run.pk)
    log.warning(
        "knowledge re-check %s left for a worker with version %s", run.pk, run.version
    )


def recheck_case(pk: int, *, run: KnowledgeRecheck) -> int | None:
    """Re-check one case if it is still due; return how many findings it listed as
    new evidence, or None when another worker had checked it or it was closed."""
    with transaction.atomic():
        response = Response.objects.select_for_update().filter(pk=pk).first()
        if response is None or not due(run.version).filter(pk=pk).exists():
            return None
        before = {f.pk: f for f in response.findings.all()}
        check_response(response, recheck=True)
        # A new refer or major finding puts a ready or issued case back in review.
        response.follow_findings(by=None)
        listed = _list_new_evidence(response, before, run)
        if listed:
            response.events.create(
                kind=EventKind.RECHECKED,
                message=f"Knowledge version {run.version}: "
                f"{listed} finding{'s' if listed != 1 else ''} to decide",
            )
            case_summary.refresh(response.client_id)  # the event is activity
    return listed


def _list_new_evidence(
    response: Response, before: dict[int, Finding], run: KnowledgeRecheck
) -> int:
    """Put each finding the new knowledge raised, raised again or changed, and that
    waits for a decision, on the new evidence list."""
    waiting = {
        item.finding_id: item
        for item in NewEvidence.objects.filter(
            finding__response=response, settled_at=None
        )
    }
    to_create, to_update = [], []
    for finding in response.findings.undecided():
        earlier = before.get(finding.pk)
        if earlier is None:
            change, fields = EvidenceChange.NEW, []
        elif earlier.withdrawn_at is not None:
            change, fields = EvidenceChange.BACK, []
        else:
            fields = [n for n in COMPARED if getattr(earlier, n) != getattr(finding, n)]
            if not fields:
                continue
            change = EvidenceChange.CHANGED
        item = waiting.get(finding.pk)
        if item is None:
            to_create.append(
                NewEvidence(finding=finding, recheck=run, change=change, fields=fields)
            )
        else:  # still undecided from an earlier change: one entry says both
            item.recheck = run
            item.fields = sorted({*item.fields, *fields})
            to_update.append(item)
    NewEvidence.objects.bulk_create(to_create)
    NewEvidence.objects.bulk_update(to_update, ["recheck", "fields"])
    return len(to_create) + len(to_update)
