"""Deployment checks: mistakes that `manage.py check --deploy` turns into errors.

Each one has bitten, or would bite, a practice that installs Cofactor: links that
take over accounts landing in the logs, staff without a second factor, reset links
that point at any host. They are errors, not warnings, so a deploy script that
runs `check --deploy` stops.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Backends that never deliver: they print, keep in memory, drop or write to files.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints emails to the log",
    "django.core.mail.backends.locmem.EmailBackend": "keeps emails in memory",
    "django.core.mail.backends.dummy.EmailBackend": "throws emails away",
    "django.core.mail.backends.filebased.EmailBackend": "writes emails to files",
}
CACHE_MIGRATION = ("practice", "0006_create_cache_table")
PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, deploy=True)
def email_is_delivered(app_configs: object = None, **kwargs: object):
    what = UNDELIVERED_EMAIL_BACKENDS.get(settings.EMAIL_BACKEND)
    if settings.DEBUG or what is None:
        return []
    return [
        Error(
            f"Email is not sent: the backend {what}, so invitation and "
            "password-reset links (which take over accounts) end up there.",
            hint="Set EMAIL_URL to your mail server, e.g. "
            "smtp+tls://user:password@smtp.example.org:587.",
            id="practice.E101",
        )
    ]


@register(Tags.security, deploy=True)
def staff_mfa_is_required(app_configs: object = None, **kwargs: object):
    if settings.DEBUG or settings.COFACTOR_REQUIRE_STAFF_MFA:
        return []
    return [
        Error(
            "Practitioners and admins can sign in without a second factor, yet "
            "they can read every client's health data.",
            hint="Remove COFACTOR_REQUIRE_STAFF_MFA=false (it is on by default).",
            id="practice.E102",
        )
    ]


@register(Tags.security, deploy=True)
def allowed_hosts_are_named(app_configs: object = None, **kwargs: object):
    if settings.DEBUG or "*" not in settings.ALLOWED_HOSTS:
        return []
    return [
        Error(
            "ALLOWED_HOSTS accepts any host, so a password-reset email can be made "
            "to link to an attacker's site (the link is built from the Host header).",
            hint="Set DJANGO_ALLOWED_HOSTS to the names the site is served under.",
            id="practice.E103",
        )
    ]


@register(Tags.security, deploy=True)
def cache_is_shared(app_configs: object = None, **kwargs: object):
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PROCESS_CACHES:
        return []
    return [
        Error(
            "The cache lives in each process's memory, so sign-in rate limits are "
            "not shared between workers and are lost on every restart.",
            hint="Use the default CACHE_URL (dbcache://cofactor_cache) or Redis.",
            id="practice.E104",
        )
    ]


@register(Tags.database)
def cache_table_exists(
    app_configs: object = None, databases: list[str] | None = None, **kwargs: object
) -> list[CheckMessage]:
    """Run by `check --database default`: the database cache's table is there.

    A migration creates it; this catches a database restored without it. Before
    that migration has run there is nothing to say (and `migrate` runs this too).
    """
    cache = settings.CACHES["default"]
    if not databases or not cache["BACKEND"].endswith("DatabaseCache"):
        return []
    from django.db import connections, router
    from django.db.migrations.recorder import MigrationRecorder
    from django.db.utils import DatabaseError

    errors: list[CheckMessage] = []
    for alias in databases:
        connection = connections[alias]
        if not router.allow_migrate(alias, "django_cache"):
            continue
        try:
            tables = connection.introspection.table_names()
            applied = MigrationRecorder(connection).applied_migrations()
        except DatabaseError:
            continue  # the database being down is reported elsewhere
        if CACHE_MIGRATION not in applied:
            continue
        if cache["LOCATION"] not in tables:
            errors.append(
                Error(
                    f"The cache table {cache['LOCATION']!r} is missing from the "
                    f"{alias!r} database, so every sign-in fails.",
                    hint="Run `manage.py migrate` (or `manage.py createcachetable`).",
                    id="practice.E105",
                )
            )
    return errors
