"""scripts/backup-restore-check proves that a pg_dump backup restores completely.

It needs a PostgreSQL server it may create databases on, so it runs in the
PostgreSQL pass (DATABASE_URL=postgres://...) and is skipped on SQLite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts/backup-restore-check"


def postgres_server() -> dict[str, str]:
    """PGHOST and friends for the server in DATABASE_URL, or a reason to skip."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        pytest.skip("DATABASE_URL is not a PostgreSQL URL: the backup check needs one")
    if not shutil.which("pg_dump") or not shutil.which("pg_isready"):
        pytest.skip("the PostgreSQL client tools (pg_dump, pg_isready) are missing")
    server = {
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": unquote(parts.username or "postgres"),
    }
    if parts.password:
        server["PGPASSWORD"] = unquote(parts.password)
    ready = subprocess.run(
        ["pg_isready", "--quiet"], env={**os.environ, **server}, check=False
    )
    if ready.returncode != 0:
        pytest.skip(f"PostgreSQL at {server['PGHOST']}:{server['PGPORT']} is down")
    return server


def test_a_backup_restores_every_row_of_every_table():
    server = postgres_server()
    suffix = os.getpid()  # two runs at once must not share databases
    names = {
        "COFACTOR_BACKUP_DEMO_DB": f"cofactor_backup_demo_{suffix}",
        "COFACTOR_RESTORE_CHECK_DB": f"cofactor_restore_check_{suffix}",
    }
    env = {**os.environ, **server, **names}
    env.pop("DATABASE_URL")  # the script makes its own
    run = subprocess.run(
        [str(SCRIPT)], env=env, capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout + run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("OK: all "), run.stdout
    assert "MISMATCH" not in run.stdout
    # The demo's answers were there to be restored, not an empty table.
    assert re.search(r"^questionnaires_answer +[1-9]", run.stdout, re.MULTILINE)

    left = subprocess.run(
        ["psql", "-d", "postgres", "-XAtc", "SELECT datname FROM pg_database"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not set(names.values()) & set(left), "the script left a database behind"
