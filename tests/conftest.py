"""Personas (CONVENTIONS.md): clients Alice and Bob; practitioners Priya (Alice's) and
Omar (Bob's); admin Ada."""

import pytest
from django.core.cache import cache
from django.db import connections, transaction
from django_tasks.signals import task_enqueued
from hypothesis import settings as hypothesis_settings

from practice.models import Practice, Role
from tests import fuzzing
from tests.factories import ClientFactory, PractitionerFactory, UserFactory

# Before any test module builds its Hypothesis settings from the profile.
hypothesis_settings.load_profile(fuzzing.PROFILE)


@pytest.fixture(autouse=True)
def practice(request):
    """Every installation has its practice row; tests that use the database too."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    else:
        return None
    # The cache lives in a table no test flushes: rate-limit counts (sign-ins per
    # address a minute) would carry over from earlier tests and refuse this one's.
    cache.clear()
    return Practice.objects.get_or_create(
        singleton=True, defaults={"name": "Test Practice"}
    )[0]


@pytest.fixture
def priya(db):
    return PractitionerFactory(
        user__email="priya@example.org", user__full_name="Priya Patel"
    )


@pytest.fixture
def omar(db):
    return PractitionerFactory(
        user__email="omar@example.org", user__full_name="Omar Okafor"
    )


@pytest.fixture
def alice(priya):
    return ClientFactory(
        user__email="alice@example.org",
        user__full_name="Alice Archer",
        practitioner=priya,
    )


@pytest.fixture
def bob(omar):
    return ClientFactory(
        user__email="bob@example.org", user__full_name="Bob Brown", practitioner=omar
    )


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.org", full_name="Ada Admin", role=Role.ADMIN)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is slow on purpose; tests only need it to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_kept_steps():
    """Each test reads its questionnaire afresh: ids come round again on SQLite."""
    from questionnaires.models import QuestionnaireVersion

    QuestionnaireVersion.forget_kept_steps()


@pytest.fixture(autouse=True)
def staff_mfa_not_required(settings):
    """Most tests are not about MFA; the MFA tests turn the requirement back on."""
    settings.COFACTOR_REQUIRE_STAFF_MFA = False


@pytest.fixture(autouse=True)
def email_worker_after_commit(request):
    """Run each queued task (an email) as soon as the transaction that queued it
    commits, as a worker with nothing else to do would, so tests can read
    `mail.outbox`. An email queued outside any transaction of the app's (only
    `queue()`'s own and the test case's) counts as committed: it is sent at once.

    Tests marked `queued_email` run the worker themselves (tests/test_email_queue.py).
    """
    if "queued_email" in request.keywords:
        yield
        return
    from tests.email_helpers import run_task

    def run_after_commit(sender, task_result, **kwargs) -> None:
        blocks = transaction.get_connection().atomic_blocks
        if len([b for b in blocks if not b._from_testcase]) <= 1:
            run_task(task_result.id)
        else:
            transaction.on_commit(lambda: run_task(task_result.id))

    task_enqueued.connect(run_after_commit, weak=False)
    yield
    task_enqueued.disconnect(run_after_commit)


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let PostgreSQL drop the test database at the end of the run.

    Connections opened under Playwright's event loop (or still checked out of
    the pool) would otherwise keep a session on it and the drop would fail.
    """
    yield
    with django_db_blocker.unblock():
        for connection in connections.all():
            connection.close()
            if connection.vendor != "postgresql":
                continue
            with connection._nodb_cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [connection.settings_dict["NAME"]],
                )
            if connection.pool is not None:
                connection.close_pool()


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter):
    """Say plainly when the browser tests did not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any("Chromium not found" in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(
            "BROWSER TESTS SKIPPED: Chromium is not installed (apt-get install "
            "chromium); set COFACTOR_REQUIRE_BROWSER=1 to make this a failure.",
            yellow=True,
            bold=True,
        )
