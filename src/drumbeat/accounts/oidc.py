"""Single sign-on with an OpenID Connect provider, through mozilla-django-oidc:
its views send a person to the provider and take them back, its backend trades the
code for tokens and checks the ID token's signature; what is Drumbeat's own is here.

- **Set up from the environment** (`DRUMBEAT_OIDC_*`): the issuer, whose discovery
  document names the endpoints (fetched at the first sign-in, then kept), or the
  endpoints themselves; the client id; the client secret from
  `DRUMBEAT_OIDC_CLIENT_SECRET` or the secrets file (`oidc-client-secret`), read
  when someone signs in, never stored in the database.
- **Who signs in**: the person whose e-mail address is the one the provider has
  verified. No account is made for an unknown address unless
  `DRUMBEAT_OIDC_CREATE_USERS` says so; an unknown, shared or deactivated address
  is refused with a message saying what to do.
- **The ID token** is checked for its issuer and audience too (the library checks
  only its signature, expiry and nonce), and the user info must be about the same
  subject.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from drumbeat.accounts.selectors import people_with_email
from drumbeat.accounts.services import person_create_at_sign_in
from drumbeat.common.secrets import SecretsFileError, secrets_file_values

logger = logging.getLogger(__name__)

SECRET_NAME = "oidc-client-secret"
TIMEOUT_SECONDS = 10
ALGORITHM = "RS256"

NO_ACCOUNT = (
    "No one here has the e-mail address {email}: ask an admin to add you with it, "
    "then sign in with {name} again."
)
SHARED_EMAIL = (
    "Several people here have the e-mail address {email}: ask an admin to keep it "
    "on one of them only."
)
DEACTIVATED = "The account of {email} is deactivated: ask an admin."
UNVERIFIED = (
    "{name} did not give a verified e-mail address: ask whoever runs {name} to "
    "verify yours."
)
NOT_MADE = "No account could be made for {email} ({reason}): ask an admin to add you."
FAILED = "Signing in with {name} did not work ({reason}): try again, or ask an admin."
STALE = "This sign-in with {name} had expired or was used already: sign in again."
NO_SECRET = (
    "the client secret is not set: set DRUMBEAT_OIDC_CLIENT_SECRET or add "
    f"{SECRET_NAME} to the secrets file (DRUMBEAT_SECRETS_FILE)"
)


class SignInRefusedError(Exception):
    """A single sign-on that came back but may not sign anyone in; the message
    says why, to the person."""


@dataclass(frozen=True)
class OidcProvider:
    """The provider as the settings describe it."""

    name: str
    issuer: str
    client_id: str
    scopes: str
    create_users: bool


@dataclass(frozen=True)
class OidcEndpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str


def oidc_provider() -> OidcProvider | None:
    """The provider, if single sign-on is set up: a client id, and an issuer or
    an authorization endpoint."""
    if not settings.DRUMBEAT_OIDC_CLIENT_ID or not (
        settings.DRUMBEAT_OIDC_ISSUER or settings.DRUMBEAT_OIDC_AUTHORIZATION_ENDPOINT
    ):
        return None
    return OidcProvider(
        name=settings.DRUMBEAT_OIDC_NAME,
        issuer=settings.DRUMBEAT_OIDC_ISSUER,
        client_id=settings.DRUMBEAT_OIDC_CLIENT_ID,
        scopes=settings.DRUMBEAT_OIDC_SCOPES,
        create_users=settings.DRUMBEAT_OIDC_CREATE_USERS,
    )


@functools.cache
def _discovery(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document, fetched once a process (a failure is not
    kept: the next sign-in tries again)."""
    response = requests.get(
        f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT_SECONDS
    )
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict):
        raise ValueError("its discovery document is not a JSON object")
    return document


def oidc_endpoints(provider: OidcProvider) -> OidcEndpoints:
    """The provider's endpoints: those set in the environment, the others from
    the issuer's discovery document. Raises SignInRefusedError if they cannot be had."""
    configured = {
        "authorization_endpoint": settings.DRUMBEAT_OIDC_AUTHORIZATION_ENDPOINT,
        "token_endpoint": settings.DRUMBEAT_OIDC_TOKEN_ENDPOINT,
        "userinfo_endpoint": settings.DRUMBEAT_OIDC_USERINFO_ENDPOINT,
        "jwks_uri": settings.DRUMBEAT_OIDC_JWKS_URI,
    }
    found: dict[str, Any] = {"issuer": provider.issuer}
    if provider.issuer and not all(configured.values()):
        try:
            found = _discovery(provider.issuer)
        except (requests.RequestException, ValueError) as error:
            logger.warning("OIDC discovery at %s failed: %s", provider.issuer, error)
            raise SignInRefusedError(
                FAILED.format(
                    name=provider.name, reason=f"{provider.name} is unreachable"
                )
            ) from None
    values = {key: value or found.get(key, "") for key, value in configured.items()}
    missing = sorted(key for key, value in values.items() if not value)
    if missing:
        raise ImproperlyConfigured(
            f"single sign-on: no {', '.join(missing)}: set DRUMBEAT_OIDC_ISSUER to "
            "an issuer with a discovery document, or set the endpoints"
        )
    return OidcEndpoints(
        issuer=str(found.get("issuer") or provider.issuer),
        authorization=values["authorization_endpoint"],
        token=values["token_endpoint"],
        userinfo=values["userinfo_endpoint"],
        jwks=values["jwks_uri"],
    )


