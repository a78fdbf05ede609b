"""The bodies webhooks receive: the JSON of schema 1 (documented in
docs/webhooks.md) and the same event as one human sentence, for Slack-compatible
webhooks.

Plain values in, plain values out: no database, no network.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from drumbeat.core.contract import plain_number
from drumbeat.core.display import format_number, format_percent

SCHEMA = 1

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class KPIFacts:
    """What an event says about a KPI, read from the dictionary and its status."""

    key: str
    name: str
    unit: str
    cadence: str
    owner: str
    team: str
    health: str
    previous_health: str | None
    stale: bool
    latest_value: float | None
    latest_day: dt.date | None
    url: str


@dataclass(frozen=True, slots=True)
class ObjectiveClose:
    """An objective's final grade at its cycle's close."""

    key: str
    title: str
    team: str
    commitment: str
    score: float | None
    grade: str | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class CycleFacts:
    key: str
    start: dt.date
    end: dt.date
    url: str
    objectives: tuple[ObjectiveClose, ...]


def envelope(
    event: str, event_id: uuid.UUID, occurred_at: dt.datetime, **body: Any
) -> JSON:
    """The fields every payload has, then the event's own."""
    return {
        "schema": SCHEMA,
        "event": event,
        "id": str(event_id),
        "occurred_at": occurred_at.isoformat(),
        **body,
    }


def kpi_json(kpi: KPIFacts) -> JSON:
    return {
        "key": kpi.key,
        "name": kpi.name,
        "unit": kpi.unit,
        "health": kpi.health,
        "previous_health": kpi.previous_health,
        "stale": kpi.stale,
        "latest_value": plain_number(kpi.latest_value),
        "latest_day": kpi.latest_day.isoformat() if kpi.latest_day else None,
        "cadence": kpi.cadence,
        "owner": kpi.owner,
        "team": kpi.team,
        "url": kpi.url,
    }


def cycle_json(cycle: CycleFacts) -> JSON:
    return {
        "key": cycle.key,
        "start": cycle.start.isoformat(),
        "end": cycle.end.isoformat(),
        "url": cycle.url,
        "objectives": [
            {
                "key": o.key,
                "title": o.title,
                "team": o.team,
                "commitment": o.commitment,
                "score": plain_number(o.score),
                "grade": o.grade,
                "outcome": o.outcome,
            }
            for o in cycle.objectives
        ],
    }


def _value(kpi: KPIFacts) -> str:
    if kpi.latest_value is None:
        return "with no reading"
    unit = f" {kpi.unit}" if kpi.unit else ""
    return f"at {format_number(kpi.latest_value)}{unit}"


def health_changed_text(kpi: KPIFacts) -> str:
    """The sentence: "Customer satisfaction (csat) turned red at 78 percent, from
    amber. URL"."""
    was = f", from {kpi.previous_health}" if kpi.previous_health else ""
    verb = "recovered to green" if kpi.health == "green" else f"turned {kpi.health}"
    return f"{kpi.name} ({kpi.key}) {verb} {_value(kpi)}{was}. {kpi.url}"


def stale_text(kpi: KPIFacts) -> str:
    """The sentence: "Customer satisfaction (csat) is stale: its latest reading is
    from 2026-06-03; it is a weekly KPI. URL"."""
    cadence = f"; it is a {kpi.cadence} KPI" if kpi.cadence else ""
    if kpi.latest_day is None:
        return f"{kpi.name} ({kpi.key}) is stale: it has no reading{cadence}. {kpi.url}"
    return (
        f"{kpi.name} ({kpi.key}) is stale: its latest reading is from "
        f"{kpi.latest_day.isoformat()}{cadence}. {kpi.url}"
    )


def _percent(score: float | None) -> str:
    return "no score" if score is None else format_percent(score)


def cycle_closed_text(cycle: CycleFacts) -> str:
    """The close in a few lines: one per objective with its final grade."""
    head = (
        f"Cycle {cycle.key} ({cycle.start.isoformat()} to {cycle.end.isoformat()}) "
        "closed."
    )
    if not cycle.objectives:
        return f"{head} It had no objectives. {cycle.url}"
    lines = [f"{head} Final grades:"]
    for objective in cycle.objectives:
        grade = f", {objective.grade}" if objective.grade else ""
        outcome = (
            f" ({objective.outcome.replace('_', ' ')})" if objective.outcome else ""
        )
        lines.append(
            f"• {objective.title}: {_percent(objective.score)}{grade}{outcome}"
        )
    lines.append(cycle.url)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One item of a team's weekly agenda: what (a KPI or a KR), its state in
    words, and its page."""

    kind: str
    key: str
    name: str
    state: str
    owner: str
    url: str


@dataclass(frozen=True, slots=True)
class DigestFacts:
    team_key: str
    team_name: str
    period: str
    url: str
    lines: tuple[DigestLine, ...]


def digest_json(digest: DigestFacts) -> JSON:
    return {
        "team": {"key": digest.team_key, "name": digest.team_name},
        "period": digest.period,
        "url": digest.url,
        "items": [
            {
                "kind": line.kind,
                "key": line.key,
                "name": line.name,
                "state": line.state,
                "owner": line.owner,
                "url": line.url,
            }
            for line in digest.lines
        ],
    }


def digest_text(digest: DigestFacts) -> str:
    """The team's week in a few lines: "Sales's week 2026-W48: 2 items." then one
    bullet per item with its state and link."""
    count = len(digest.lines)
    items = (
        "nothing needs the team"
        if not count
        else f"{count} item" + ("" if count == 1 else "s")
    )
    lines = [f"{digest.team_name}'s week {digest.period}: {items}."]
    for line in digest.lines:
        owner = f" ({line.owner})" if line.owner else ""
        lines.append(f"• {line.name}{owner}: {line.state}. {line.url}")
    lines.append(digest.url)
    return "\n".join(lines)


def webhook_test_text(webhook_name: str) -> str:
    return f"Test event from Drumbeat for the webhook “{webhook_name}”: it works."
