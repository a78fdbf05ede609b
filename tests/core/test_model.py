"""The model's own invariants: readings in time order, days in UTC."""

from __future__ import annotations

import datetime as dt

from drumbeat.core.model import KPI, Reading

NEW_YORK = dt.timezone(dt.timedelta(hours=-5))


def test_readings_are_sorted_by_time_whatever_their_zone():
    late_in_new_york = Reading(dt.datetime(2026, 4, 1, 23, 0, tzinfo=NEW_YORK), 1)
    early_in_utc = Reading(dt.datetime(2026, 4, 2, 1, 0, tzinfo=dt.UTC), 2)
    kpi = KPI(key="k", name="K", readings=(late_in_new_york, early_in_utc))
    assert [r.value for r in kpi.readings] == [2, 1]
    assert kpi.reading_days == (dt.date(2026, 4, 2), dt.date(2026, 4, 2))


def test_a_date_reading_counts_from_midnight_before_a_timestamp_that_day():
    noon = Reading(dt.datetime(2026, 4, 2, 12, 0), 2)
    day = Reading(dt.date(2026, 4, 2), 1)
    kpi = KPI(key="k", name="K", readings=(noon, day))
    assert [r.value for r in kpi.readings] == [1, 2]
    assert kpi.latest_until(dt.date(2026, 4, 2)) == noon
    assert kpi.latest_until(dt.date(2026, 4, 1)) is None
