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
from whitenoise.compress import Compressor

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
    "drumbeat.common",
    "drumbeat.audit",
    "drumbeat.accounts",
    "drumbeat.kpis",
    "drumbeat.okrs",
    "drumbeat.scorecard",
    "drumbeat.review",
    "drumbeat.reports",
    "drumbeat.webhooks",
    "drumbeat.exports",
    "drumbeat.imports",
    "drumbeat.worker",
    "drumbeat.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions and sign-in: public and
    # cacheable, unlike every response below it (`never_cache_middleware`).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "drumbeat.common.middleware.never_cache_middleware",
    "drumbeat.common.busy.BusyDatabaseMiddleware",
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
# How long a write waits for another's lock before it is answered 503 (busy).
DATABASE_LOCK_WAIT_SECONDS = env_int("DRUMBEAT_DATABASE_LOCK_WAIT_SECONDS", 20)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers and one writer work at once; a transaction takes the write
    # lock when it begins (IMMEDIATE), so that two never deadlock upgrading to it,
    # and waits for it rather than failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_LOCK_WAIT_SECONDS,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A lock wait past this is given up (and answered 503), never waited for ever.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={DATABASE_LOCK_WAIT_SECONDS * 1000}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-week"  # the dashboard for people who own nothing
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
# Source maps (17 MB of the API docs' bundles) are for developers' tools, fetched
# rarely: compressing them took half of `collectstatic`'s time (28 s -> 15 s).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DRUMBEAT_LOG_LEVEL", "INFO"),
    },
    # WeasyPrint (the board report's PDF) tells each step of every layout at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
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
DRUMBEAT_AUDIT_KEEP_DAYS = env_positive("DRUMBEAT_AUDIT_KEEP_DAYS", 730)
"""Days the audit log keeps an event (the worker forgets older ones daily)."""

DRUMBEAT_SCHEDULER_INTERVAL = env_positive("DRUMBEAT_SCHEDULER_INTERVAL", 30)
"""Seconds between the worker's looks for pulls that are due."""


# --- Signing in: lockouts, passwords, sessions, single sign-on --------------------
# (docs/deploy.md, "Signing in"). Kept in one block: the order of the backends
# and of the middleware below matters.

# Failed sign-ins are counted per account and per address (django-axes); past
# either limit, sign-ins are refused for the cool-off, before any password is hashed:
# axes' backend comes first and refuses a locked-out attempt itself.
DRUMBEAT_LOCKOUT_FAILURES = env_positive("DRUMBEAT_LOCKOUT_FAILURES", 5)
"""Failed sign-ins of one account (username) that lock it."""
DRUMBEAT_LOCKOUT_ADDRESS_FAILURES = env_positive(
    "DRUMBEAT_LOCKOUT_ADDRESS_FAILURES", 20
)
"""Failed sign-ins from one address, whatever the account, that lock it (higher:
an office may share one address)."""
DRUMBEAT_LOCKOUT_MINUTES = env_positive("DRUMBEAT_LOCKOUT_MINUTES", 15)
"""Minutes a lockout lasts, counted from the last failure."""
# The client's address: the connection's, unless a reverse proxy that sets the
# header (its right-most address) is trusted; never trust it without one, since
# anyone may send the header.
DRUMBEAT_TRUSTED_PROXY = env_bool("DRUMBEAT_TRUSTED_PROXY", False)
DRUMBEAT_PROXY_HEADER = os.environ.get("DRUMBEAT_PROXY_HEADER", "X-Forwarded-For")

INSTALLED_APPS += ["axes"]
# Axes' middleware turns a lockout into the sign-in page's refusal: it stays last.
MIDDLEWARE += [
    "drumbeat.accounts.middleware.SessionIdleMiddleware",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "drumbeat.accounts.signin.PasswordBackend",
    "drumbeat.accounts.oidc.OidcBackend",
]
AXES_HANDLER = "drumbeat.accounts.lockouts.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = "drumbeat.accounts.lockouts.lockout_parameters"
AXES_FAILURE_LIMIT = "drumbeat.accounts.lockouts.failure_limit"
AXES_COOLOFF_TIME = "drumbeat.accounts.lockouts.cool_off"
AXES_CLIENT_IP_CALLABLE = "drumbeat.accounts.lockouts.client_address"
AXES_LOCKOUT_CALLABLE = "drumbeat.accounts.signin.lockout_response"
# A refused attempt does not restart the cool-off (nor cost a write in a flood).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # the last sign-in is the person's `last_login`
AXES_VERBOSE = False  # no banner on every start of a command

