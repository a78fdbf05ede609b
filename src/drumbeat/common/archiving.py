"""The pages' Archive, Restore and Delete buttons: one POST each, a service
called for the person, and back to the page with what happened or why not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def archive_button(
    request: HttpRequest,
    change: Callable[[User], Any],
    *,
    back: str,
    done: str,
    refusals: tuple[type[Exception], ...] = (),
) -> HttpResponse:
    """Run `change` for the signed-in person and go `back` with `done` shown; a
    ValidationError (or one of `refusals`) is shown there instead. Whoever may
    not change the thing gets a 403."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in first.")
    try:
        change(user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except refusals as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(back)
