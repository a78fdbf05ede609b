"""Writes to the audit log. Every service that changes people, roles, tokens,
webhooks, definitions, sources, targets, cycles or readings records one event,
in its own transaction, so the log never holds a change that was rolled back."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from drumbeat.audit.models import Event


def event_record(
    *,
    kind: str,
    action: str,
    subject: str,
    by: User | AnonymousUser | None,
    summary: str = "",
    changes: Mapping[str, Any] | None = None,
) -> Event:
    """Keep one change: `kind` (an `Event.Kind`), what was done (`created`,
    `changed`, `revoked`...), to which (`subject`, a key or a name), by whom (None:
    the system: a pull, the worker, a command)."""
    person = by if isinstance(by, User) else None
    return Event.objects.create(
        at=timezone.now(),
        actor=person,
        actor_name=person.get_username() if person else "",
        kind=kind,
        action=action,
        subject=subject[:200],
        summary=summary,
        changes=_plain(changes or {}),
    )


def change_record(
    *,
    kind: str,
    subject: str,
    by: User | AnonymousUser | None,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
) -> Event | None:
    """Keep a row created (`before` None: its values) or changed (the fields that
    moved; nothing when none did)."""
    if before is None:
        fields = {name: [None, value] for name, value in after.items() if value}
        return event_record(
            kind=kind,
            action="created",
            subject=subject,
            by=by,
            summary=changes_text(fields),
            changes=fields,
        )
    changes = changes_between(before, after, after.keys())
    if not changes:
        return None
    return event_record(
        kind=kind,
        action="changed",
        subject=subject,
        by=by,
        summary=changes_text(changes),
        changes=changes,
    )


def values_of(row: Any, fields: Iterable[str]) -> dict[str, Any]:
    """A row's values of `fields`, for `change_record` (related rows by their
    string)."""
    values = {}
    for name in fields:
        value = getattr(row, name)
        values[name] = (
            value
            if value is None
            or isinstance(value, str | int | float | bool | list | dict | dt.date)
            else str(value)
        )
    return values


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, list[Any]]:
    """The fields whose value moved, field → [before, after]."""
    return {
        name: [before.get(name), after.get(name)]
        for name in fields
        if before.get(name) != after.get(name)
    }


def changes_text(changes: Mapping[str, list[Any]]) -> str:
    """`target 95 → 97; owner Grace → Ana`, for the log's summary column."""
    return "; ".join(
        f"{name} {_shown(old)} → {_shown(new)}" for name, (old, new) in changes.items()
    )


def _shown(value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(_whole(value), ensure_ascii=False, sort_keys=True)
    return str(_whole(value))


def _whole(value: Any) -> Any:
    """Whole floats as integers (90.0 reads 90), all the way down."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    return value


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text."""
    return json.loads(json.dumps(value, default=str))


def events_prune(*, now: dt.datetime | None = None) -> int:
    """Forget events older than `DRUMBEAT_AUDIT_KEEP_DAYS` (the history tables of
    definitions and readings' corrections stay); how many."""
    moment = now or timezone.now()
    cutoff = moment - dt.timedelta(days=settings.DRUMBEAT_AUDIT_KEEP_DAYS)
    deleted, _ = Event.objects.filter(at__lt=cutoff).delete()
    return deleted


def archived_set(
    *,
    row: Any,
    archived: bool,
    by: User | None,
    kind: str,
    subject: str,
    reason: str = "",
) -> bool:
    """Archive (`archived`) or restore an `Archivable` row, kept in its history
    and the log with who, when and why; False when it already stood so."""
    if row.archived == archived:
        return False
    row.archived_at = timezone.now() if archived else None
    row.archived_by = by if archived else None
    row._history_user = by  # simple_history: who, in a request or not
    row.save(update_fields=["archived_at", "archived_by"])
    event_record(
        kind=kind,
        action="archived" if archived else "restored",
        subject=subject,
        by=by,
        summary=reason,
    )
    return True