# Argon2 (Django's parameters: 100 MiB, 2 passes) for every password; at most this
# many hashes at once in a process, so that a flood of sign-ins waits instead of
# taking 100 MiB a request.
PASSWORD_HASHERS = [
    "drumbeat.accounts.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
DRUMBEAT_PASSWORD_CHECKS_AT_ONCE = env_positive("DRUMBEAT_PASSWORD_CHECKS_AT_ONCE", 2)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Invitations by e-mail: their link sets the person's password and expires after
# this many days. Invitation and password-reset e-mails to one address are capped
# per hour, so that neither can be used to flood someone's inbox.
DRUMBEAT_INVITATION_DAYS = env_positive("DRUMBEAT_INVITATION_DAYS", 7)
DRUMBEAT_ACCOUNT_MAILS_PER_HOUR = env_positive("DRUMBEAT_ACCOUNT_MAILS_PER_HOUR", 3)
"""Invitation and password-reset e-mails one address may get in an hour; past it,
more are not sent (a reset request still answers the same, saying nothing)."""
# Django's password-reset links stay valid this long (seconds): one hour.
PASSWORD_RESET_TIMEOUT = 60 * 60

# A session ends after this many minutes without a request (counted to the minute:
# SessionIdleMiddleware saves it again at most once a minute). The worker clears
# ended sessions once a day.
DRUMBEAT_SESSION_IDLE_MINUTES = env_positive("DRUMBEAT_SESSION_IDLE_MINUTES", 8 * 60)
SESSION_COOKIE_AGE = DRUMBEAT_SESSION_IDLE_MINUTES * 60

# Single sign-on with an OpenID Connect provider (mozilla-django-oidc), on when an
# issuer (or its endpoints) and a client id are set. The client secret comes from
# the environment or the secrets file (`oidc-client-secret = ...`), never the
# database; it is read when someone signs in.
DRUMBEAT_OIDC_ISSUER = os.environ.get("DRUMBEAT_OIDC_ISSUER", "").rstrip("/")
DRUMBEAT_OIDC_AUTHORIZATION_ENDPOINT = os.environ.get(
    "DRUMBEAT_OIDC_AUTHORIZATION_ENDPOINT", ""
)
DRUMBEAT_OIDC_TOKEN_ENDPOINT = os.environ.get("DRUMBEAT_OIDC_TOKEN_ENDPOINT", "")
DRUMBEAT_OIDC_USERINFO_ENDPOINT = os.environ.get("DRUMBEAT_OIDC_USERINFO_ENDPOINT", "")
DRUMBEAT_OIDC_JWKS_URI = os.environ.get("DRUMBEAT_OIDC_JWKS_URI", "")
DRUMBEAT_OIDC_CLIENT_ID = os.environ.get("DRUMBEAT_OIDC_CLIENT_ID", "")
DRUMBEAT_OIDC_SCOPES = os.environ.get("DRUMBEAT_OIDC_SCOPES", "openid email profile")
DRUMBEAT_OIDC_NAME = os.environ.get("DRUMBEAT_OIDC_NAME", "single sign-on")
DRUMBEAT_OIDC_CREATE_USERS = env_bool("DRUMBEAT_OIDC_CREATE_USERS", False)
DRUMBEAT_OIDC_ONLY = env_bool("DRUMBEAT_OIDC_ONLY", False)
DRUMBEAT_OIDC_PASSWORD_USERS = env_list("DRUMBEAT_OIDC_PASSWORD_USERS", [])
"""With DRUMBEAT_OIDC_ONLY, the usernames that may still sign in with a password
(break-glass admins)."""
if DRUMBEAT_OIDC_ISSUER and not DRUMBEAT_OIDC_ISSUER.startswith(
    ("https://", "http://")
):
    raise ImproperlyConfigured(
        "DRUMBEAT_OIDC_ISSUER must be the provider's address, starting with "
        f"https://, not {DRUMBEAT_OIDC_ISSUER!r}"
    )
if DRUMBEAT_OIDC_ONLY and not DRUMBEAT_OIDC_CLIENT_ID:
    raise ImproperlyConfigured(
        "DRUMBEAT_OIDC_ONLY needs single sign-on set up: set DRUMBEAT_OIDC_ISSUER "
        "and DRUMBEAT_OIDC_CLIENT_ID"
    )


# --- E-mail: reminders, digests (docs/reminders.md, docs/deploy.md) ---------------
# SMTP when a host is set, else the console (development); `make demo` writes files.
# The password comes from the environment or the secrets file (`email-password`),
# read when a connection opens (drumbeat.common.email.SMTPBackend).
EMAIL_HOST = os.environ.get("DRUMBEAT_EMAIL_HOST", "")
EMAIL_PORT = env_int("DRUMBEAT_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("DRUMBEAT_EMAIL_USER", "")
EMAIL_USE_TLS = env_bool("DRUMBEAT_EMAIL_USE_TLS", bool(EMAIL_HOST))
EMAIL_USE_SSL = env_bool("DRUMBEAT_EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured(
        "DRUMBEAT_EMAIL_USE_TLS and DRUMBEAT_EMAIL_USE_SSL: set one or the other "
        "(STARTTLS on port 587, or TLS from the start on port 465)"
    )
EMAIL_TIMEOUT = env_positive("DRUMBEAT_EMAIL_TIMEOUT", 10)
"""Seconds an SMTP connection may wait: a stuck server never holds the worker."""
DEFAULT_FROM_EMAIL = os.environ.get("DRUMBEAT_EMAIL_FROM", "drumbeat@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DRUMBEAT_EMAIL_FILE_PATH = os.environ.get("DRUMBEAT_EMAIL_FILE_PATH", "")
"""A folder to write each message into as a file instead of sending it (the demo)."""
if EMAIL_HOST:
    EMAIL_BACKEND = "drumbeat.common.email.SMTPBackend"
elif DRUMBEAT_EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DRUMBEAT_EMAIL_FILE_PATH
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DRUMBEAT_EMAIL_ATTEMPTS = env_positive("DRUMBEAT_EMAIL_ATTEMPTS", 6)
"""Tries of one message before it is marked failed."""
DRUMBEAT_EMAIL_BACKOFF_SECONDS = env_positive("DRUMBEAT_EMAIL_BACKOFF_SECONDS", 60)
"""The wait after a message's first failed try, doubled after each one."""
