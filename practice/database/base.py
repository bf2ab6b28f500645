"""Django's PostgreSQL backend with one change to its connection pool's check.

When PostgreSQL restarts, every idle connection in the pool dies with it. The pool
checks a connection before lending it, but on a failed check it waits before
trying the next one, longer each time (1, 2, 4 s…): a request meeting several dead
connections in a row ran out of the pool timeout and got "try again" (503). So one
failed check here makes the pool check all its idle connections at once, replacing
the dead ones, and the request gets a fresh connection after the first pause.
"""

from __future__ import annotations

from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


def _check_then_sweep(pool: ConnectionPool):
    def check(connection) -> None:
        try:
            ConnectionPool.check_connection(connection)
        except Exception:
            pool.check()  # drop every other dead idle connection now, not one by one
            raise

    return check


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        # Django passes psycopg's plain check when CONN_HEALTH_CHECKS is on; the
        # pool keeps it as `_check` (psycopg_pool 3.2–3.3), read on every getconn.
        if pool is not None and pool._check is ConnectionPool.check_connection:
            pool._check = _check_then_sweep(pool)
        return pool
