"""A hand-built dictionary with a KPI in every part of the review agenda, read as
of the pinned day (2026-11-25)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from drumbeat.kpis.models import KPI
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text


def _weekly(values: list[float], last: dt.date = dt.date(2026, 11, 20)) -> str:
    start = last - dt.timedelta(weeks=len(values) - 1)
    return ", ".join(
        f"{{at: {start + dt.timedelta(weeks=i)}, value: {value}}}"
        for i, value in enumerate(values)
    )


def _kpi(key: str, tier: str, values: str, team: str = "support", **extra: str) -> str:
    fields = {
        "thresholds": "{green: 90, red: 80}",
        "perspective": "customer",
        **extra,
    }
    more = "".join(f", {name}: {value}" for name, value in fields.items())
    return (
        f"  - {{key: {key}, name: {key}, cadence: weekly, team: {team}, "
        f"tier: {tier}{more}, readings: [{values}]}}\n"
    )


def agenda_text(copies: int = 1) -> str:
    """The dictionary; with `copies`, its KPIs again as `<key>-2`, `<key>-3`..."""
    kpis = ""
    for copy in range(1, copies + 1):
        end = "" if copy == 1 else f"-{copy}"
        kpis += (
            _kpi(f"amber-secondary{end}", "secondary", _weekly([95, 85]))
            + _kpi(f"fine{end}", "key", _weekly([95, 96]))
            + _kpi(f"red-secondary{end}", "secondary", _weekly([70]))
            + _kpi(f"stale{end}", "key", _weekly([95], last=dt.date(2026, 11, 1)))
            + _kpi(f"amber-key{end}", "key", _weekly([85, 86]), perspective="financial")
            + _kpi(
                f"dropping{end}",
                "secondary",
                _weekly([50.0, 51.0] * 10 + [40.0]),
                thresholds="{green: 30, red: 10}",
            )
            + _kpi(f"red-key{end}", "key", _weekly([95, 78, 75]), team="sales")
        )
    return (
        "version: 1\n"
        "teams:\n"
        "  - {key: support, name: Support}\n"
        "  - {key: sales, name: Sales}\n"
        "kpis:\n" + kpis + "cycles:\n"
        "  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n"
        "objectives:\n"
        "  - key: happy\n"
        "    title: Happy customers\n"
        "    cycle: 2026-Q4\n"
        "    key_results:\n"
        "      - {key: red-up, kpi: red-key, target: 95}\n"
    )


AGENDA = agenda_text()

MEETING_ORDER = [
    "red-key",
    "red-secondary",
    "dropping",
    "amber-key",
    "amber-secondary",
    "stale",
]


@pytest.fixture
def agenda_workspace(db: None, users: dict[str, User]) -> dict[str, KPI]:
    """Every bucket and tier; `red-key` (team sales) is owned by `owner`."""
    workspace_apply(load_workspace_text(AGENDA))
    KPI.objects.filter(key="red-key").update(owner=users["owner"])
    return {kpi.key: kpi for kpi in KPI.objects.all()}
