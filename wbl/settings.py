"""Settings for WBL Goals, read from the environment in this one module.

Variables (all optional in development):
- DEBUG: true/false (default false). Development turns it on through `make run`.
- SECRET_KEY: required when DEBUG is off.
- ALLOWED_HOSTS: comma-separated host names (default "127.0.0.1,localhost").
- DATABASE_URL: postgres://user:password@host:port/name; without it, a SQLite file.
- SQLITE_PATH: where the SQLite file lives (default db.sqlite3 next to manage.py).
- SECURE_SSL_REDIRECT: true/false (default true when DEBUG is off).
- SECURE_COOKIES: true/false, session and CSRF cookies sent over HTTPS only (default true when
  DEBUG is off; `make serve`, plain HTTP on loopback, sets it false).
- SITE_URL: the address people reach the app at, for links in mails (default
  http://127.0.0.1:8000).
- EMAIL_BACKEND, DEFAULT_FROM_EMAIL, and for SMTP EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
  EMAIL_HOST_PASSWORD, EMAIL_USE_TLS: how reminder mails leave (default: printed).
- PDF_TIME_LIMIT_SECONDS, PDF_MEMORY_LIMIT_MB: limits of one PDF render (default 60, 1024;
  keep the time limit well under gunicorn's request timeout, wbl/gunicorn.conf.py).

A malformed value stops start-up with ImproperlyConfigured naming the variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {raw!r}.")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but names no host.")
    return items


def env_number(name: str, default: float, *, kind=float) -> float:
    """A positive number (kind int or float) from the environment."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        value = None
    if value is None or not 0 < value < float("inf"):
        raise ImproperlyConfigured(f"{name} must be a positive {kind.__name__}, not {raw!r}.")
    return value


def env_database(name: str) -> dict:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets readers go on while one request writes; IMMEDIATE takes the
                # write lock when a transaction starts so two writers queue instead of
                # failing half-way with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if not raw.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"{name} must be a postgres:// URL (or unset for SQLite), not {raw.split(':')[0]!r}."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several kinds
        raise ImproperlyConfigured(f"{name} could not be read: {exc}") from exc
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no database (postgres://host:port/NAME).")
    return config


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "axes",
    "wbl",
    "goals",
    "cycle",
]

MIDDLEWARE = [
    "wbl.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wbl.middleware.FailedAuthorisationLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wbl.urls"
WSGI_APPLICATION = "wbl.wsgi.application"

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
                "wbl.context_processors.tenancy",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "wbl.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes, wbl/throttling.py): 5 failures for one email address from one
# client address lock that pair for 15 minutes; an unknown email is counted and locked just like
# a known one. Counts live in the database, so they hold across app servers. The client address
# is REMOTE_ADDR: behind a load balancer that is the balancer's, so the lock is then per email.
# `manage.py axes_reset_username EMAIL` lifts a lock early.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "wbl.throttling.throttle_key"
AXES_LOCKOUT_CALLABLE = "wbl.throttling.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 15 minutes after it began
AXES_DISABLE_ACCESS_LOG = True  # no row per successful sign-in
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads and form posts: nothing unbounded reaches a view. A file past the CSV import limit
# (10 MB) is not kept beyond it: the form then says its size at the field (cycle/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "cycle.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# PDFs render in a child process (cycle/pdf.py), killed after this many seconds (wall clock)
# and refused address space beyond the worker's own size plus this many MB; the person then
# gets a page saying the document is too large to make at once. A 100-goal board packet
# takes about 7 s and 270 MB of address space on one core. Keep the app server's request
# timeout (wbl/gunicorn.conf.py: 90 s) well above the time limit: the queries and the template
# run before it starts.
PDF_TIME_LIMIT_SECONDS = env_number("PDF_TIME_LIMIT_SECONDS", 60.0)
PDF_MEMORY_LIMIT_MB = env_number("PDF_MEMORY_LIMIT_MB", 1024, kind=int)

# Security: secure by default, relaxed only for local development.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only our own scripts and styles (wbl.middleware.ContentSecurityPolicyMiddleware, every response).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
if not DEBUG:
    # Non-browser clients (Python's cookiejar, so locust) never send a Secure cookie back over
    # plain HTTP, even on loopback: `make serve` turns this off; a real deployment keeps it.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # load balancers check over plain HTTP
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The address people reach the app at, for links in mails (reminders).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SITE_URL must start with http:// or https://, not {SITE_URL!r}.")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "wbl-goals@localhost")
# For the SMTP backend (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): the relay.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_number("EMAIL_PORT", 25, kind=int)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 30  # seconds: a stuck relay must not hang send_reminders

# simple-history: history is read-only in the app; the admin shows it but cannot revert.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Refused requests of signed-in people (wbl.middleware): kept even when LOG_LEVEL is ERROR.
    "loggers": {"wbl.security": {"level": "WARNING"}},
}
