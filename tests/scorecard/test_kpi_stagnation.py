"""The KPI page says when a KPI is stagnating (pinned clock: 2026-11-25), to every
signed-in role; a KPI that moves says nothing of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _weekly(values: list[float], last: dt.date = dt.date(2026, 11, 20)) -> str:
    start = last - dt.timedelta(weeks=len(values) - 1)
    return ", ".join(
        f"{{at: {start + dt.timedelta(weeks=i)}, value: {value}}}"
        for i, value in enumerate(values)
    )


FLAT = [40.0, 41.0] * 4
RISING = [40.0 + week for week in range(8)]


def _apply() -> None:
    workspace_apply(
        load_workspace_text(
            "version: 1\nkpis:\n"
            f"  - {{key: dau, name: DAU, cadence: weekly, review_cadence: monthly, "
            f"thresholds: {{green: 50}}, "
            f"readings: [{_weekly(FLAT)}]}}\n"
            f"  - {{key: mau, name: MAU, cadence: weekly, thresholds: {{green: 50}}, "
            f"readings: [{_weekly(RISING)}]}}\n"
        )
    )


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_a_flat_kpi_short_of_green_says_it_is_stagnating(users, role) -> None:
    _apply()
    page = client_for(users[role]).get("/kpis/dau/").content.decode()
    assert "data-stagnation" in page
    assert "weekly · reviewed monthly" in page
    assert (
        "stagnating: below its green threshold (50), no favourable signal in its "
        "last 8 readings and a trend of 0 within its noise of ±3"
    ) in page
    assert (
        "data-stagnation"
        not in client_for(users[role]).get("/kpis/mau/").content.decode()
    )


def test_anonymous_is_sent_to_sign_in() -> None:
    _apply()
    assert Client().get("/kpis/dau/").status_code == 302
