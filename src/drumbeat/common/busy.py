"""A busy database answers 503 with `Retry-After`, never 500.

SQLite lets one writer in at a time and others wait (up to the busy timeout of
the settings); PostgreSQL may give up a lock wait or break a deadlock. Either way
nothing was written (the transaction rolled back) and the same request a moment
later will do: the client is told so, in the API's error shape or on a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 5

BUSY_MESSAGE = (
    "The database is busy with other changes; nothing was written. Try again in a "
    "few seconds."
)

_SQLITE_BUSY = ("database is locked", "database table is locked")
_POSTGRESQL_BUSY = {"40001", "40P01", "55P03", "57014"}
"""serialization failure, deadlock, lock not available, a lock wait cancelled."""


def database_busy(error: BaseException) -> bool:
    """Whether an error is a database too busy to answer, not a fault."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code in _POSTGRESQL_BUSY:
        return True
    text = str(error).lower()
    return any(phrase in text for phrase in _SQLITE_BUSY)


SHORT_WAIT_MS = 200


@contextmanager
def short_lock_wait() -> Iterator[None]:
    """A transaction that waits for a lock a moment only (for a write that may be
    skipped, such as noting a token's last use), then fails as busy."""
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{SHORT_WAIT_MS}ms'")
            yield
        return
    # SQLite: set before the transaction begins, which is when it takes the lock.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (waited,) = cursor.fetchone() or (0,)
        cursor.execute(f"PRAGMA busy_timeout = {SHORT_WAIT_MS}")
    try:
        with transaction.atomic():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with `Retry-After`: the API's JSON error, or a page."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        body = {
            "error": {
                "status": 503,
                "code": "busy",
                "message": BUSY_MESSAGE,
                "problems": [],
            }
        }
        response = JsonResponse(body, status=503)
    else:
        page = render_to_string("busy.html", {"message": BUSY_MESSAGE}, request)
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BusyDatabaseMiddleware:
    """Turns a busy database's error into a 503 with `Retry-After`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        if database_busy(exception):
            return busy_response(request)
        return None
