"""Review cadence apart from reading cadence: when an on-track KPI comes up at the
KPI review, and the more frequent review an at-risk KPI is proposed."""

from __future__ import annotations

import datetime as dt

import pytest

from drumbeat.core.contract import kpi_review_json
from drumbeat.core.model import KPI, Cadence, Thresholds
from drumbeat.core.review_cadence import (
    next_review_day,
    proposed_review_cadence,
    review_due,
    review_period_start,
)
from drumbeat.core.rhythm import kpi_review
from tests.core.builders import kpi, weekly_readings, workspace

D, W, M, Q, Y = (
    Cadence.DAILY,
    Cadence.WEEKLY,
    Cadence.MONTHLY,
    Cadence.QUARTERLY,
    Cadence.YEARLY,
)


@pytest.mark.parametrize(
    ("cadence", "day", "start"),
    [
        (D, dt.date(2026, 5, 20), dt.date(2026, 5, 20)),
        (W, dt.date(2026, 5, 20), dt.date(2026, 5, 18)),  # a Wednesday → Monday
        (M, dt.date(2026, 5, 20), dt.date(2026, 5, 1)),
        (Q, dt.date(2026, 5, 20), dt.date(2026, 4, 1)),
        (Q, dt.date(2026, 12, 31), dt.date(2026, 10, 1)),
        (Y, dt.date(2026, 5, 20), dt.date(2026, 1, 1)),
    ],
)
def test_review_period_start(cadence: Cadence, day: dt.date, start: dt.date) -> None:
    assert review_period_start(cadence, day) == start


@pytest.mark.parametrize(
    ("review_cadence", "day", "due"),
    [
        (None, dt.date(2026, 5, 20), True),  # no review cadence: every review
        (W, dt.date(2026, 5, 24), True),  # a Sunday: day 6 of its week
        (M, dt.date(2026, 5, 7), True),  # day 7 of the month: within the week
        (M, dt.date(2026, 5, 8), False),
        (Q, dt.date(2026, 4, 7), True),
        (Q, dt.date(2026, 5, 4), False),  # a month into the quarter
        (Y, dt.date(2026, 1, 2), True),
        (Y, dt.date(2026, 2, 2), False),
    ],
)
def test_review_due(review_cadence: Cadence | None, day: dt.date, due: bool) -> None:
    assert review_due(review_cadence, day) is due


@pytest.mark.parametrize(
    ("review_cadence", "day", "next_day"),
    [
        (D, dt.date(2026, 11, 25), dt.date(2026, 11, 25)),  # always due: today
        (W, dt.date(2026, 11, 29), dt.date(2026, 11, 29)),
        (M, dt.date(2026, 5, 7), dt.date(2026, 5, 7)),  # within its window
        (M, dt.date(2026, 11, 25), dt.date(2026, 12, 1)),
        (M, dt.date(2026, 12, 8), dt.date(2027, 1, 1)),  # over the year's end
        (Q, dt.date(2026, 11, 25), dt.date(2027, 1, 1)),
        (Q, dt.date(2026, 5, 4), dt.date(2026, 7, 1)),
        (Y, dt.date(2026, 2, 2), dt.date(2027, 1, 1)),
    ],
)
def test_next_review_day(
    review_cadence: Cadence, day: dt.date, next_day: dt.date
) -> None:
    assert next_review_day(review_cadence, day) == next_day
    assert review_due(review_cadence, next_day)


@pytest.mark.parametrize(
    ("cadence", "review_cadence", "proposed"),
    [
        (M, Q, M),  # seed 000: tracked monthly, reviewed quarterly → monthly
        (W, Q, M),  # one step faster
        (D, W, D),
        (None, Y, Q),  # no reading cadence: one step faster
        (Q, Y, Q),
        (M, M, None),  # reviewed as often as it is read already
        (Q, M, None),  # never faster than the readings arrive
        (M, None, None),  # no review cadence of its own
        (None, D, None),  # nothing faster than daily
    ],
)
def test_proposed_review_cadence(
    cadence: Cadence | None, review_cadence: Cadence | None, proposed: Cadence | None
) -> None:
    assert proposed_review_cadence(cadence, review_cadence) == proposed


def _monthly(key: str, value: float) -> KPI:
    """Read monthly (1 May and 29 June), reviewed quarterly; green 45, red 30."""
    return kpi(
        key,
        readings=weekly_readings(dt.date(2026, 5, 1), [value, value], step_days=59),
        cadence=M,
        review_cadence=Q,
        thresholds=Thresholds(green=45, red=30),
    )


def test_the_agenda_keeps_a_quarterly_review_kpi_for_its_first_week() -> None:
    ws = workspace([_monthly("fine", 50), _monthly("failing", 20)])
    mid_quarter = kpi_review(ws, dt.date(2026, 5, 12))
    assert [s.assessment.kpi.key for s in mid_quarter.not_due] == ["fine"]
    assert mid_quarter.on_track == ()
    [item] = mid_quarter.exceptions  # at risk: on the agenda whatever its cadence
    assert item.status.assessment.kpi.key == "failing"
    assert item.reasons == (
        "red",
        "increase monitoring frequency: review it monthly, not quarterly",
    )
    assert kpi_review_json(mid_quarter)["not_due"] == ["fine"]

    quarter_start = kpi_review(ws, dt.date(2026, 7, 2))
    assert [s.assessment.kpi.key for s in quarter_start.on_track] == ["fine"]
    assert quarter_start.not_due == ()
