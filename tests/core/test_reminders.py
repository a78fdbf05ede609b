import datetime as dt
from zoneinfo import ZoneInfo

from drumbeat.core.reminders import check_in_moment, check_in_overdue, period_of, zone

UTC = dt.UTC
NINE = dt.time(9, 0)


def test_check_in_moment_is_the_local_day_from_the_local_time():
    # Monday 2026-11-30 08:30 UTC is 09:30 in Paris.
    now = dt.datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    paris = ZoneInfo("Europe/Paris")
    assert check_in_moment(weekday=0, at=NINE, time_zone=paris, now=now) == dt.date(
        2026, 11, 30
    )


def test_check_in_moment_is_none_before_the_local_time():
    # 09:30 UTC is 04:30 in New York.
    now = dt.datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    assert check_in_moment(weekday=0, at=NINE, time_zone=new_york, now=now) is None


def test_check_in_moment_follows_the_local_weekday():
    # Monday 01:00 UTC is still Sunday in New York.
    now = dt.datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    new_york = ZoneInfo("America/New_York")
    assert check_in_moment(
        weekday=6, at=dt.time(19, 0), time_zone=new_york, now=now
    ) == dt.date(2026, 11, 29)


def test_period_is_the_iso_week():
    assert period_of(dt.date(2026, 11, 30)) == "2026-W49"
    assert period_of(dt.date(2027, 1, 1)) == "2026-W53"


def test_unknown_zone_falls_back():
    assert zone("Mars/Olympus", "Europe/Paris") == ZoneInfo("Europe/Paris")
    assert zone("", "") == ZoneInfo("UTC")


def test_check_in_is_overdue_after_seven_days_or_never():
    on = dt.date(2026, 11, 30)
    assert check_in_overdue(None, on) is True
    assert check_in_overdue(dt.date(2026, 11, 23), on) is True
    assert check_in_overdue(dt.date(2026, 11, 24), on) is False
