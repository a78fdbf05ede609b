"""When reminders and digests go out: on a team's check-in day, from its check-in
time, in its time zone (PRODUCT.md, operating rhythm). Plain values only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHECK_IN_QUIET_DAYS = 7
"""A KR whose last check-in is at least this many days old is due one."""


def zone(name: str, fallback: str) -> ZoneInfo:
    """The IANA zone `name`, else `fallback` (blank or unknown names fall back)."""
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def check_in_moment(
    *, weekday: int, at: dt.time, time_zone: ZoneInfo, now: dt.datetime
) -> dt.date | None:
    """The local date when `now` falls on the check-in day `weekday` (0 Monday)
    at or after the check-in time `at` in `time_zone`; None otherwise."""
    local = now.astimezone(time_zone)
    if local.weekday() != weekday or local.time() < at:
        return None
    return local.date()


def period_of(day: dt.date) -> str:
    """The ISO week of `day`, which keys a week's messages: "2026-W48"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def check_in_overdue(last: dt.date | None, on: dt.date) -> bool:
    """True when a KR has had no check-in for `CHECK_IN_QUIET_DAYS` days by `on`
    (or none at all)."""
    return last is None or (on - last).days >= CHECK_IN_QUIET_DAYS
