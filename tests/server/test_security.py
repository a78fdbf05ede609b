"""What every answer carries for the browser's protection (docs/deploy.md, "HTTPS
and the browser's protections"): the Content-Security-Policy, no caching of pages
and API answers, no framing, no content sniffing, and cookies scripts cannot read;
and the settings that turn on HTTPS behind a proxy."""

from __future__ import annotations

import os
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from drumbeat.accounts.services import token_create
from drumbeat.server.settings import env_origins, env_proxy_ssl_header
from tests.conftest import PASSWORD, client_for

SRC = Path(__file__).parents[2] / "src" / "drumbeat"


def policy(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = [
        part.split() for part in response["Content-Security-Policy"].split(";")
    ]
    return {name: sources for name, *sources in directives}


def assert_protected(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert policy(response)["default-src"] == ["'self'"]


@pytest.mark.django_db
def test_a_page_to_a_signed_in_person_is_protected_and_never_cached(
    small_workspace, users
):
    response = client_for(users["viewer"]).get("/")
    assert response.status_code == 200
    assert_protected(response)


@pytest.mark.django_db
def test_the_policy_allows_no_inline_code_no_eval_and_no_framing(
    small_workspace, users
):
    directives = policy(client_for(users["viewer"]).get("/"))
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }


@pytest.mark.django_db
def test_an_api_answer_is_protected_and_never_cached(small_workspace, users):
    issued = token_create(
        user=users["viewer"], name="ci", scopes=["read"], expires_at=None
    )
    response = Client(headers={"Authorization": f"Bearer {issued.secret}"}).get(
        "/api/v1/kpis"
    )
    assert response.status_code == 200
    assert_protected(response)


@pytest.mark.django_db
def test_an_anonymous_api_refusal_is_never_cached_either():
    response = Client().get("/api/v1/kpis")
    assert response.status_code == 401
    assert_protected(response)


def test_a_static_file_may_be_cached():
    response = Client().get("/static/drumbeat/drumbeat.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "public" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_session_and_csrf_cookies_are_for_https_only_and_unreadable_by_scripts(
    users,
):
    client = Client()
    client.get("/sign-in/")
    response = client.post("/sign-in/", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 302
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert (name, cookie["secure"], cookie["httponly"]) == (name, True, True)


# --- No inline code in the templates ------------------------------------------

# E-mails are not pages: no policy applies to them, and mail readers want their
# styles inline (templates under an `email` folder).
TEMPLATES = sorted(
    path
    for path in SRC.glob("*/templates/**/*.html")
    if "email" not in path.relative_to(SRC).parts
)
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>"), "script"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"<style[\s>]", re.IGNORECASE), "style element"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def test_the_templates_are_found():
    assert len(TEMPLATES) > 30
    assert SRC / "server" / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_has_inline_code_the_policy_would_refuse(template: Path):
    """Scripts and styles come from static files; data for scripts goes in data
    attributes or `json_script` (JSON, which the browser never runs)."""
    text = template.read_text()
    found = [what for pattern, what in INLINE if pattern.search(text)]
    assert found == []


# --- The settings of HTTPS behind a proxy ------------------------------------


def settings_with(tmp_path: Path, **variables: str) -> dict[str, Any]:
    """The settings module run afresh with these variables (Django's loaded
    settings are left as they are)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("DRUMBEAT_")]:
            patch.delenv(name)
        patch.setenv("DRUMBEAT_DATA_DIR", str(tmp_path))
        for name, value in variables.items():
            patch.setenv(name, value)
        return runpy.run_path(str(SRC / "server" / "settings.py"))


def test_debug_is_off_and_cookies_https_only_unless_asked(tmp_path: Path):
    production = settings_with(tmp_path)
    assert (production["DEBUG"], production["SESSION_COOKIE_SECURE"]) == (False, True)
    debugging = settings_with(tmp_path, DRUMBEAT_DEBUG="1")
    assert (debugging["DEBUG"], debugging["SESSION_COOKIE_SECURE"]) == (True, False)


def test_https_behind_a_proxy_is_off_unless_set(tmp_path: Path):
    plain = settings_with(tmp_path)
    assert plain["SECURE_PROXY_SSL_HEADER"] is None
    assert plain["SECURE_SSL_REDIRECT"] is False
    assert plain["SECURE_HSTS_SECONDS"] == 0


def test_https_behind_a_proxy_from_the_environment(tmp_path: Path):
    behind = settings_with(
        tmp_path,
        DRUMBEAT_PROXY_SSL_HEADER="X-Forwarded-Proto",
        DRUMBEAT_SSL_REDIRECT="true",
        DRUMBEAT_HSTS_SECONDS="3600",
        DRUMBEAT_HSTS_INCLUDE_SUBDOMAINS="true",
    )
    assert behind["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert behind["SECURE_SSL_REDIRECT"] is True
    assert behind["SECURE_HSTS_SECONDS"] == 3600
    assert behind["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert behind["SECURE_HSTS_PRELOAD"] is False


def test_a_negative_hsts_duration_is_refused(tmp_path: Path):
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_with(tmp_path, DRUMBEAT_HSTS_SECONDS="-1")
    assert str(refused.value) == "DRUMBEAT_HSTS_SECONDS must be 0 or more"


def test_the_proxy_header_is_off_unless_named(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DRUMBEAT_PROXY_SSL_HEADER", raising=False)
    assert env_proxy_ssl_header("DRUMBEAT_PROXY_SSL_HEADER") is None


def test_the_proxy_header_is_named_as_the_proxy_sends_it(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("DRUMBEAT_PROXY_SSL_HEADER", "X-Forwarded-Proto")
    assert env_proxy_ssl_header("DRUMBEAT_PROXY_SSL_HEADER") == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )


def test_a_proxy_header_that_is_not_a_header_name_is_refused(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("DRUMBEAT_PROXY_SSL_HEADER", "X-Forwarded-Proto: https")
    with pytest.raises(ImproperlyConfigured) as refused:
        env_proxy_ssl_header("DRUMBEAT_PROXY_SSL_HEADER")
    assert str(refused.value) == (
        "DRUMBEAT_PROXY_SSL_HEADER must be a header name such as X-Forwarded-Proto, "
        "not 'X-Forwarded-Proto: https'"
    )


def test_trusted_origins_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(
        "DRUMBEAT_CSRF_TRUSTED_ORIGINS",
        "https://drumbeat.example.com, http://localhost:8000",
    )
    assert env_origins("DRUMBEAT_CSRF_TRUSTED_ORIGINS") == [
        "https://drumbeat.example.com",
        "http://localhost:8000",
    ]


@pytest.mark.parametrize(
    "origin", ["drumbeat.example.com", "https://drumbeat.example.com/", "https://"]
)
def test_a_trusted_origin_without_a_scheme_or_with_a_path_is_refused(
    monkeypatch: pytest.MonkeyPatch, origin: str
):
    monkeypatch.setenv("DRUMBEAT_CSRF_TRUSTED_ORIGINS", origin)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_origins("DRUMBEAT_CSRF_TRUSTED_ORIGINS")
    assert str(refused.value) == (
        f"DRUMBEAT_CSRF_TRUSTED_ORIGINS: {origin!r} is not an origin such as "
        "https://drumbeat.example.com (a scheme and a host, no path)"
    )
