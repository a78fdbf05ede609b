"""A reading's moment: what a reading's `at` may be, which moments are the same
reading, and which are too far in the future to record.

One rule for every way in (the API, CSV and XLSX imports, workspace files, SQL
pulls, the KPI page's form), so that the same KPI and moment is the same reading
whichever way it came:

- a date (`2026-07-10`) is a day;
- a timestamp (`2026-07-10T14:30:00Z`, `2026-07-10 14:30+02:00`) is an instant,
  counted in UTC; one without a time zone is taken as UTC;
- a timestamp of exactly midnight without a time zone (`2026-07-10T00:00:00`,
  a spreadsheet's date cell, a database's `timestamp` column holding days) is the
  day itself.

`moment_text` writes a moment in one canonical form (`2026-07-10`,
`2026-07-10T12:30:00+00:00`), which is what the database keeps and compares.
"""

from __future__ import annotations

import datetime as dt
import re

Moment = dt.date | dt.datetime
"""A day (`date`), or an instant (an aware `datetime` in UTC)."""

MOMENT_HELP = "write YYYY-MM-DD (2026-07-10) or an ISO timestamp (2026-07-10T14:30:00Z)"

FUTURE_DAYS_ALLOWED = 1
"""How far past today a reading may be dated: a reading taken late in the evening
in a zone ahead of the server's is already dated tomorrow."""

EARLIEST_DAY = dt.date(1900, 1, 1)
"""The first day a reading may be dated on: an earlier one is a typo (0001-01-01
is a database's empty date), and date arithmetic near year 1 overflows."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
    r"(Z|[+-]\d{2}(:?\d{2})?)?"
)


class MomentError(ValueError):
    """A value that is not a reading's moment, with a message for the person."""


def reading_moment(value: object) -> Moment:
    """A reading's `at` as its moment: a `date`, or an aware `datetime` in UTC.

    Takes ISO text (surrounding spaces ignored), a `date` or a `datetime` (as a
    YAML file, a spreadsheet or a database gives them). Raises MomentError, whose
    message says what is wrong and what to write, for anything else.
    """
    if isinstance(value, str):
        return _moment_of_text(value.strip())
    if isinstance(value, dt.datetime):
        return _instant_or_day(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        raise MomentError(f"{value} is a time of day without a date: {MOMENT_HELP}")
    if value is None:
        raise MomentError(f"no date: {MOMENT_HELP}")
    raise MomentError(f"{value!r} is not a date: {MOMENT_HELP}")


def _moment_of_text(text: str) -> Moment:
    if not text:
        raise MomentError(f"no date: {MOMENT_HELP}")
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise MomentError(f"{text} is not a real date: {MOMENT_HELP}") from None
    if _ISO_TIMESTAMP.fullmatch(text):
        try:
            return _instant_or_day(dt.datetime.fromisoformat(text))
        except ValueError:
            raise MomentError(
                f"{text} is not a real date and time: {MOMENT_HELP}"
            ) from None
    raise MomentError(f"'{text}' is not a date: {MOMENT_HELP}")


def _instant_or_day(moment: dt.datetime) -> Moment:
    if moment.tzinfo is None:
        if moment.time() == dt.time():
            return moment.date()
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def moment_text(moment: Moment) -> str:
    """The canonical text of a moment (from `reading_moment`): `2026-07-10` for a
    day, `2026-07-10T12:30:00+00:00` for an instant (in UTC, seconds always,
    microseconds when there are any)."""
    if isinstance(moment, dt.datetime):
        return moment.astimezone(dt.UTC).isoformat()
    return moment.isoformat()


def moment_day(moment: Moment) -> dt.date:
    """The calendar day of a moment, which every rule compares: an instant counts
    on its UTC day, so that readings from several zones keep one order."""
    if not isinstance(moment, dt.datetime):
        return moment
    return moment.astimezone(dt.UTC).date() if moment.tzinfo else moment.date()


def latest_day_allowed(today: dt.date) -> dt.date:
    """The last day a reading may be dated on, `today` being the server's."""
    return today + dt.timedelta(days=FUTURE_DAYS_ALLOWED)


def out_of_range_problem(moment: Moment, today: dt.date) -> str | None:
    """Why a reading at `moment` cannot be recorded on `today`, or None: a reading
    records what happened, and one dated after tomorrow is a typo or a forecast,
    one before 1900 a typo."""
    day = moment_day(moment)
    if day < EARLIEST_DAY:
        return (
            f"{moment_text(moment)} is before {EARLIEST_DAY.isoformat()}: check "
            "the date"
        )
    latest = latest_day_allowed(today)
    if day <= latest:
        return None
    return (
        f"{moment_text(moment)} is in the future: a reading may be dated "
        f"{latest.isoformat()} at the latest (today is {today.isoformat()}); "
        "check the date"
    )
