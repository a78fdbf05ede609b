"""One writer at a time where writes recompute what they move.

A write of readings, a definition or an OKR recomputes, in its transaction, the
statuses, scores and lint findings it moves, and those overlap between writes
(two readings of one KPI, two KRs of one objective, the findings of one cycle).
Concurrent writes on PostgreSQL then collided (duplicate keys, deadlocks, two
current readings of a moment). Such writes take one transaction-level advisory
lock before any row lock, so they run one after another, always in the same lock
order; readers are never blocked. SQLite already lets one writer at a time in
(its transactions begin IMMEDIATE: see the settings).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import connection, transaction

WRITES_LOCK = 0x6472756D62656174
"""The advisory lock's key ("drumbeat" in ASCII)."""

Params = ParamSpec("Params")
Result = TypeVar("Result")


def writes_serialized() -> None:
    """Wait for, and hold until the transaction ends, the lock of writes that
    recompute (re-entrant: a transaction that holds it takes it again at once)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITES_LOCK])


def serialized_write(
    function: Callable[Params, Result],
) -> Callable[Params, Result]:
    """A service in one transaction that first takes the lock of writes that
    recompute (`writes_serialized`), before any row lock."""

    @functools.wraps(function)
    def write(*args: Params.args, **kwargs: Params.kwargs) -> Result:
        with transaction.atomic():
            writes_serialized()
            return function(*args, **kwargs)

    return write
