"""The filter chains the pages, the REST API and the exports share: KPIs by team,
tier, perspective, keys, health and staleness; readings by correction and day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from drumbeat.kpis.models import KPI, KPIStatus, Reading
from drumbeat.kpis.selectors import kpis_filtered, readings_filtered

pytestmark = pytest.mark.django_db


def _keys(**filters: Any) -> list[str]:
    kpis = kpis_filtered(KPI.objects.order_by("key"), **filters)
    return list(kpis.values_list("key", flat=True))


@pytest.fixture
def csat_green(small_workspace: None) -> None:
    """csat green and fresh; churn stays red and stale."""
    KPIStatus.objects.filter(kpi__key="csat").update(health="green", stale=False)


@pytest.mark.parametrize(
    ("filters", "keys"),
    [
        pytest.param({}, ["churn", "csat"], id="none-narrows-nothing"),
        pytest.param({"team": "support"}, ["churn", "csat"], id="team"),
        pytest.param({"team": "company"}, [], id="team-without-kpis"),
        pytest.param({"tier": "key"}, ["csat"], id="tier"),
        pytest.param({"perspective": "financial"}, ["churn"], id="perspective"),
        pytest.param({"keys": ["csat", "nps"]}, ["csat"], id="keys"),
        pytest.param({"health": "green"}, ["csat"], id="health"),
        pytest.param({"stale": True}, ["churn"], id="stale"),
        pytest.param({"stale": False}, ["csat"], id="fresh"),
        pytest.param({"exceptions_only": True}, ["churn"], id="exceptions"),
        pytest.param({"tier": "key", "health": "red"}, [], id="all-must-hold"),
    ],
)
def test_kpis_filtered(csat_green, filters, keys):
    assert _keys(**filters) == keys


def test_kpis_filtered_via_chooses_the_readings_of_those_kpis(small_workspace):
    readings = kpis_filtered(Reading.objects.all(), via="kpi__", tier="key")
    assert set(readings.values_list("kpi__key", flat=True)) == {"csat"}


def _days(**filters: Any) -> list[dt.date]:
    readings = readings_filtered(Reading.objects.order_by("day"), **filters)
    return list(readings.values_list("day", flat=True))


def test_readings_filtered_leaves_out_superseded_readings_unless_asked(
    small_workspace,
):
    Reading.objects.filter(day=dt.date(2026, 7, 3)).update(superseded_at=timezone.now())
    assert _days() == [dt.date(2026, 6, 26), dt.date(2026, 6, 30)]
    assert dt.date(2026, 7, 3) in _days(superseded=True)


@pytest.mark.parametrize(
    ("filters", "days"),
    [
        pytest.param(
            {"since": dt.date(2026, 6, 30)},
            [dt.date(2026, 6, 30), dt.date(2026, 7, 3)],
            id="since-inclusive",
        ),
        pytest.param(
            {"until": dt.date(2026, 6, 30)},
            [dt.date(2026, 6, 26), dt.date(2026, 6, 30)],
            id="until-inclusive",
        ),
        pytest.param(
            {"since": dt.date(2026, 6, 27), "until": dt.date(2026, 7, 2)},
            [dt.date(2026, 6, 30)],
            id="between",
        ),
    ],
)
def test_readings_filtered_by_day(small_workspace, filters, days):
    assert _days(**filters) == days
