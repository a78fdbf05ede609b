"""The migration that adds stored suggestions, run on a database with statuses."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.kpis.models import KPIStatus
from drumbeat.okrs.models import PlanSuggestion
from drumbeat.scorecard.services import statuses_refresh_daily
from tests.conftest import latest_migrations, migrate

BEFORE = [("okrs", "0005_owner_accounts"), ("kpis", "0004_archive")]
AFTER = [("okrs", "0006_plan_suggestions")]


@pytest.mark.django_db(transaction=True)
def test_existing_statuses_are_marked_for_the_refresh_that_stores_suggestions():
    apps = migrate(BEFORE)
    kpi = apps.get_model("kpis", "KPI").objects.create(
        key="csat", name="CSAT", direction="up", tier="key"
    )
    apps.get_model("kpis", "KPIStatus").objects.create(
        kpi=kpi,
        as_of=dt.date(2026, 11, 25),
        health="green",
        threshold_health="green",
        lifecycle="watch",
    )
    apps = migrate(AFTER)
    status = apps.get_model("kpis", "KPIStatus").objects.get()
    assert status.as_of < dt.date(2026, 11, 25)
    migrate(latest_migrations())
    # The worker's daily pass sees them outdated and refreshes (suggestions too).
    assert statuses_refresh_daily(today=dt.date(2026, 11, 25))
    assert KPIStatus.objects.get().as_of == dt.date(2026, 11, 25)
    assert PlanSuggestion.objects.count() == 0  # no cycle, nothing to suggest
