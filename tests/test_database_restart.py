"""After PostgreSQL restarts, the pooled connections that died with it are noticed
and replaced: no request fails on a stale connection.

The restart is simulated by terminating every server process of the test database
(pg_terminate_backend), which is what a restart does to the pool's connections.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from tests.races import at_once


def _status(url: str, cookie: str = "") -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def _terminate_other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        terminated = cursor.fetchone()[0]
        # pg_terminate_backend only sends the signal: wait until they are gone, as
        # after a real restart, or a connection may pass its check and die just after.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.05)
        return terminated


def test_no_request_fails_on_a_stale_connection_after_a_restart(
    live_server, client, alice
):
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's (run with DATABASE_URL)")
    client.force_login(alice.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    pages = [f"{live_server.url}/healthz", f"{live_server.url}/portal/"]
    # Fill the pool as a busy hour does: requests at the same moment each borrow a
    # connection, and the pool keeps them all when they are returned.
    assert at_once(8, lambda i: _status(pages[i % 2], cookie)) == [200] * 8

    assert _terminate_other_backends() >= 1  # the pool's connections are dead now

    statuses = [_status(url, cookie) for url in pages * 5]
    assert statuses == [200] * 10


def test_during_an_outage_a_page_says_try_again_within_the_pool_timeout(
    live_server, client, alice, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's (run with DATABASE_URL)")
    client.force_login(alice.user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    portal = f"{live_server.url}/portal/"
    assert _status(portal, cookie) == 200
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        # The outage: this test database takes no new connections, and the ones
        # the pool holds are gone.
        cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    try:
        _terminate_other_backends()
        started = time.monotonic()
        request = urllib.request.Request(portal, headers={"Cookie": cookie})  # noqa: S310
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)  # noqa: S310
        waited = time.monotonic() - started
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    timeout = settings.DATABASES["default"]["OPTIONS"]["pool"]["timeout"]
    assert refused.value.code == 503
    assert refused.value.headers["Retry-After"] == "30"
    assert "Cofactor is briefly unavailable" in refused.value.read().decode()
    assert waited < timeout + 5
    assert _status(portal, cookie) == 200  # back as soon as the database is
