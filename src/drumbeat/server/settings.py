"""Django settings, read from environment variables with typed helpers.

The defaults give a zero-setup run on SQLite; production sets `DRUMBEAT_SECRET_KEY`,
`DRUMBEAT_ALLOWED_HOSTS` and `DATABASE_URL`. A bad value stops start-up with a
message naming the variable.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DRUMBEAT_DATA_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}"
        ) from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DRUMBEAT_DEBUG", False)
SECRET_KEY = os.environ.get("DRUMBEAT_SECRET_KEY", "")
if not SECRET_KEY:
    # Without one in the environment, a random key is made once and kept (0600)
    # beside the data, so that a single-machine run is safe and sessions persist.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = key_file.read_text().strip()
ALLOWED_HOSTS = env_list(
    "DRUMBEAT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("DRUMBEAT_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "drumbeat.accounts",
    "drumbeat.kpis",
    "drumbeat.okrs",
    "drumbeat.scorecard",
    "drumbeat.webhooks",
    "drumbeat.exports",
    "drumbeat.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "drumbeat.server.urls"
WSGI_APPLICATION = "drumbeat.server.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'drumbeat.sqlite3'}",
        conn_max_age=env_int("DRUMBEAT_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers and one writer work at once; wait rather than fail on a lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DRUMBEAT_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DRUMBEAT_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DRUMBEAT_LOG_LEVEL", "INFO"),
    },
}

# Background work (pulls from data sources, webhook deliveries) goes through
# Django's tasks API, queued in the project's own database: `drumbeat worker` runs
# it. DRUMBEAT_TASKS_IMMEDIATE=true runs each task at once, in the caller (tests).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("DRUMBEAT_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# Readings files uploaded at /imports/readings/ (larger ones: `drumbeat import`).
DRUMBEAT_IMPORT_MAX_BYTES = env_int("DRUMBEAT_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# What an XLSX workbook may unpack to, on the pages and with `drumbeat import`: its
# parts together, and a part of over 1 MB against its packed size. A workbook over
# either is refused before it is read (a ZIP bomb of 1 MB once unpacked to 1 GiB).
DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES = env_int(
    "DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES", 200 * 1024 * 1024
)
DRUMBEAT_IMPORT_MAX_RATIO = env_int("DRUMBEAT_IMPORT_MAX_RATIO", 100)
if DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES < 1:
    raise ImproperlyConfigured("DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES must be 1 or more")
if DRUMBEAT_IMPORT_MAX_RATIO < 1:
    raise ImproperlyConfigured("DRUMBEAT_IMPORT_MAX_RATIO must be 1 or more")

# Outgoing webhooks: tries per delivery (the first included) and the wait before
# the first retry, doubled for each next one; the key that their signing secrets
# are encrypted with (default: derived from SECRET_KEY; set it to keep secrets
# readable when SECRET_KEY changes); the address that links in events point to.
DRUMBEAT_WEBHOOK_ATTEMPTS = env_int("DRUMBEAT_WEBHOOK_ATTEMPTS", 5)
if DRUMBEAT_WEBHOOK_ATTEMPTS < 1:
    raise ImproperlyConfigured("DRUMBEAT_WEBHOOK_ATTEMPTS must be 1 or more")
DRUMBEAT_WEBHOOK_BACKOFF_SECONDS = env_int("DRUMBEAT_WEBHOOK_BACKOFF_SECONDS", 30)
if DRUMBEAT_WEBHOOK_BACKOFF_SECONDS < 0:
    raise ImproperlyConfigured("DRUMBEAT_WEBHOOK_BACKOFF_SECONDS must be 0 or more")
DRUMBEAT_WEBHOOK_KEY = os.environ.get("DRUMBEAT_WEBHOOK_KEY", "")
# Deliveries finished this many days ago leave the log (at the daily refresh).
DRUMBEAT_WEBHOOK_KEEP_DAYS = env_int("DRUMBEAT_WEBHOOK_KEEP_DAYS", 90)
if DRUMBEAT_WEBHOOK_KEEP_DAYS < 1:
    raise ImproperlyConfigured("DRUMBEAT_WEBHOOK_KEEP_DAYS must be 1 or more")
# Webhooks post only to public addresses, unless private ones are allowed: all of
# them, or those of the host names, addresses and networks (10.0.0.0/8) listed.
DRUMBEAT_WEBHOOK_ALLOW_PRIVATE = env_bool("DRUMBEAT_WEBHOOK_ALLOW_PRIVATE", False)
DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = env_list("DRUMBEAT_WEBHOOK_ALLOWED_HOSTS", [])
for _allowed in DRUMBEAT_WEBHOOK_ALLOWED_HOSTS:
    if "/" in _allowed:
        try:
            ipaddress.ip_network(_allowed, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"DRUMBEAT_WEBHOOK_ALLOWED_HOSTS: {_allowed!r} is not a network "
                "such as 10.0.0.0/8"
            ) from None
DRUMBEAT_BASE_URL = os.environ.get("DRUMBEAT_BASE_URL", "http://127.0.0.1:8000").rstrip(
    "/"
)
if not DRUMBEAT_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(
        f"DRUMBEAT_BASE_URL must start with http:// or https://, not "
        f"{DRUMBEAT_BASE_URL!r}"
    )

# SQL data sources, pulled by `drumbeat worker` on each KPI's schedule and by
# `drumbeat pull`. A connection's URL comes from DRUMBEAT_SOURCE_<NAME>_URL or the
# secrets file (`name = url` lines, or TOML), read when a pull runs: never stored.


def env_positive(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be 1 or more, not {value}")
    return value


DRUMBEAT_SECRETS_FILE = os.environ.get("DRUMBEAT_SECRETS_FILE", "")
DRUMBEAT_SOURCE_TIMEOUT = env_positive("DRUMBEAT_SOURCE_TIMEOUT", 30)
"""Seconds a source query may run before it is stopped."""
DRUMBEAT_SOURCE_MAX_ROWS = env_positive("DRUMBEAT_SOURCE_MAX_ROWS", 100_000)
DRUMBEAT_SCHEDULER_INTERVAL = env_positive("DRUMBEAT_SCHEDULER_INTERVAL", 30)
"""Seconds between the worker's looks for pulls that are due."""
