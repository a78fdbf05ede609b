"""Where KPI readings are pulled from: one folder per kind of data source.

Each kind (`sql/` today) has the same shape: a `fetch(source, limits)` function
that takes the KPI's `source` definition (as the workspace file writes it) and
returns the rows it found, `(at, value)` each, or raises `SourceError` with a
message a person can act on (and no secret in it). Recording the rows, the pull's
state and its schedule are the same for every kind: `drumbeat.kpis.sources.services`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


class SourceError(Exception):
    """A pull that failed, with a message for a person; never holds a password."""


@dataclass(frozen=True, slots=True)
class PullLimits:
    """How long a pull may run and how many rows it may bring back."""

    timeout: float
    """Seconds."""
    max_rows: int


Row = tuple[Any, Any]
"""One reading as a source gives it: `(at, value)`; `at` is None for a single
value that the pull stamps with the day it runs."""

Fetch = Callable[[Mapping[str, Any], PullLimits], list[Row]]


def source_fetcher(kind: str) -> Fetch | None:
    """The `fetch` of a kind of source that is pulled; None for kinds that are
    pushed or typed (`manual`, `csv`, `push`)."""
    if kind == "sql":
        from drumbeat.kpis.sources.sql import fetch

        return fetch
    return None


PULLED_KINDS = ("sql",)
"""The kinds of source the worker pulls."""
