"""Migrations that change stored readings, run on rows written the old way."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import latest_migrations, migrate

BEFORE = [("kpis", "0002_source_state")]
AFTER = [("kpis", "0003_canonical_reading_moments")]


@pytest.mark.django_db(transaction=True)
def test_moments_written_two_ways_become_one_current_reading_per_moment():
    """Before, `at` was kept as given: `2026-07-10T00:00:00` (the API) and
    `2026-07-10` (a CSV file) were two current readings of one day. After, each
    moment is in its canonical text, and of two current readings of one moment
    the one recorded last stays current; the other is kept, superseded."""
    apps = migrate(BEFORE)
    kpi_model = apps.get_model("kpis", "KPI")
    reading_model = apps.get_model("kpis", "Reading")
    kpi = kpi_model.objects.create(key="csat", name="CSAT", direction="up", tier="key")
    start = dt.datetime(2026, 7, 20, 9, 0, tzinfo=dt.UTC)

    def old(at: str, day: dt.date, value: float, minutes: int) -> int:
        row = reading_model.objects.create(
            kpi=kpi, at=at, day=day, value=value, source="api"
        )
        reading_model.objects.filter(pk=row.pk).update(
            recorded_at=start + dt.timedelta(minutes=minutes)
        )
        return int(row.pk)

    api_day = old("2026-07-10T00:00:00", dt.date(2026, 7, 10), 90, 0)
    csv_day = old("2026-07-10", dt.date(2026, 7, 10), 91, 5)
    csv_first = old("2026-07-12", dt.date(2026, 7, 12), 1, 0)
    api_later = old("2026-07-12T00:00:00", dt.date(2026, 7, 12), 2, 5)
    offset = old("2026-07-13T23:30:00-02:00", dt.date(2026, 7, 14), 5, 0)
    plain = old("2026-07-15", dt.date(2026, 7, 15), 7, 0)

    apps = migrate(AFTER)
    reading_model = apps.get_model("kpis", "Reading")
    rows = {
        row.pk: (row.at, row.day, row.value, row.superseded_at is None)
        for row in reading_model.objects.all()
    }
    assert rows == {
        api_day: ("2026-07-10", dt.date(2026, 7, 10), 90, False),
        csv_day: ("2026-07-10", dt.date(2026, 7, 10), 91, True),
        csv_first: ("2026-07-12", dt.date(2026, 7, 12), 1, False),
        api_later: ("2026-07-12", dt.date(2026, 7, 12), 2, True),
        offset: ("2026-07-14T01:30:00+00:00", dt.date(2026, 7, 14), 5, True),
        plain: ("2026-07-15", dt.date(2026, 7, 15), 7, True),
    }
    migrate(latest_migrations())
