"""Run requests or operations at the same moment, for race tests on PostgreSQL."""

from __future__ import annotations

import threading

from django.db import connections


def at_once(count: int, work) -> list:
    """Run `work(i)` in `count` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results
