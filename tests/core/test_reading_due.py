"""When a KPI's next reading is due: one period of its cadence after the last."""

import datetime as dt

import pytest

from drumbeat.core.health import next_reading_due, reading_due
from drumbeat.core.model import Cadence, Reading


@pytest.mark.parametrize(
    ("cadence", "latest", "due", "owed_on_2026_11_25"),
    [
        (Cadence.WEEKLY, dt.date(2026, 11, 18), dt.date(2026, 11, 25), True),
        (Cadence.WEEKLY, dt.date(2026, 11, 19), dt.date(2026, 11, 26), False),
        (Cadence.MONTHLY, dt.date(2026, 10, 20), dt.date(2026, 11, 19), True),
        (Cadence.DAILY, dt.date(2026, 11, 25), dt.date(2026, 11, 26), False),
        (None, dt.date(2026, 1, 1), None, False),
    ],
)
def test_a_reading_is_due_one_period_after_the_last(
    cadence, latest, due, owed_on_2026_11_25
):
    last = Reading(at=latest, value=1.0)
    assert next_reading_due(cadence, last) == due
    assert reading_due(cadence, last, dt.date(2026, 11, 25)) is owed_on_2026_11_25


def test_a_kpi_with_a_cadence_and_no_reading_is_owed_one():
    assert reading_due(Cadence.WEEKLY, None, dt.date(2026, 11, 25)) is True
    assert reading_due(None, None, dt.date(2026, 11, 25)) is False
