"""Single sign-on with OpenID Connect, against the tests' own provider on
127.0.0.1 (`tests/accounts/oidc_provider.py`): who is let in, who is refused and
why, and the password form when single sign-on is the only way in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from drumbeat.accounts import oidc
from drumbeat.accounts.signin import PASSWORD_SIGN_IN_OFF
from tests.accounts.oidc_provider import Provider
from tests.conftest import PASSWORD, signs_in

VERA = {"sub": "vera-1", "email": "vera@example.com", "email_verified": True}


def sso_sign_in(
    client: Client, provider: Provider, claims: dict[str, Any], next_url: str = ""
) -> Any:
    """Sign in with the provider as the person of `claims`, following every
    redirect: to the provider, back with a code, then on from the callback."""
    provider.claims = claims
    start = client.get("/sign-in/sso/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.issuer}/authorize?")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/sign-in/sso/callback/"
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).username if user_id else None


@pytest.fixture
def vera(users):
    users["viewer"].email = "Vera@Example.com"
    users["viewer"].save()
    return users["viewer"]


def test_the_sign_in_page_offers_the_provider_when_set_up(users, sso):
    page = Client().get("/sign-in/").content.decode()
    assert "Sign in with Acme ID" in page
    assert 'name="password"' in page  # the password form stays, by default


def test_without_single_sign_on_the_page_has_no_such_button(users):
    page = Client().get("/sign-in/").content.decode()
    assert "Sign in with" not in page
    assert Client().get("/sign-in/sso/").status_code == 404
    assert Client().get("/sign-in/sso/callback/?code=x&state=y").status_code == 404


def test_a_person_signs_in_with_the_verified_address_of_their_account(vera, sso):
    client = Client()
    response = sso_sign_in(client, sso, VERA)
    assert response.redirect_chain[-1] == ("/", 302)
    assert response.status_code == 200
    assert signed_in_as(client) == "viewer"


def test_a_single_sign_on_goes_on_to_the_page_asked_for(vera, sso):
    client = Client()
    response = sso_sign_in(client, sso, VERA, next_url="/kpis/")
    assert response.redirect_chain[-1] == ("/kpis/", 302)
    assert signed_in_as(client) == "viewer"


def test_an_unknown_address_is_refused_and_no_account_is_made(users, sso):
    client = Client()
    stranger = {"sub": "x-9", "email": "stranger@example.com", "email_verified": True}
    response = sso_sign_in(client, sso, stranger)
    assert response.redirect_chain[-1] == ("/sign-in/", 302)
    assert (
        "No one here has the e-mail address stranger@example.com: ask an admin to add "
        "you with it, then sign in with Acme ID again."
    ) in response.content.decode()
    assert signed_in_as(client) is None
    assert not User.objects.filter(email="stranger@example.com").exists()


def test_an_unverified_address_is_refused(vera, sso):
    client = Client()
    response = sso_sign_in(client, sso, {**VERA, "email_verified": False})
    assert (
        "Acme ID did not give a verified e-mail address: ask whoever runs Acme ID to "
        "verify yours."
    ) in response.content.decode()
    assert signed_in_as(client) is None


def test_an_address_two_people_share_is_refused(vera, users, sso):
    users["editor"].email = "vera@example.com"
    users["editor"].save()
    client = Client()
    response = sso_sign_in(client, sso, VERA)
    assert (
        "Several people here have the e-mail address vera@example.com: ask an admin to "
        "keep it on one of them only."
    ) in response.content.decode()
    assert signed_in_as(client) is None


def test_a_deactivated_person_is_refused(vera, sso):
    vera.is_active = False
    vera.save()
    client = Client()
    response = sso_sign_in(client, sso, VERA)
    assert (
        "The account of vera@example.com is deactivated: ask an admin."
        in response.content.decode()
    )
    assert signed_in_as(client) is None


def test_an_account_is_made_at_first_sign_in_when_allowed(users, sso, settings):
    settings.DRUMBEAT_OIDC_CREATE_USERS = True
    client = Client()
    claims = {
        "sub": "n-1",
        "email": "New.Person@example.com",
        "email_verified": True,
        "given_name": "New",
        "family_name": "Person",
    }
    sso_sign_in(client, sso, claims)
    person = User.objects.get(email="New.Person@example.com")
    assert (person.username, person.get_full_name()) == (
        "new.person@example.com",
        "New Person",
    )
    assert (person.is_staff, person.has_usable_password()) == (False, False)
    assert signed_in_as(client) == "new.person@example.com"


def test_an_id_token_made_for_another_client_is_refused(vera, sso):
    sso.audience = "another-app"
    client = Client()
    response = sso_sign_in(client, sso, VERA)
    assert (
        "Signing in with Acme ID did not work (its answer could not be trusted): try "
        "again, or ask an admin."
    ) in response.content.decode()
    assert signed_in_as(client) is None


def test_a_callback_this_browser_did_not_start_is_refused(vera, sso):
    client = Client()
    client.get("/sign-in/sso/")  # a sign-in started, with another state
    response = client.get("/sign-in/sso/callback/?code=x&state=forged", follow=True)
    assert (
        "This sign-in with Acme ID had expired or was used already: sign in again."
        in response.content.decode()
    )
    assert signed_in_as(client) is None


def test_a_refusal_from_the_provider_is_said(vera, sso):
    client = Client()
    response = client.get(
        "/sign-in/sso/callback/?error=access_denied&error_description=not+allowed",
        follow=True,
    )
    assert (
        "Signing in with Acme ID did not work (not allowed): try again, or ask an "
        "admin."
    ) in response.content.decode()


def test_an_unreachable_provider_is_said_on_the_sign_in_page(users, settings):
    settings.DRUMBEAT_OIDC_ISSUER = "http://127.0.0.1:9"  # discard: nothing listens
    settings.DRUMBEAT_OIDC_CLIENT_ID = "drumbeat"
    settings.DRUMBEAT_OIDC_NAME = "Acme ID"
    response = Client().get("/sign-in/sso/", follow=True)
    assert response.redirect_chain == [("/sign-in/", 302)]
    assert (
        "Signing in with Acme ID did not work (Acme ID is unreachable): try again, or "
        "ask an admin."
    ) in response.content.decode()


def test_the_client_secret_may_come_from_the_secrets_file(
    vera, sso, settings, monkeypatch, tmp_path
):
    monkeypatch.delenv("DRUMBEAT_OIDC_CLIENT_SECRET")
    secrets = tmp_path / "secrets"
    secrets.write_text(f"oidc-client-secret = {sso.client_secret}\n")
    secrets.chmod(0o600)
    settings.DRUMBEAT_SECRETS_FILE = str(secrets)
    client = Client()
    sso_sign_in(client, sso, VERA)
    assert signed_in_as(client) == "viewer"


def test_without_a_client_secret_the_sign_in_says_it_is_not_set_up(
    vera, sso, monkeypatch, caplog
):
    monkeypatch.delenv("DRUMBEAT_OIDC_CLIENT_SECRET")
    client = Client()
    response = sso_sign_in(client, sso, VERA)
    assert (
        "Signing in with Acme ID did not work (it is not fully set up here)"
        in response.content.decode()
    )
    assert "DRUMBEAT_OIDC_CLIENT_SECRET" in caplog.text
    assert signed_in_as(client) is None


def test_the_endpoints_may_be_set_without_discovery(vera, sso, settings):
    endpoints = sso.discovery()
    settings.DRUMBEAT_OIDC_ISSUER = ""
    settings.DRUMBEAT_OIDC_AUTHORIZATION_ENDPOINT = endpoints["authorization_endpoint"]
    settings.DRUMBEAT_OIDC_TOKEN_ENDPOINT = endpoints["token_endpoint"]
    settings.DRUMBEAT_OIDC_USERINFO_ENDPOINT = endpoints["userinfo_endpoint"]
    settings.DRUMBEAT_OIDC_JWKS_URI = endpoints["jwks_uri"]
    client = Client()
    sso_sign_in(client, sso, VERA)
    assert signed_in_as(client) == "viewer"


# --- Single sign-on as the only way in ---------------------------------------------


def test_sso_only_hides_the_password_form(users, sso, settings):
    settings.DRUMBEAT_OIDC_ONLY = True
    page = Client().get("/sign-in/").content.decode()
    assert "Sign in with Acme ID" in page
    assert 'name="password"' not in page


def test_sso_only_refuses_a_password_with_a_message(users, sso, settings, monkeypatch):
    settings.DRUMBEAT_OIDC_ONLY = True
    hashes = count_hashes(monkeypatch)
    client = Client()
    response = client.post("/sign-in/", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 200
    assert PASSWORD_SIGN_IN_OFF.format(name="Acme ID") in response.content.decode()
    assert signed_in_as(client) is None
    assert hashes == []  # refused before any password was hashed


def test_sso_only_refuses_a_password_on_the_django_admins_sign_in_too(
    users, sso, settings
):
    settings.DRUMBEAT_OIDC_ONLY = True
    client = Client()
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert signed_in_as(client) is None


def test_sso_only_lets_a_break_glass_admin_sign_in_with_a_password(
    users, sso, settings
):
    settings.DRUMBEAT_OIDC_ONLY = True
    settings.DRUMBEAT_OIDC_PASSWORD_USERS = ["admin"]
    page = Client().get("/sign-in/?with=password").content.decode()
    assert 'name="password"' in page
    assert signs_in("admin", PASSWORD)
    assert not signs_in("viewer", PASSWORD)


def test_sso_only_still_lets_people_in_with_the_provider(vera, sso, settings):
    settings.DRUMBEAT_OIDC_ONLY = True
    client = Client()
    sso_sign_in(client, sso, VERA)
    assert signed_in_as(client) == "viewer"


def count_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Argon2 hash computed from now on, by kind ("encode", "verify")."""
    from drumbeat.accounts.hashers import BoundedArgon2PasswordHasher

    calls: list[str] = []
    for name in ("encode", "verify"):
        original = getattr(BoundedArgon2PasswordHasher, name)

        def spy(self: Any, *args: Any, _name: str = name, _original: Any = original):
            calls.append(_name)
            return _original(self, *args)

        monkeypatch.setattr(BoundedArgon2PasswordHasher, name, spy)
    return calls


def test_discovery_is_fetched_once(vera, sso):
    oidc._discovery.cache_clear()
    sso_sign_in(Client(), sso, VERA)
    sso_sign_in(Client(), sso, VERA)
    assert oidc._discovery.cache_info().misses == 1
