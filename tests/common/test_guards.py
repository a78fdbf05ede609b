"""The admin guards: anyone but a signed-in staff user is refused with the page's
own message, before the view runs. No database: users are made, not saved."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from drumbeat.common.guards import AdminRequest, admin_required, require_admin

REFUSAL = "Only admins tune the drums."


def _request(user: User | AnonymousUser) -> HttpRequest:
    request = RequestFactory().get("/drums/")
    request.user = user
    return request


def test_require_admin_returns_the_admin():
    admin = User(username="ada", is_staff=True)
    assert require_admin(admin, REFUSAL) is admin


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(AnonymousUser(), id="anonymous"),
        pytest.param(User(username="bob", is_staff=False), id="not-staff"),
    ],
)
def test_require_admin_refuses_anyone_else_with_the_message(user):
    with pytest.raises(PermissionDenied, match=REFUSAL):
        require_admin(user, REFUSAL)


@admin_required(REFUSAL)
def _drums(request: AdminRequest, key: str) -> HttpResponse:
    """Tune the drums."""
    return HttpResponse(f"{request.user.username} tunes {key}")


def test_admin_required_runs_the_view_for_an_admin():
    response = _drums(_request(User(username="ada", is_staff=True)), key="snare")
    assert response.content == b"ada tunes snare"


def test_admin_required_refuses_before_the_view_runs():
    with pytest.raises(PermissionDenied, match=REFUSAL):
        _drums(_request(User(username="bob")), key="snare")


def test_admin_required_keeps_the_view_name_and_docstring():
    assert _drums.__name__ == "_drums"
    assert _drums.__doc__ == "Tune the drums."
