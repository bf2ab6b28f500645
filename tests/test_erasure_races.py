"""Erasing a client while her case moves on: the erasure waits for the move, it
does not deadlock with it. PostgreSQL only (SQLite runs one writer at a time)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from practice import privacy
from questionnaires.models import Response
from tests.review_helpers import submitted_case

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="race tests need PostgreSQL's concurrent writers (set DATABASE_URL)",
)


@pytest.mark.django_db(transaction=True)
def test_an_erasure_during_a_move_of_her_case_waits_for_it(alice, priya, ada):
    case = submitted_case(alice)
    locked = threading.Event()
    errors: list[Exception] = []

    def move() -> None:
        try:
            with transaction.atomic():  # as the review views do: the case first
                response = Response.objects.select_for_update().get(pk=case.pk)
                locked.set()
                time.sleep(1.5)  # the erasure starts meanwhile
                response.start_review(by=priya.user)  # then the client's summary
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    def erase() -> None:
        locked.wait(10)
        try:
            privacy.erase_client(client=alice, by=ada)
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=move), threading.Thread(target=erase)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []  # before: "deadlock detected", one of the two undone
    alice.refresh_from_db()
    assert alice.erased_at is not None
    assert not Response.objects.filter(client=alice).exists()
