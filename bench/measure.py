"""CPU time per request, in this process and in its PostgreSQL backend.

Wall time on a shared 2-core machine says more about the neighbours than about
the code, so the page benchmarks count CPU time: this process's own
(time.process_time) plus, on PostgreSQL, what the database backend serving this
connection spent, read from /proc/<pid>/schedstat (nanoseconds on the CPU). That
works when the server runs on this machine, as in development and CI; for a
remote server only the worker's CPU is counted, and the figures say so.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection


def backend_pids() -> list[int]:
    """The PostgreSQL server processes serving this database (the bench's own)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def _backend_ns(pids: list[int]) -> int | None:
    total = 0
    for pid in pids:
        try:
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None  # the server is elsewhere (or gone): not counted
    return total


def database_cpu_counted() -> bool:
    """Whether the figures include the database server's CPU time."""
    if connection.vendor != "postgresql":
        return True  # SQLite runs in this process: process_time has it
    return _backend_ns(backend_pids()) is not None


def _round(run: Callable[[], object], batch: int) -> tuple[float, float]:
    """CPU ms of one call of `run` (worker plus database, then the database's
    share), averaged over `batch` calls timed together: a fast page is a few ms,
    and the kernel counts a process's CPU in coarse steps."""
    pids = backend_pids()
    before_db = _backend_ns(pids)
    before = time.process_time_ns()
    for _ in range(batch):
        run()
    worker = time.process_time_ns() - before
    after_db = _backend_ns(pids)
    database = 0
    if before_db is not None and after_db is not None:
        database = after_db - before_db
    return (worker + database) / batch / 1e6, database / batch / 1e6


def cpu_ms(run: Callable[[], object], *, rounds: int, batch: int = 1) -> float:
    """Median CPU milliseconds of one call of `run`, worker plus database."""
    return statistics.median(_round(run, batch)[0] for _ in range(rounds))


def compare_cpu_ms(
    runs: dict[str, tuple[Callable[[], object], int]], *, rounds: int
) -> dict[str, tuple[float, float]]:
    """Median CPU ms of each named (run, batch), and of its database share.

    The runs take turns, round by round, so that a busy spell on the machine
    falls on all of them rather than on one side of a ratio.
    """
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (run, batch) in runs.items():
            samples[name].append(_round(run, batch))
    return {
        name: (
            statistics.median(total for total, _ in found),
            statistics.median(database for _, database in found),
        )
        for name, found in samples.items()
    }


def wall_ms(run: Callable[[], object], *, rounds: int) -> float:
    """Median wall-clock milliseconds of one call (for the record, noisy)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def rss_mib() -> float:
    """Resident memory of this process now, in MiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
