"""Cofactor settings, read from the environment.

Every variable is listed in .env.example and explained in docs/deploy.md. The defaults
are safe for production (DEBUG off, HTTPS only); `make run` turns on what development
needs.
"""

import os
import sys
import tempfile
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file next to manage.py is read if present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        sys.exit(
            "Cofactor will not start: DJANGO_SECRET_KEY is not set "
            "(set it to a long random value; see docs/deploy.md)."
        )
    SECRET_KEY = "insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS and JS as static files
    "csp",
    "django_tasks",
    "django_tasks_db",
    "practice",
    "questionnaires",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "practice.middleware.StaffMFARequiredMiddleware",
    "practice.middleware.IdleTimeoutMiddleware",
    "practice.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "practice.urls"
WSGI_APPLICATION = "practice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "practice.context_processors.practice",
                "practice.context_processors.idle_limit",
            ],
        },
    },
]

# Database: SQLite by default; postgres://… uses psycopg 3 with Django's pool.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "pool": {
                "min_size": env.int("DATABASE_POOL_MIN", default=1),
                "max_size": env.int("DATABASE_POOL_MAX", default=10),
                # While the database is down a request waits this long for a
                # connection, then gets a "try again" page (503) instead of hanging.
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
            },
            "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=5),
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections instead
    # The pool checks a connection before lending it, so one that died with a
    # database restart is replaced instead of failing the request.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django's backend, with a pool that drops all its dead connections at once
    # after a restart (see practice/database/base.py).
    DATABASES["default"]["ENGINE"] = "practice.database"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a transaction takes the write lock when it begins, so a second
    # writer waits up to `timeout` seconds for it. Deferred transactions that read
    # first fail at once ("database is locked") when both then try to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
    # Tests run on a file, not Django's shared-cache in-memory database: its table
    # locks fail at once ("database table is locked") instead of waiting for the
    # timeout above when the live server answers two requests together. One file
    # per run, so two runs never share one.
    test_file = Path(tempfile.gettempdir()) / f"cofactor-test-{os.getpid()}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(test_file)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every app process (rate limits live here), so it is the
# database by default, never process memory.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://cofactor_cache")}

# Email: console by default; smtp+tls://user:password@host:587 in production (a
# system check refuses the console with DEBUG off). Every email is queued in the
# database and sent by the worker (`manage.py db_worker`); see practice/emails.py.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds to wait for the mail server before the worker gives up and retries later.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="cofactor@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_USER_MODEL = "practice.User"
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "practice:home"

# django-allauth: email login, no public signup (clients arrive by invitation).
ACCOUNT_ADAPTER = "practice.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Cofactor: "
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
# No "remember me": a session ends when the browser closes or after the idle time.
ACCOUNT_SESSION_REMEMBER = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a backstop; the idle limits below end it sooner
# Failed sign-ins: 10 a minute from one address stops a guesser; one account takes
# 5 wrong passwords a minute and 20 an hour before it waits. Resetting the
# password ends the wait at once (allauth clears the counts), so the rightful
# person is never locked out for long. docs/deploy.md, "Sign-in limits".
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/m/key,20/h/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("COFACTOR_MFA_ISSUER", default="Cofactor")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads (the practice logo, issued PDFs) are private: no URL serves MEDIA_ROOT
# directly; views check access and stream the file.
MEDIA_ROOT = env.path("COFACTOR_MEDIA_ROOT", default=BASE_DIR / "media")
# Health files are the app user's alone, whatever the umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Security. Production defaults; DEBUG relaxes only what plain-HTTP development needs.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
BEHIND_TLS_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies append to X-Forwarded-For: the client's address is that many
# entries from the right. Never read unless we are behind a proxy, because a
# client can send the header themselves (and pick the address rate limits see).
ALLAUTH_TRUSTED_PROXY_COUNT = (
    env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1) if BEHIND_TLS_PROXY else 0
)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: our own origin only, and no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap's icons and the MFA QR code
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Cofactor's own settings.
COFACTOR_REQUIRE_STAFF_MFA = env.bool("COFACTOR_REQUIRE_STAFF_MFA", default=True)
COFACTOR_INVITATION_DAYS = env.int("COFACTOR_INVITATION_DAYS", default=7)
# An email that cannot be sent is tried this many times, waiting twice as long each
# time (starting at the delay, at most two hours), then shown to staff as not sent.
COFACTOR_EMAIL_ATTEMPTS = env.int("COFACTOR_EMAIL_ATTEMPTS", default=10)
COFACTOR_EMAIL_RETRY_SECONDS = env.int("COFACTOR_EMAIL_RETRY_SECONDS", default=60)
# Sessions end after this long without activity.
COFACTOR_STAFF_IDLE_MINUTES = env.float("COFACTOR_STAFF_IDLE_MINUTES", default=30)
COFACTOR_CLIENT_IDLE_MINUTES = env.float("COFACTOR_CLIENT_IDLE_MINUTES", default=60)
# The address people use to reach Cofactor, for links in emails sent outside a
# request (e.g. "a client has submitted").
COFACTOR_SITE_URL = env.str(
    "COFACTOR_SITE_URL",
    default="http://127.0.0.1:8000"
    if DEBUG or not ALLOWED_HOSTS
    else f"https://{ALLOWED_HOSTS[0]}",
).rstrip("/")
# Audit events older than this are deleted by `manage.py apply_retention` (run it
# daily; docs/operations.md). Six years by default: set your practice's period.
COFACTOR_AUDIT_RETENTION_DAYS = env.int("COFACTOR_AUDIT_RETENTION_DAYS", default=2192)
# The privacy notice version recorded with consent if none has been published
# (a data migration publishes version "1"; admins publish later ones).
COFACTOR_PRIVACY_NOTICE_VERSION = "1"
