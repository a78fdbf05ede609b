"""Optimistic locking for edit forms: a form carries the version it was opened at,
and a save over someone else's newer change is refused, never silently applied."""

from __future__ import annotations

from typing import Any

from django.utils import timezone


class StaleEditError(Exception):
    """Someone else saved the object after the form was opened."""


def ensure_unchanged(locked: Any, version: int) -> None:
    """Raise with who changed `locked` and when, if it moved past `version`."""
    if locked.version == version:
        return
    who = locked.updated_by.get_username() if locked.updated_by else "someone"
    when = timezone.localtime(locked.updated_at).strftime("%Y-%m-%d %H:%M")
    raise StaleEditError(
        f"Changed by {who} at {when} since you opened it; reload to see it."
    )
