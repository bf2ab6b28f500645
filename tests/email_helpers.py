"""Running the email queue in tests, the way the worker (`manage.py db_worker`) does."""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

_worker = Worker(
    queue_names=["default"],
    interval=0,
    batch=True,
    backend_name="default",
    startup_delay=False,
    max_tasks=None,
    worker_id="tests",
    excluded_queue_names=[],
)


def run_task(result_id: str) -> None:
    """Run one queued task now, if it is still waiting."""
    with transaction.atomic():
        result = DBTaskResult.objects.ready().filter(id=result_id).get_locked()
        if result is None:
            return
        result.claim(_worker.worker_id)
    _worker.run_task(result)


def run_queued_tasks() -> int:
    """Run every task that is due, as the worker would; returns how many ran.

    The worker's own loop closes "old" connections, which inside a test's
    transaction would spoil it; this runs the same claim and `run_task` without it.
    """
    ran = 0
    while True:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(_worker.worker_id)
        _worker.run_task(result)
        ran += 1
