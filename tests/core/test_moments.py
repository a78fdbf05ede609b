"""A reading's moment: one rule for what `at` may be, which spellings are the
same moment, and how far ahead a reading may be dated."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drumbeat.core.moments import (
    MOMENT_HELP,
    MomentError,
    latest_day_allowed,
    moment_day,
    moment_text,
    out_of_range_problem,
    reading_moment,
)

UTC = dt.UTC


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        pytest.param("2026-07-10", "2026-07-10", id="date"),
        pytest.param(" 2026-07-10 ", "2026-07-10", id="spaces"),
        pytest.param("2026-07-10T00:00:00", "2026-07-10", id="naive-midnight"),
        pytest.param("2026-07-10 00:00", "2026-07-10", id="naive-midnight-space"),
        pytest.param(dt.date(2026, 7, 10), "2026-07-10", id="date-object"),
        pytest.param(dt.datetime(2026, 7, 10), "2026-07-10", id="spreadsheet-date"),
        pytest.param(
            "2026-07-10T00:00:00Z", "2026-07-10T00:00:00+00:00", id="utc-midnight"
        ),
        pytest.param(
            "2026-07-10T14:30:00+02:00", "2026-07-10T12:30:00+00:00", id="offset"
        ),
        pytest.param("2026-07-10T12:30Z", "2026-07-10T12:30:00+00:00", id="zulu"),
        pytest.param("2026-07-10 12:30", "2026-07-10T12:30:00+00:00", id="naive"),
        pytest.param(
            "2026-07-10T12:30:00.250+00:00",
            "2026-07-10T12:30:00.250000+00:00",
            id="fraction",
        ),
        pytest.param(
            dt.datetime(
                2026, 7, 10, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-2))
            ),
            "2026-07-11T01:30:00+00:00",
            id="aware-object",
        ),
    ],
)
def test_moments_are_written_one_way(given, canonical):
    assert moment_text(reading_moment(given)) == canonical


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param("10/07/2026", f"'10/07/2026' is not a date: {MOMENT_HELP}"),
        pytest.param("2026-W28-1", f"'2026-W28-1' is not a date: {MOMENT_HELP}"),
        pytest.param("20260710", f"'20260710' is not a date: {MOMENT_HELP}"),
        pytest.param("2026-02-30", f"2026-02-30 is not a real date: {MOMENT_HELP}"),
        pytest.param(
            "2026-07-10T25:00",
            f"2026-07-10T25:00 is not a real date and time: {MOMENT_HELP}",
        ),
        pytest.param("", f"no date: {MOMENT_HELP}"),
        pytest.param(None, f"no date: {MOMENT_HELP}"),
        pytest.param(
            dt.time(14, 30), f"14:30:00 is a time of day without a date: {MOMENT_HELP}"
        ),
        pytest.param(46213, f"46213 is not a date: {MOMENT_HELP}"),
    ],
)
def test_what_is_not_a_moment_says_what_to_write(given, message):
    with pytest.raises(MomentError) as raised:
        reading_moment(given)
    assert str(raised.value) == message


def test_a_timestamp_counts_on_its_utc_day():
    assert moment_day(reading_moment("2026-07-10T23:30:00-02:00")) == dt.date(
        2026, 7, 11
    )
    assert moment_day(reading_moment("2026-07-10")) == dt.date(2026, 7, 10)


@given(
    instant=st.datetimes(
        min_value=dt.datetime(1990, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(UTC),
    ),
    offset_minutes=st.integers(-14 * 60, 14 * 60),
)
def test_an_instant_is_one_moment_in_any_time_zone(instant, offset_minutes):
    zone = dt.timezone(dt.timedelta(minutes=offset_minutes))
    local = instant.astimezone(zone)
    assert moment_text(reading_moment(local.isoformat())) == moment_text(
        reading_moment(instant.isoformat())
    )


@given(
    moment=st.one_of(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
        st.datetimes(
            min_value=dt.datetime(1990, 1, 1),
            max_value=dt.datetime(2100, 1, 1),
            timezones=st.just(UTC),
        ),
    )
)
def test_a_canonical_text_reads_back_as_itself(moment):
    text = moment_text(reading_moment(moment))
    assert moment_text(reading_moment(text)) == text


TODAY = dt.date(2026, 11, 25)


def test_a_reading_may_be_dated_tomorrow_at_the_latest():
    assert latest_day_allowed(TODAY) == dt.date(2026, 11, 26)
    assert out_of_range_problem(dt.date(2026, 11, 26), TODAY) is None
    assert out_of_range_problem(reading_moment("2026-11-26T23:59:59Z"), TODAY) is None
    assert out_of_range_problem(dt.date(2026, 11, 27), TODAY) == (
        "2026-11-27 is in the future: a reading may be dated 2026-11-26 at the "
        "latest (today is 2026-11-25); check the date"
    )


def test_a_reading_may_not_be_dated_before_1900():
    assert out_of_range_problem(dt.date(1900, 1, 1), TODAY) is None
    assert out_of_range_problem(dt.date(1, 1, 1), TODAY) == (
        "0001-01-01 is before 1900-01-01: check the date"
    )
