"""Suggestions stored at refresh, like statuses: after every kind of change they
equal what `drumbeat.core.suggest` computes from the whole workspace, and the plan
page reads them in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest.mock import patch

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.core.contract import plain_target
from drumbeat.kpis.models import KPI
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.models import Cycle, KeyResult, Objective, PlanSuggestion
from drumbeat.okrs.services import KEY_RESULT_FIELDS, cycle_save, key_result_save
from drumbeat.scorecard.selectors import (
    computed_suggestions,
    cycle_suggestions,
    cycles_with_stored_suggestions,
    database_workspace,
    stored_suggestions,
)
from drumbeat.scorecard.sync import workspace_apply
from drumbeat.workspace import load_workspace_text
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)  # the suite's pinned day: 2026-Q4 runs, 2027-Q1 comes


def _kpi(key: str, values: list[float], extra: str = "") -> str:
    readings = "".join(
        f"      - {{at: 2026-{month:02d}-01, value: {value}}}\n"
        for month, value in enumerate(values, start=6)
    )
    return (
        f"  - key: {key}\n    name: {key.upper()}\n    unit: percent\n"
        f"    cadence: monthly\n    perspective: customer\n{extra}"
        f"    readings:\n{readings}"
    )


def _workspace(churn_red: float = 2.0) -> str:
    return (
        "version: 1\norganisation: Test Co\nkpis:\n"
        + _kpi(
            "csat",
            [85, 86, 85, 84, 85, 86],
            "    tier: key\n    thresholds: {green: 90, red: 80}\n",
        )
        + _kpi(
            "churn",
            [2.5, 2.6, 2.4, 2.5, 2.6, 2.5],
            f"    direction: down\n    thresholds: {{green: 1.5, red: {churn_red}}}\n",
        )
        + _kpi(
            "nps",
            [40, 41, 40, 42, 41, 40],
            "    thresholds: {green: 30, red: 20}\n"
            "    benchmarks: {industry: 45, best_in_class: 70}\n",
        )
        + _kpi(
            "uptime",
            [99.9, 99.9, 99.95, 99.9, 99.9, 99.9],
            "    thresholds: {green: 99.5, red: 99}\n",
        )
        + "cycles:\n"
        "  - {key: 2026-Q3, start: 2026-07-01, end: 2026-09-30}\n"
        "  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n"
        "  - {key: 2027-Q1, start: 2027-01-01, end: 2027-03-31}\n"
        "objectives:\n"
        "  - key: calmer\n    title: Fewer customers leave\n    cycle: 2026-Q4\n"
        "    key_results:\n      - {key: churn-down, kpi: churn, target: 1.5}\n"
        "  - key: next\n    title: Customers recommend us\n    cycle: 2027-Q1\n"
        "    key_results:\n      - {key: uptime-up, kpi: uptime, target: 99.99}\n"
    )


def _rows(rows: list[PlanSuggestion]) -> list[tuple[object, ...]]:
    return [
        (
            row.kpi.key,
            row.band,
            row.precedence,
            row.title,
            row.why,
            row.baseline,
            row.commit,
            row.stretch,
            row.health,
            row.stale,
            row.stagnating,
            row.annual_direction,
            row.draft_query,
        )
        for row in rows
    ]


def _assert_stored_equal_computed() -> dict[str, list[str]]:
    """Stored and computed suggestions agree in every cycle stored; by cycle, the
    keys of the KPIs suggested."""
    suggested = {}
    for cycle in cycles_with_stored_suggestions(TODAY):
        stored = _rows(stored_suggestions(cycle))
        assert stored == _rows(computed_suggestions(cycle, TODAY)), cycle.key
        suggested[cycle.key] = [str(row[0]) for row in stored]
    return suggested


@pytest.fixture
def planned(db: None) -> None:
    workspace_apply(load_workspace_text(_workspace()))


def test_apply_stores_the_suggestions_of_the_running_and_coming_cycles(planned):
    assert _assert_stored_equal_computed() == {
        # churn is 2026-Q4's KR; uptime is green and has no benchmark.
        "2026-Q4": ["csat", "nps"],
        "2027-Q1": ["churn", "csat", "nps"],
    }
    # A past cycle's suggestions are computed when asked, not stored.
    assert not PlanSuggestion.objects.filter(cycle__key="2026-Q3").exists()


def test_a_new_reading_moves_the_stored_suggestions(planned, users):
    reading_record(
        kpi=KPI.objects.get(key="uptime"), at="2026-10-01", value=98.0, by=None
    )
    suggested = _assert_stored_equal_computed()
    # Judged at 2026-Q4's start, uptime is red now: red comes first.
    assert suggested["2026-Q4"] == ["uptime", "csat", "nps"]


def test_a_new_key_result_takes_its_kpi_off_the_cycle_suggestions(planned, users):
    objective = Objective.objects.get(key="next")
    values = dict.fromkeys(KEY_RESULT_FIELDS, "") | {
        "key": "nps-up",
        "title": "Raise NPS to 45",
        "kpi_key": "nps",
        "kind": "change",
        "baseline": None,
        "target": 45,
        "deadline": None,
        "weight": 1.0,
    }
    key_result_save(
        objective=objective, key_result=None, values=values, by=users["admin"]
    )
    suggested = _assert_stored_equal_computed()
    assert "nps" not in suggested["2027-Q1"]
    assert "nps" in suggested["2026-Q4"]


def test_applying_a_changed_file_moves_the_stored_suggestions(planned):
    workspace_apply(load_workspace_text(_workspace(churn_red=3)))
    suggested = _assert_stored_equal_computed()
    # churn is amber now, as csat is; csat, a key KPI, comes first.
    assert suggested["2027-Q1"] == ["csat", "churn", "nps"]
    assert PlanSuggestion.objects.get(cycle__key="2027-Q1", kpi__key="churn").band == 1


def test_a_cycle_moved_into_the_past_loses_its_stored_suggestions(planned, users):
    cycle = Cycle.objects.get(key="2027-Q1")
    cycle_save(
        cycle=cycle,
        values={
            "key": "2027-Q1",
            "start": dt.date(2026, 4, 1),
            "end": dt.date(2026, 6, 30),
        },
        by=users["admin"],
        version=cycle.version,
    )
    assert not PlanSuggestion.objects.filter(cycle=cycle).exists()
    _assert_stored_equal_computed()


def test_the_plan_page_shows_the_stored_suggestions_in_order(planned, users):
    page = client_for(users["viewer"]).get("/cycles/2027-Q1/plan/").content.decode()
    assert (
        page.index('data-suggestion="churn"')
        < page.index('data-suggestion="csat"')
        < page.index('data-suggestion="nps"')
    )
    assert 'data-suggestion="uptime"' not in page


def _plan_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cycles/2026-Q4/plan/").status_code == 200
    return len(queries)


def test_the_plan_page_reads_stored_suggestions_in_constant_queries(planned, users):
    client = client_for(users["editor"])
    cycle = Cycle.objects.get(key="2026-Q4")

    def more(start: int, count: int) -> None:
        kpis = KPI.objects.bulk_create(
            KPI(key=f"bulk-{n}", name=f"Bulk {n}", direction="up", tier="secondary")
            for n in range(start, start + count)
        )
        PlanSuggestion.objects.bulk_create(
            PlanSuggestion(
                cycle=cycle,
                kpi=kpi,
                band=2,
                precedence=4,
                kind="change",
                title=f"Improve {kpi.name}",
                why="behind its benchmark",
                health="green",
                draft_query=f"kpi={kpi.key}",
                as_of=TODAY,
            )
            for kpi in kpis
        )

    more(0, 2)
    few = _plan_queries(client)
    more(2, 30)
    assert _plan_queries(client) == few
    assert KeyResult.objects.exists()


def test_the_plan_lists_the_first_suggestions_then_all_on_demand(planned, users):
    client = client_for(users["viewer"])
    with override_shown(2):
        first = client.get("/cycles/2027-Q1/plan/").content.decode()
        every = client.get("/cycles/2027-Q1/plan/?all=1").content.decode()
    assert first.count("data-suggestion=") == 2
    assert '<a href="?all=1">Show every KPI worth elevating</a>' in first
    assert every.count("data-suggestion=") == 3
    assert "?all=1" not in every


def override_shown(count: int) -> Any:
    return patch("drumbeat.scorecard.views.SUGGESTIONS_SHOWN", count)


def test_the_api_serves_the_stored_suggestions_as_the_core_computes_them(
    planned, users
):
    cycle = Cycle.objects.get(key="2027-Q1")
    served = client_for(users["viewer"]).get(f"/api/v1/cycles/{cycle.key}/suggestions")
    core = cycle_suggestions(database_workspace(), cycle, TODAY)
    assert served.json() == [
        {
            "kpi": s.kpi.key,
            "baseline": s.baseline,
            "commit_target": plain_target(s.commit_target),
            "stretch_target": plain_target(s.stretch_target),
            "why": s.why,
            "title": s.title,
            "health": str(s.assessment.health),
            "stagnating": s.stagnation is not None,
            "annual_direction": list(s.annual_direction),
        }
        for s in core
    ]
    assert [s.kpi.key for s in core] == ["churn", "csat", "nps"]


def _weekly(values: list[float]) -> str:
    """Weekly readings from 2026-09-28, the last on 2026-11-16."""
    first = dt.date(2026, 9, 28)
    return "".join(
        f"      - {{at: {first + dt.timedelta(weeks=week)}, value: {value}}}\n"
        for week, value in enumerate(values)
    )


ANNUAL = (
    "version: 1\norganisation: Test Co\nkpis:\n"
    "  - key: dau\n    name: Daily active users\n"
    "    thresholds: {green: 50, red: 30}\n    readings:\n"
    + _weekly([40.5, 41.5] * 4)
    + "  - key: nps\n    name: Net Promoter Score\n"
    "    thresholds: {green: 50, red: 30}\n    readings:\n"
    + _weekly([41, 42, 41])
    + "cycles:\n"
    "  - {key: fy2027, start: 2027-01-01, end: 2027-12-31}\n"
    "  - {key: 2027-Q1, start: 2027-01-01, end: 2027-03-31, parent: fy2027}\n"
    "objectives:\n"
    "  - key: loved\n    title: Customers recommend us\n    cycle: fy2027\n"
    "    key_results:\n      - {key: nps-60, title: NPS of 60, kpi: nps, target: 60}\n"
)
"""dau, amber and flat (stagnating); nps, amber, which fy2027's KR targets."""


@pytest.mark.parametrize("role", ["admin", "editor", "owner", "viewer", "outsider"])
def test_the_api_says_which_kpis_stagnate_and_which_the_year_targets(
    users, role
) -> None:
    workspace_apply(load_workspace_text(ANNUAL))
    served = client_for(users[role]).get("/api/v1/cycles/2027-Q1/suggestions")
    assert served.status_code == 200
    # Both amber: the annual direction ranks nps first, ahead of the file's order.
    nps, dau = served.json()
    assert (nps["kpi"], nps["stagnating"], nps["annual_direction"]) == (
        "nps",
        False,
        ["nps-60"],
    )
    assert nps["why"] == (
        "amber at 41; the annual direction: fy2027 targets it (nps-60)"
    )
    assert (dau["kpi"], dau["stagnating"], dau["annual_direction"]) == (
        "dau",
        True,
        [],
    )
    assert dau["why"] == (
        "amber at 41.5; stagnating: below its green threshold (50), no favourable "
        "signal in its last 8 readings and a trend of +0.3 within its noise of ±2.7"
    )
    assert {"baseline", "commit_target", "stretch_target", "title", "health"} <= set(
        dau
    )
    _assert_stored_equal_computed()
