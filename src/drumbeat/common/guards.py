"""Who is an admin, and the guards of admin-only views and API routes: anyone but
an admin is refused (PermissionDenied, a 403) with a message saying who may."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

Params = ParamSpec("Params")
Result = TypeVar("Result")


class AdminRequest(HttpRequest):
    """A request that `admin_required` let through: its user is an admin (for
    type checking only; the request is Django's own)."""

    user: User


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    """An admin is a signed-in staff user: they manage people, teams, cycles and
    the KPI dictionary."""
    return bool(user.is_authenticated and getattr(user, "is_staff", False))


def require_admin(user: AbstractBaseUser | AnonymousUser, refusal: str) -> User:
    """The user, if an admin; anyone else is refused with `refusal`."""
    if not (isinstance(user, User) and is_admin(user)):
        raise PermissionDenied(refusal)
    return user


def admin_required(
    refusal: str,
) -> Callable[
    [Callable[Concatenate[AdminRequest, Params], Result]],
    Callable[Concatenate[HttpRequest, Params], Result],
]:
    """A view decorator: anyone but an admin is refused with `refusal` before the
    view runs; the view reads the admin as `request.user`."""

    def decorate(
        view: Callable[Concatenate[AdminRequest, Params], Result],
    ) -> Callable[Concatenate[HttpRequest, Params], Result]:
        @functools.wraps(view)
        def guarded(
            request: HttpRequest, /, *args: Params.args, **kwargs: Params.kwargs
        ) -> Result:
            require_admin(request.user, refusal)
            return view(cast(AdminRequest, request), *args, **kwargs)

        return guarded

    return decorate
