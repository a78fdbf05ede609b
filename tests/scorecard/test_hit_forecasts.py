"""The hit forecasts of a running cycle's KRs, for the pages
(`scorecard.selectors.key_result_hit_forecasts`) and the API (`forecast`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.core.forecast import TOO_FEW_READINGS, HitForecast, NoForecast
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import Cycle, KeyResult, Objective
from drumbeat.scorecard.selectors import key_result_hit_forecasts
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

JULY_25 = dt.datetime(2026, 7, 25, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def running(small_workspace, users, time_machine):
    """2026-07-25 in 2026-Q3: csat read weekly since the cycle began (88, 89, 90,
    91), churn once before it."""
    time_machine.move_to(JULY_25)
    csat = KPI.objects.get(key="csat")
    for day, value in ((10, 89), (17, 90), (24, 91)):
        reading_record(kpi=csat, at=f"2026-07-{day}", value=value, by=users["admin"])
    return users


def _forecasts(cycle_key: str = "2026-Q3") -> dict[int, HitForecast | NoForecast]:
    return key_result_hit_forecasts(Cycle.objects.filter(key=cycle_key))


def test_each_kr_of_a_running_cycle_has_its_forecast_or_why_not(running):
    forecasts = _forecasts()
    csat_up = forecasts[KeyResult.objects.get(key="csat-up").pk]
    assert isinstance(csat_up, HitForecast)
    assert csat_up.value > 91  # a point a week goes on to the end of September
    assert 0 <= csat_up.p_hit <= 1
    churn = forecasts[KeyResult.objects.get(key="churn-down").pk]
    assert churn == NoForecast(TOO_FEW_READINGS)


def test_a_cycle_that_is_not_running_has_no_forecasts(running, time_machine):
    time_machine.move_to(dt.datetime(2026, 10, 5, tzinfo=dt.UTC))
    assert _forecasts() == {}


def test_the_forecasts_cost_the_same_queries_for_more_krs(running):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _forecasts()
        return len(captured)

    few = queries()
    happier = Objective.objects.get(key="happier")
    for index in range(4):
        KeyResult.objects.create(
            objective=happier, key=f"csat-{index}", kpi_key="csat", target=99
        )
    assert len(_forecasts()) == 6
    assert queries() == few


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_the_api_gives_each_kr_its_forecast(running, role):
    body = client_for(running[role]).get("/api/v1/objectives?cycle=2026-Q3").json()
    csat_up, churn_down = body["items"][0]["key_results"]
    assert set(csat_up["forecast"]) == {"value", "p_hit"}
    assert churn_down["forecast"] is None