def oidc_client_secret() -> str:
    """The client secret, from the environment or the secrets file."""
    secret = os.environ.get("DRUMBEAT_OIDC_CLIENT_SECRET", "").strip()
    if not secret and settings.DRUMBEAT_SECRETS_FILE:
        try:
            values = secrets_file_values(Path(settings.DRUMBEAT_SECRETS_FILE))
        except SecretsFileError as error:
            raise ImproperlyConfigured(f"single sign-on: {error}") from None
        secret = values.get(SECRET_NAME, "")
    if not secret:
        raise ImproperlyConfigured(f"single sign-on: {NO_SECRET}")
    return secret


def library_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, as Drumbeat sets them (the library reads
    them by name, through `get_settings`)."""
    provider = oidc_provider()
    ours: dict[str, Any] = {
        "OIDC_RP_SCOPES": provider.scopes if provider else "openid email",
        "OIDC_CREATE_USER": provider.create_users if provider else False,
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
        "OIDC_VERIFY_SSL": True,
        "LOGIN_REDIRECT_URL_FAILURE": "login",
    }
    if attr in ours:
        return ours[attr]
    if default:
        return getattr(settings, attr, default[0])
    return getattr(settings, attr)


def person_for_claims(claims: dict[str, Any], provider: OidcProvider) -> User:
    """The person the provider's claims name: the one with the verified e-mail
    address; made if there is none and accounts may be made."""
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is not True:
        raise SignInRefusedError(UNVERIFIED.format(name=provider.name))
    people = people_with_email(email)
    if len(people) > 1:
        raise SignInRefusedError(SHARED_EMAIL.format(email=email))
    if people:
        if not people[0].is_active:
            raise SignInRefusedError(DEACTIVATED.format(email=email))
        return people[0]
    if not provider.create_users:
        raise SignInRefusedError(NO_ACCOUNT.format(email=email, name=provider.name))
    try:
        return person_create_at_sign_in(
            email=email,
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
        )
    except DjangoValidationError as error:
        raise SignInRefusedError(
            NOT_MADE.format(email=email, reason=" ".join(error.messages))
        ) from None


def _refusal(error: Exception, provider: OidcProvider) -> str:
    """Why a sign-in failed, as the person is told (other details are logged)."""
    if isinstance(error, SignInRefusedError):
        return str(error)
    logger.error("single sign-on with %s failed: %s", provider.name, error)
    if isinstance(error, requests.RequestException):
        reason = f"{provider.name} is unreachable"
    elif isinstance(error, ImproperlyConfigured):
        reason = "it is not fully set up here"
    else:
        reason = "its answer could not be trusted"
    return FAILED.format(name=provider.name, reason=reason)


# What may go wrong in a sign-in with the provider: said on the sign-in page.
FAILURES = (
    SignInRefusedError,
    requests.RequestException,
    SuspiciousOperation,
    jwt.PyJWTError,
    ImproperlyConfigured,
)


def _provider_or_404() -> OidcProvider:
    provider = oidc_provider()
    if provider is None:
        raise Http404("Single sign-on is not set up.")
    return provider


class _Settings:
    """mozilla-django-oidc's classes read their settings through `get_settings`."""

    def get_settings(self, attr: str, *default: Any) -> Any:
        return library_setting(attr, *default)


class OidcBackend(_Settings, OIDCAuthenticationBackend):  # type: ignore[misc]
    """The library's backend, set up from `oidc_provider` when a sign-in comes
    back (not for every password sign-in: this backend is asked then too)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = User

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        provider = oidc_provider()
        # Only the callback view passes a nonce: a code sent to another page is
        # not a sign-in.
        if provider is None or request is None or "nonce" not in kwargs:
            return None
        try:
            endpoints = oidc_endpoints(provider)
            self.provider, self.endpoints = provider, endpoints
            self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
            self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
            self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
            self.OIDC_RP_CLIENT_ID = provider.client_id
            self.OIDC_RP_CLIENT_SECRET = oidc_client_secret()
            self.OIDC_RP_SIGN_ALGO = ALGORITHM
            self.OIDC_RP_IDP_SIGN_KEY = None
            return super().authenticate(request, **kwargs)
        except FAILURES as error:
            request.sign_in_refusal = _refusal(error, provider)  # type: ignore[attr-defined]
        return None

    def get_payload_data(self, token: bytes | str, key: Any) -> dict[str, Any]:
        """The ID token's claims, once its signature, expiry, issuer and audience
        are checked."""
        payload: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=self.endpoints.issuer or None,
            options={"require": ["exp", "iat", "sub", "aud"]},
        )
        return payload

    def get_userinfo(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("the user info is about another subject")
        return claims

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User:
        claims = self.get_userinfo(access_token, id_token, payload)
        return person_for_claims(claims, self.provider)


class OidcStartView(_Settings, OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends a person to the provider to sign in (404 without single sign-on)."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the endpoints are found in `get`

    def get(self, request: HttpRequest) -> HttpResponse:
        provider = _provider_or_404()
        try:
            endpoints = oidc_endpoints(provider)
        except FAILURES as error:
            messages.error(request, _refusal(error, provider))
            return redirect("login")
        self.OIDC_OP_AUTH_ENDPOINT = endpoints.authorization
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response: HttpResponse = super().get(request)
        return response


class OidcCallbackView(_Settings, OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Where the provider sends a person back: signed in, or back on the sign-in
    page with the reason they were not."""

    def get(self, request: HttpRequest) -> HttpResponse:
        provider = _provider_or_404()
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation:  # a state this session did not send
            request.sign_in_refusal = STALE.format(  # type: ignore[attr-defined]
                name=provider.name
            )
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        request = self.request
        name = settings.DRUMBEAT_OIDC_NAME
        refusal = getattr(request, "sign_in_refusal", None)
        if refusal is None and request.GET.get("error"):
            reason = request.GET.get("error_description") or request.GET["error"]
            refusal = FAILED.format(name=name, reason=reason)
        messages.error(request, refusal or STALE.format(name=name))
        return redirect("login")
