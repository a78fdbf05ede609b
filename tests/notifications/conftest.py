"""A week of the rhythm, hand-built: the Support team checks in on Mondays at
09:00 (UTC); `owner` owns a KR of the active cycle 2026-Q4 never checked in on, and
the manual weekly KPI csat, red, last read 2026-11-02; `editor` checked in on the
same KR; `viewer` owns nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from drumbeat.accounts.models import Membership, Team
from drumbeat.kpis.models import KPI, KPIStatus
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective

MONDAY_0930 = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)
"""Support's check-in day, after its check-in time: week 2026-W49."""


@pytest.fixture
def week(users: dict[str, User]) -> dict[str, User]:
    support = Team.objects.get(key="support")
    Membership.objects.create(user=users["owner"], team=support, role="editor")
    for name, person in users.items():
        person.email = f"{name}@example.com"
        person.first_name = name.capitalize()
        person.save()
    cycle = Cycle.objects.create(
        key="2026-Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    objective = Objective.objects.create(
        key="happier", title="Happier customers", cycle=cycle, team=support
    )
    kpi = KPI.objects.create(
        key="csat",
        name="Customer satisfaction",
        direction="up",
        cadence="weekly",
        tier="key",
        team=support,
        owner=users["owner"],
    )
    KPIStatus.objects.create(
        kpi=kpi,
        as_of=dt.date(2026, 11, 25),
        latest_value=70,
        latest_day=dt.date(2026, 11, 2),
        health="red",
        threshold_health="red",
        stale=False,
        lifecycle="active",
    )
    kr = KeyResult.objects.create(
        objective=objective,
        key="csat-up",
        title="CSAT to 95",
        kpi_key="csat",
        target=95,
        owner=users["owner"],
        score=0.4,
    )
    CheckIn.objects.create(key_result=kr, at=dt.date(2026, 11, 16), by=users["editor"])
    return users
