"""Django settings, read from environment variables with typed helpers.

The defaults give a zero-setup run on SQLite; production sets `DRUMBEAT_SECRET_KEY`,
`DRUMBEAT_ALLOWED_HOSTS` and `DATABASE_URL`. A bad value stops start-up with a
message naming the variable.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
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


def env_proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """Django's SECURE_PROXY_SSL_HEADER from a header's name, such as
    `X-Forwarded-Proto`, whose value `https` marks a request that came over HTTPS."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    if not re.fullmatch(r"[A-Za-z0-9-]+", value):
        raise ImproperlyConfigured(
            f"{name} must be a header name such as X-Forwarded-Proto, not {value!r}"
        )
    return ("HTTP_" + value.upper().replace("-", "_"), "https")


def env_origins(name: str) -> list[str]:
    """Origins such as `https://drumbeat.example.com`, comma-separated."""
    origins = env_list(name, [])
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s]+", origin):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin such as "
                "https://drumbeat.example.com (a scheme and a host, no path)"
            )
    return origins


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
CSRF_TRUSTED_ORIGINS = env_origins("DRUMBEAT_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: `runserver` leaves static files to WhiteNoise too.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    # The API docs page from django-ninja's own Swagger UI files, not a CDN.
    "ninja",
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
    # Static files are answered here, before sessions and sign-in: public and
    # cacheable, unlike every response below it (`never_cache_middleware`).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "drumbeat.common.middleware.never_cache_middleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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

# HTTPS, usually ended by a proxy in front. Cookies go over HTTPS only unless
# debugging (browsers count http://127.0.0.1 and localhost as secure); neither is
# readable by scripts (htmx and the API docs take the CSRF token from the page).
SESSION_COOKIE_SECURE = env_bool("DRUMBEAT_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# The header by which the proxy says a request came over HTTPS (`X-Forwarded-Proto`,
# its value `https`). Only behind a proxy that sets it on every request: a client
# could send it too.
SECURE_PROXY_SSL_HEADER = env_proxy_ssl_header("DRUMBEAT_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool("DRUMBEAT_SSL_REDIRECT", False)
# Strict-Transport-Security: browsers that saw it use HTTPS only, for this long.
SECURE_HSTS_SECONDS = env_int("DRUMBEAT_HSTS_SECONDS", 0)
if SECURE_HSTS_SECONDS < 0:
    raise ImproperlyConfigured("DRUMBEAT_HSTS_SECONDS must be 0 or more")
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DRUMBEAT_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DRUMBEAT_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts, styles, fonts and fetches from this site only;
# no inline script, no eval, no inline style (element or attribute), no plugin, no
# framing. Data passed to scripts goes in data attributes or `json_script`
# (JSON, never run); scripts may still set styles through the DOM, as ECharts does.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Pico CSS draws its check marks and chevrons as data: SVG images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DRUMBEAT_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

# Static files are served by the web processes themselves (WhiteNoise), from
# STATIC_ROOT as `drumbeat manage collectstatic` leaves it: names with a hash of
# their content, cached by browsers for ever, and compressed copies. Debugging, they
# are served straight from the package, unhashed.
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

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
