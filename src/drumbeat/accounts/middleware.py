"""Sessions that end after a time without use (`DRUMBEAT_SESSION_IDLE_MINUTES`).

A session's expiry is set each time it is saved, to SESSION_COOKIE_AGE from then.
Saving it on every request (SESSION_SAVE_EVERY_REQUEST) would make every page view
a write; here a signed-in session is saved again only once a minute has passed since
it last was, so the idle time is counted to the minute and reading stays a read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REFRESHED_KEY = "drumbeat_refreshed_at"
REFRESH_SECONDS = 60


def session_touch(session: Any) -> None:
    """Note that a session was used now (its next save restarts its idle time)."""
    session[REFRESHED_KEY] = timezone.now().timestamp()


def on_signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A new session starts its idle time at sign-in (`user_logged_in`)."""
    session_touch(request.session)


class SessionIdleMiddleware:
    """Restarts a signed-in session's idle time, at most once a minute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if "_auth_user_id" in session:
            refreshed = session.get(REFRESHED_KEY)
            now = timezone.now().timestamp()
            if not isinstance(refreshed, float) or now - refreshed >= REFRESH_SECONDS:
                session_touch(session)
        return self.get_response(request)
