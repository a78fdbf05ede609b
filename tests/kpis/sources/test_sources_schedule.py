"""When a pulled source is due: the scheduler's rules as pure functions of fixed
times (no database, no clock)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from drumbeat.kpis.schedule import (
    STUCK_AFTER,
    cadence_period,
    next_pull_at,
    pull_due,
    pull_queued,
    retry_delay,
)

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
MONDAY_0604 = dt.datetime(2026, 11, 23, 6, 4, tzinfo=UTC)


def _next(
    *,
    cadence: str | None = "weekly",
    schedule: str | None = None,
    last_run_at: dt.datetime | None = MONDAY_0604,
    last_ok_at: dt.datetime | None = MONDAY_0604,
    failures: int = 0,
    query_changed: bool = False,
) -> dt.datetime | None:
    return next_pull_at(
        cadence=cadence,
        schedule=schedule,
        last_run_at=last_run_at,
        last_ok_at=last_ok_at,
        failures=failures,
        query_changed=query_changed,
    )


def test_a_source_never_pulled_is_due_at_once():
    assert _next(last_run_at=None, last_ok_at=None) is None
    assert pull_due(None, MONDAY_0604) is True


def test_a_changed_query_is_due_at_once_whatever_the_last_pull():
    assert _next(query_changed=True) is None


@pytest.mark.parametrize(
    ("cadence", "due"),
    [
        ("daily", dt.datetime(2026, 11, 24, 6, 4, tzinfo=UTC)),
        ("weekly", dt.datetime(2026, 11, 30, 6, 4, tzinfo=UTC)),
        # A month is a calendar average: 30.4375 days.
        ("monthly", dt.datetime(2026, 12, 23, 16, 34, tzinfo=UTC)),
        ("quarterly", dt.datetime(2027, 2, 22, 13, 34, tzinfo=UTC)),
        (None, dt.datetime(2026, 11, 24, 6, 4, tzinfo=UTC)),  # no cadence: daily
    ],
)
def test_by_cadence_a_source_is_due_one_period_after_its_last_good_pull(cadence, due):
    assert _next(cadence=cadence) == due


def test_by_cadence_a_weekly_source_is_not_due_a_minute_early_and_due_on_time():
    due = _next(cadence="weekly")
    assert due is not None
    assert pull_due(due, due - dt.timedelta(minutes=1)) is False
    assert pull_due(due, due) is True


def test_a_cron_schedule_is_due_at_its_next_time_after_the_last_good_pull():
    # 06:00 every Monday; pulled Monday 06:04: next Monday 06:00.
    assert _next(schedule="0 6 * * 1") == dt.datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_a_cron_schedule_wins_over_the_cadence():
    # Daily at 06:00 for a monthly KPI: due the next morning, not in a month.
    assert _next(cadence="monthly", schedule="0 6 * * *") == dt.datetime(
        2026, 11, 24, 6, 0, tzinfo=UTC
    )


def test_a_cron_schedule_is_read_in_the_zone_of_the_times_given():
    # 06:00 in London in summer is 05:00 UTC.
    pulled = dt.datetime(2026, 7, 1, 12, 0, tzinfo=LONDON)
    due = _next(schedule="0 6 * * *", last_run_at=pulled, last_ok_at=pulled)
    assert due is not None
    assert due.astimezone(UTC) == dt.datetime(2026, 7, 2, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (8, 128), (11, 1024)],
)
def test_retries_back_off_exponentially_in_minutes(failures, minutes):
    cap = dt.timedelta(days=7)
    assert retry_delay(failures, cap) == dt.timedelta(minutes=minutes)


def test_retries_never_wait_longer_than_the_cap():
    assert retry_delay(40, dt.timedelta(days=1)) == dt.timedelta(days=1)
    assert retry_delay(10_000, dt.timedelta(days=1)) == dt.timedelta(days=1)


def test_a_failing_daily_source_is_retried_after_the_backoff_from_its_last_run():
    failed_at = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    due = _next(
        cadence="daily", last_run_at=failed_at, last_ok_at=MONDAY_0604, failures=3
    )
    assert due == failed_at + dt.timedelta(minutes=4)


def test_a_long_failing_source_is_retried_once_per_period_at_most():
    failed_at = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    due = _next(cadence="daily", last_run_at=failed_at, last_ok_at=None, failures=20)
    assert due == failed_at + dt.timedelta(days=1)


def test_a_failing_cron_source_is_capped_at_the_gap_between_its_times():
    failed_at = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    due = _next(
        schedule="0 * * * *", last_run_at=failed_at, last_ok_at=None, failures=12
    )
    assert due == failed_at + dt.timedelta(hours=1)  # hourly: 2048 minutes capped


def test_the_cadence_period_of_each_cadence():
    assert cadence_period("daily") == dt.timedelta(days=1)
    assert cadence_period("weekly") == dt.timedelta(days=7)
    assert cadence_period("yearly") == dt.timedelta(days=365.25)
    assert cadence_period("") == dt.timedelta(days=1)


def test_a_queued_pull_counts_until_it_is_stuck():
    queued = MONDAY_0604
    assert pull_queued(None, queued) is False
    assert pull_queued(queued, queued + STUCK_AFTER - dt.timedelta(seconds=1)) is True
    assert pull_queued(queued, queued + STUCK_AFTER) is False
    assert pull_queued(queued, queued + dt.timedelta(hours=3), dt.timedelta(hours=4))
