"""Status changes are announced once committed, for webhooks and schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.readings import reading_record
from drumbeat.kpis.signals import (
    StatusChange,
    kpi_statuses_changed,
    statuses_refreshed,
)
from drumbeat.scorecard.services import statuses_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    got: dict[str, list[Any]] = {"changes": [], "refreshes": []}

    def on_changes(sender, changes, **kwargs):
        got["changes"].extend(changes)

    def on_refresh(sender, as_of, full, **kwargs):
        got["refreshes"].append((as_of, full))

    kpi_statuses_changed.connect(on_changes)
    statuses_refreshed.connect(on_refresh)
    yield got
    kpi_statuses_changed.disconnect(on_changes)
    statuses_refreshed.disconnect(on_refresh)


def test_a_reading_that_turns_a_kpi_green_announces_the_change(
    small_workspace, users, heard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=dt.date(2026, 7, 6))
    heard["changes"].clear()
    with django_capture_on_commit_callbacks(execute=True):
        reading_record(
            kpi=KPI.objects.get(key="csat"),
            at=dt.date.today(),
            value=95,
            by=users["admin"],
        )
    csat = [c for c in heard["changes"] if c.kpi_key == "csat"]
    assert csat == [
        StatusChange(
            kpi_key="csat",
            as_of=dt.date.today(),
            health_before="amber",
            health_after="green",
            stale_before=False,
            stale_after=False,
        )
    ]
    assert heard["refreshes"][-1] == (dt.date.today(), False)


def test_a_refresh_that_changes_nothing_announces_no_change(
    small_workspace, heard, django_capture_on_commit_callbacks
):
    on = dt.date(2026, 7, 6)
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=on)
    heard["changes"].clear()
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=on)
    assert heard["changes"] == []
    assert heard["refreshes"][-1] == (on, True)
