"""Who a REST API request comes from: a person's session, or one of their personal
tokens (`Authorization: Bearer dbt_...`), whose scopes narrow what it may do and
never widen the person's role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from drumbeat.accounts.models import ApiToken
from drumbeat.accounts.services import token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a live personal token of an active person.

    A request that sends a token that is not live (expired, revoked, unknown, or
    its person deactivated) is refused as unauthenticated (401), not tried as a
    browser session: it would then fail the session's CSRF check with a 403 that
    says nothing about the token."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        found = token_authenticate(token)
        if found is None:
            raise AuthenticationError(401, "token not live")
        request.api_token = found  # type: ignore[attr-defined]
        request.user = found.user
        return found.user


def scoped(request: HttpRequest, scope: str) -> User:
    """The person behind the request, provided the token it came with (if any)
    holds `scope`; `admin` holds every scope. Sessions hold every scope."""
    token: ApiToken | None = getattr(request, "api_token", None)
    if token is not None and scope not in token.scopes and "admin" not in token.scopes:
        raise PermissionDenied(
            f"This token lacks the '{scope}' scope: make one that has it."
        )
    user = request.user
    assert isinstance(user, User)  # authentication ran before the operation
    return user
