"""The sign-in page: a password, single sign-on (`accounts.oidc`), or both.

With `DRUMBEAT_OIDC_ONLY`, the page offers single sign-on alone and password
sign-in is refused, on this page and on any other (the Django admin's), before a
password is hashed, except for the usernames of `DRUMBEAT_OIDC_PASSWORD_USERS`
(break-glass admins, who open `/sign-in/?with=password`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from drumbeat.accounts.lockouts import locked_out_message
from drumbeat.accounts.oidc import oidc_provider

PASSWORD_SIGN_IN_OFF = (
    "Password sign-in is turned off here: sign in with {name} instead."
)


def password_sign_in_allowed(username: str) -> bool:
    """Whether `username` may sign in with a password (always, unless single
    sign-on is the only way in)."""
    if not settings.DRUMBEAT_OIDC_ONLY:
        return True
    return username in settings.DRUMBEAT_OIDC_PASSWORD_USERS


def _sso_name() -> str:
    return str(settings.DRUMBEAT_OIDC_NAME)


class PasswordBackend(ModelBackend):
    """Django's username-and-password backend, which refuses anyone
    `password_sign_in_allowed` refuses, before hashing anything."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or not password_sign_in_allowed(username):
            return None
        return super().authenticate(request, username, password, **kwargs)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, which says so when password sign-in is off."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username is not None and not password_sign_in_allowed(username):
            raise ValidationError(PASSWORD_SIGN_IN_OFF.format(name=_sso_name()))
        return super().clean()


def sign_in_context(request: HttpRequest) -> dict[str, Any]:
    """What the sign-in page shows beside the form: single sign-on, if set up, and
    whether the password form is offered."""
    provider = oidc_provider()
    return {
        "sso_name": provider.name if provider else None,
        "sso_url": reverse("oidc_authentication_init") if provider else None,
        "password_form": not settings.DRUMBEAT_OIDC_ONLY
        or request.GET.get("with") == "password",
    }


class SignInView(LoginView):
    """Django's sign-in view with the page's single sign-on and lockout."""

    form_class = SignInForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **sign_in_context(self.request)}


def lockout_response(
    request: HttpRequest, response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page, refusing a locked-out account or address (axes'
    AXES_LOCKOUT_CALLABLE); 429 Too Many Requests."""
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "next": request.POST.get("next", request.GET.get("next", "")),
        "lockout": locked_out_message(),
        **sign_in_context(request),
    }
    return render(request, "registration/login.html", context, status=429)
