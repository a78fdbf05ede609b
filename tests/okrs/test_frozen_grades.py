"""A closed cycle shows the grades its close froze; a later change of a reading
shows beside them as a restatement, never instead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.okrs.grades import RECOMPUTED, frozen_grades
from drumbeat.okrs.models import Cycle, KeyResult
from tests.okrs.closes import cycle_closed

pytestmark = pytest.mark.django_db

CLOSED_AT = dt.datetime(2026, 10, 6, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def closed(small_workspace, users):
    """The small workspace's 2026-Q3, closed by the admin on 2026-10-06: csat-up
    at 30 % (85 → 88 of 95), churn-down not scored (no reading in the cycle),
    the objective at 30 %. Its
    readings were recorded before the close."""
    Reading.objects.update(recorded_at=CLOSED_AT - dt.timedelta(days=1))
    return cycle_closed("2026-Q3", by=users["admin"], at=CLOSED_AT)


def _q3() -> Cycle:
    return Cycle.objects.get(key="2026-Q3")


def test_an_open_cycle_has_no_frozen_grades(small_workspace):
    grades = frozen_grades(_q3())
    assert grades.frozen is False
    assert grades.objective("happier") is None


def test_the_final_grades_are_the_close_s(closed):
    grades = frozen_grades(_q3())
    objective = grades.objective("happier")
    kr = grades.key_result("happier", "csat-up")
    assert objective is not None
    assert kr is not None
    assert (objective.final.score, objective.final.grade) == (0.3, "red")
    assert objective.final.outcome == "fell_short"
    assert objective.final.frozen_at == CLOSED_AT
    assert kr.final.score == pytest.approx(0.3)
    assert objective.restated is None
    assert objective.describe() == "final 30 %"


def test_a_correction_after_the_close_is_a_restatement(closed, users):
    reading_record(
        kpi=KPI.objects.get(key="csat"), at="2026-07-03", value=92, by=users["admin"]
    )
    grades = frozen_grades(_q3())
    kr = grades.key_result("happier", "csat-up")
    objective = grades.objective("happier")
    assert kr is not None
    assert objective is not None
    assert kr.final.score == pytest.approx(0.3)
    assert kr.describe() == (
        "final 30 % · restated 70 % (csat corrected on 2026-11-25 by admin)"
    )
    assert kr.restated is not None
    assert kr.restated.grade == "green"
    assert objective.describe() == (
        "final 30 % · restated 70 % (csat corrected on 2026-11-25 by admin)"
    )
    assert grades.key_result("happier", "churn-down").restated is None  # type: ignore[union-attr]


def test_a_late_reading_names_its_source_without_a_person(closed):
    reading_record(
        kpi=KPI.objects.get(key="churn"),
        at="2026-09-30",
        value=1.5,
        by=None,
        source="api",
    )
    kr = frozen_grades(_q3()).key_result("happier", "churn-down")
    assert kr is not None
    assert kr.describe() == (
        "final not scored · restated 100 % (a late churn reading on 2026-11-25 by api)"
    )


def test_a_reading_after_the_cycle_end_restates_nothing(closed, users):
    reading_record(
        kpi=KPI.objects.get(key="csat"), at="2026-10-10", value=99, by=users["admin"]
    )
    grades = frozen_grades(_q3())
    assert grades.key_result("happier", "csat-up").restated is None  # type: ignore[union-attr]


def test_a_score_moved_without_a_reading_says_it_was_recomputed(closed):
    KeyResult.objects.filter(key="csat-up").update(score=0.5)
    kr = frozen_grades(_q3()).key_result("happier", "csat-up")
    assert kr is not None
    assert kr.restated is not None
    assert kr.restated.because == RECOMPUTED


def test_frozen_grades_take_constant_queries(closed, users):
    reading_record(
        kpi=KPI.objects.get(key="csat"), at="2026-07-03", value=92, by=users["admin"]
    )
    cycle = _q3()
    with CaptureQueriesContext(connection) as queries:
        frozen_grades(cycle)
    assert len(queries) == 5, [q["sql"] for q in queries]
