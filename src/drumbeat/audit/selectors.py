"""Reads of the audit log, filtered as its page and its export ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from drumbeat.audit.models import Event


@dataclass(frozen=True)
class EventFilters:
    """What the log is narrowed to: a kind, a person (by username), words in the
    subject or summary, and days from `since` to `until`, both included."""

    kind: str = ""
    person: str = ""
    search: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> EventFilters:
        return cls(
            kind=query.get("kind", "").strip(),
            person=query.get("person", "").strip(),
            search=query.get("q", "").strip(),
            since=_day(query.get("since", "")),
            until=_day(query.get("until", "")),
        )


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def events_filtered(filters: EventFilters) -> QuerySet[Event]:
    """The events the filters keep, newest first."""
    events = Event.objects.all()
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.person:
        events = events.filter(actor_name=filters.person)
    if filters.search:
        events = events.filter(
            Q(subject__icontains=filters.search) | Q(summary__icontains=filters.search)
        )
    if filters.since:
        events = events.filter(at__date__gte=filters.since)
    if filters.until:
        events = events.filter(at__date__lte=filters.until)
    return events
