"""The API tokens page: everyone makes, lists and revokes their own personal
tokens; a token is shown once and only its digest is kept; admins oversee and
revoke everyone's live tokens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from drumbeat.accounts.models import ApiToken
from drumbeat.accounts.services import token_authenticate, token_create
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "owner", "viewer", "outsider"]


def _token_form(**changes: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "name": "nightly import",
        "scopes": ["read", "readings:write"],
        "expires_at": "90",
    }
    form.update(changes)
    return form


def _shown_token(page: str) -> str:
    found = re.search(r"<code data-api-token>([^<]+)</code>", page)
    assert found is not None, "no token on the page"
    return found.group(1)


def _rows(page: str, attribute: str = "data-token") -> dict[str, str]:
    return dict(re.findall(rf'<tr {attribute}="(\d+)">(.*?)</tr>', page, re.S))


def _field(page: str, label: str) -> str:
    """The label of a form field (or the fieldset of a set of checkboxes), with
    its input, help and errors."""
    found = re.search(
        rf"<label>{label} .*?</label>\s*(?=<label>|<fieldset|<button)"
        rf"|<fieldset[^>]*>\s*<legend>{label}</legend>.*?</fieldset>",
        page,
        re.S,
    )
    assert found is not None, f"no field {label!r} on the page"
    return found.group(0)


def _token_of(user: User, name: str = "script", **fields: object) -> str:
    issued = token_create(
        user=user,
        name=name,
        scopes=["read"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    if fields:
        ApiToken.objects.filter(pk=issued.token.pk).update(**fields)
    return issued.secret


@pytest.mark.parametrize("role", ROLES)
def test_each_role_makes_a_token_and_lists_it(users, role):
    client = client_for(users[role])
    response = client.post("/tokens/", _token_form())
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (users[role], "nightly import")
    assert token.scopes == ["read", "readings:write"]
    assert token.revoked_at is None
    rows = _rows(client.get("/tokens/").content.decode())
    assert list(rows) == [str(token.pk)]
    row = rows[str(token.pk)]
    assert "nightly import" in row
    assert f"<code>{token.prefix}…</code>" in row
    assert "read, readings:write" in row
    assert 'data-state="active">active' in row
    assert "never" in row  # not used yet


def test_the_token_is_shown_once_with_how_to_use_it(users):
    client = client_for(users["viewer"])
    response = client.post("/tokens/", _token_form())
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    secret = _shown_token(page)
    assert secret.startswith("dbt_")
    assert len(secret) >= 40
    assert (
        f'curl -H "Authorization: Bearer {secret}" http://testserver/api/v1/kpis'
        in page
    )
    assert 'href="/api/v1/docs"' in page
    assert token_authenticate(secret) == ApiToken.objects.get()
    assert secret not in client.get("/tokens/").content.decode()


def test_only_a_digest_of_the_token_is_kept(users):
    page = client_for(users["editor"]).post("/tokens/", _token_form()).content.decode()
    secret = _shown_token(page)
    token = ApiToken.objects.get()
    assert token.digest != secret
    assert len(token.digest) == 64
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not [name for name, value in row.items() if secret in str(value)]
    assert secret.startswith(token.prefix)


def test_the_expiry_is_counted_from_now_or_never(users):
    client = client_for(users["owner"])
    before = timezone.now()
    client.post("/tokens/", _token_form(name="yearly", expires_at="365"))
    client.post("/tokens/", _token_form(name="forever", expires_at="never"))
    yearly = ApiToken.objects.get(name="yearly")
    assert yearly.expires_at is not None
    assert before + dt.timedelta(days=365) <= yearly.expires_at
    assert yearly.expires_at <= timezone.now() + dt.timedelta(days=365)
    assert ApiToken.objects.get(name="forever").expires_at is None
    row = _rows(client.get("/tokens/").content.decode())[
        str(ApiToken.objects.get(name="forever").pk)
    ]
    assert re.search(r"<td>never</td>\s*<td>never</td>", row)  # expires, last used


def test_the_admin_scope_is_offered_to_everyone_and_explained(users):
    page = client_for(users["viewer"]).get("/tokens/").content.decode()
    assert 'value="admin"' in page
    assert "admin: every change your role allows" in page


def test_people_see_only_their_own_tokens(users):
    _token_of(users["editor"], name="editor's script")
    _token_of(users["viewer"], name="viewer's script")
    page = client_for(users["viewer"]).get("/tokens/").content.decode()
    assert "viewer&#x27;s script" in page
    assert "editor&#x27;s script" not in page
    assert "Everyone&#x27;s live tokens" not in page


def test_a_person_revokes_their_token_and_it_no_longer_authenticates(users):
    secret = _token_of(users["owner"])
    token = ApiToken.objects.get()
    client = client_for(users["owner"])
    response = client.post(f"/tokens/{token.pk}/revoke/", follow=True)
    assert response.redirect_chain == [("/tokens/", 302)]
    page = response.content.decode()
    assert f"Token script ({token.prefix}…) is revoked." in page
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_authenticate(secret) is None
    row = _rows(page)[str(token.pk)]
    assert '<span class="badge stale">revoked</span>' in row
    assert "Revoke</button>" not in row


@pytest.mark.parametrize("role", ["editor", "owner", "viewer", "outsider"])
def test_a_person_cannot_revoke_anothers_token(users, role):
    secret = _token_of(users["admin"])
    token = ApiToken.objects.get()
    response = client_for(users[role]).post(f"/tokens/{token.pk}/revoke/")
    assert response.status_code in (403, 404)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_authenticate(secret) == token


def test_an_admin_sees_everyones_live_tokens_and_revokes_any(users):
    secret = _token_of(users["viewer"], name="viewer's script")
    _token_of(users["editor"], name="old", revoked_at=timezone.now())
    _token_of(users["owner"], name="lapsed", expires_at=timezone.now())
    live = ApiToken.objects.get(name="viewer's script")
    client = client_for(users["admin"])
    page = client.get("/tokens/").content.decode()
    assert _rows(page) == {}  # the admin has none of their own
    everyones = _rows(page, "data-live-token")
    assert list(everyones) == [str(live.pk)]
    assert ">viewer</a>" in everyones[str(live.pk)]
    assert f"<code>{live.prefix}…</code>" in everyones[str(live.pk)]
    response = client.post(f"/tokens/{live.pk}/revoke/", follow=True)
    assert f"Token viewer&#x27;s script ({live.prefix}…) of viewer is revoked." in (
        response.content.decode()
    )
    assert _rows(response.content.decode(), "data-live-token") == {}
    assert token_authenticate(secret) is None


def test_revoking_takes_a_post(users):
    _token_of(users["owner"])
    token = ApiToken.objects.get()
    response = client_for(users["owner"]).get(f"/tokens/{token.pk}/revoke/")
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_unknown_token_is_a_404(users):
    assert client_for(users["admin"]).post("/tokens/999/revoke/").status_code == 404


def test_an_expired_token_is_shown_as_expired(users):
    secret = _token_of(
        users["owner"], expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    token = ApiToken.objects.get()
    page = client_for(users["owner"]).get("/tokens/").content.decode()
    row = _rows(page)[str(token.pk)]
    assert 'data-state="expired"><span class="badge stale">expired</span>' in row
    assert "Revoke</button>" not in row
    assert token_authenticate(secret) is None


def test_the_last_use_is_shown(users):
    used_at = timezone.make_aware(dt.datetime(2026, 7, 3, 9, 30))
    _token_of(users["owner"], last_used_at=used_at)
    page = client_for(users["owner"]).get("/tokens/").content.decode()
    row = _rows(page)[str(ApiToken.objects.get().pk)]
    assert f'<time datetime="{used_at.isoformat()}">2026-07-03 09:30 UTC</time>' in row


def test_a_token_without_scope_is_refused_beside_the_field_and_values_kept(users):
    response = client_for(users["editor"]).post(
        "/tokens/", _token_form(scopes=[], expires_at="365")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose at least one scope." in _field(page, "Scopes")
    assert 'value="nightly import"' in _field(page, "Name")
    assert re.search(r'value="365"\s+selected', _field(page, "Expires"))
    assert "data-api-token" not in page
    assert not ApiToken.objects.exists()


def test_a_token_without_a_name_is_refused_beside_the_field_and_values_kept(users):
    response = client_for(users["editor"]).post(
        "/tokens/", _token_form(name="  ", scopes=["admin"])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Name the token after what will use it." in _field(page, "Name")
    assert re.search(r'value="admin"[^>]*checked', _field(page, "Scopes"))
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("method", "url"), [("get", "/tokens/"), ("post", "/tokens/"), ("post", "rev")]
)
def test_anonymous_visitors_are_sent_to_sign_in(users, method, url):
    _token_of(users["owner"])
    token = ApiToken.objects.get()
    url = f"/tokens/{token.pk}/revoke/" if url == "rev" else url
    response = getattr(Client(), method)(url, _token_form())
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_the_nav_links_to_the_tokens_page(users):
    page = client_for(users["viewer"]).get("/kpis/").content.decode()
    assert 'href="/tokens/">API tokens</a>' in page


def _queries_for_tokens(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/tokens/").status_code == 200
    return len(queries)


def _more_tokens(count: int) -> None:
    """`count` more people, each with a live, a used, a revoked and an expired
    token."""
    start = User.objects.count()
    for n in range(start, start + count):
        person = User.objects.create_user(f"person-{n}")
        _token_of(person, name="live")
        _token_of(person, name="used", last_used_at=timezone.now())
        _token_of(person, name="revoked", revoked_at=timezone.now())
        _token_of(person, name="expired", expires_at=timezone.now())
    admin = User.objects.get(username="admin")
    for n in range(count):
        _token_of(admin, name=f"admin's {n}")


def test_the_tokens_page_runs_the_same_queries_whatever_the_number_of_tokens(users):
    client = client_for(users["admin"])
    _more_tokens(2)
    few = _queries_for_tokens(client)
    _more_tokens(20)
    many = _queries_for_tokens(client)
    assert ApiToken.objects.count() == 22 * 5
    page = client.get("/tokens/").content.decode()
    assert len(_rows(page)) == 22
    assert len(_rows(page, "data-live-token")) == 22 * 3
    assert few == many
