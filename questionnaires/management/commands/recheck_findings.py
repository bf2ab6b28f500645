"""Re-run the interaction checks on open cases by hand.

A knowledge change re-checks open cases by itself after `migrate`
(questionnaires/rechecks.py); this command is for a dry run, for every issued
case (`--all`), or when no worker runs.

Findings raised for the first time are marked new so the practitioner sees what
the new knowledge added; findings no longer raised are withdrawn, not deleted.
Output names responses by their public code and gives counts only: never answers.
"""

from __future__ import annotations

import logging

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from questionnaires.interactions import knowledge as knowledge_base
from questionnaires.models import Response, ResponseStatus
from questionnaires.review.checking import StoreResult, check_response, upper_limit_set

logger = logging.getLogger(__name__)

# Submitted and not yet closed. In-progress and reopened responses are being edited
# by the client and are checked when they are (re)submitted.
OPEN_STATUSES = Response.REVIEWABLE - {ResponseStatus.SUMMARY_ISSUED}


class Command(BaseCommand):
    help = (
        "Re-run the interaction checks for submitted cases that are still open "
        "and mark findings that are new."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            dest="include_issued",
            help="Also re-check cases whose advice summary has been issued.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would change without storing anything.",
        )

    def handle(self, *args, include_issued: bool, dry_run: bool, **options) -> None:
        statuses = [*OPEN_STATUSES]
        if include_issued:
            statuses.append(ResponseStatus.SUMMARY_ISSUED)
        version = knowledge_base.load().version
        self.stdout.write(
            f"Knowledge version {version}, upper limits {upper_limit_set()}"
            + (" (dry run: nothing is stored)" if dry_run else "")
        )
        total, checked, failed = StoreResult(), 0, []
        # A closed case is no longer advised on (questionnaires/closing.py).
        responses = Response.objects.filter(
            status__in=statuses, closed_at=None
        ).order_by("pk")
        for response in responses.iterator():
            try:
                result = _recheck(response, dry_run=dry_run)
            except Exception as error:  # one bad case must not stop the others
                logger.error(
                    "Re-check of response %s failed: %s",
                    response.pk,
                    type(error).__name__,
                )
                self.stderr.write(f"{response.code}: failed ({type(error).__name__})")
                failed.append(response.code)
                continue
            checked += 1
            total += result
            self.stdout.write(f"{response.code}: {_describe(result)}")
        self.stdout.write(f"Checked {checked} responses: {_describe(total)}")
        if failed:
            raise CommandError(f"{len(failed)} responses could not be re-checked")


def _recheck(response: Response, *, dry_run: bool) -> StoreResult:
    with transaction.atomic():
        locked = Response.objects.select_for_update().get(pk=response.pk)
        result = check_response(locked, recheck=True)
        # A new refer or major finding puts a ready case back in review.
        locked.follow_decisions(by=None)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _describe(result: StoreResult) -> str:
    if not result.changed:
        return f"no change ({result.unchanged} unchanged)"
    return (
        f"{result.created} new, {result.updated} updated, "
        f"{result.reinstated} reinstated, {result.withdrawn} withdrawn, "
        f"{result.unchanged} unchanged"
    )
