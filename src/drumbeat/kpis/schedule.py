"""When a KPI's source is pulled: pure functions of times, so that every decision
of the scheduler can be tested with fixed clocks.

- A source with a cron `schedule` is pulled at each time the schedule names after
  its last good pull (in the server's time zone: the zone of the times given).
- Otherwise it is pulled once per period of the KPI's cadence (daily when it has
  none): due when the last good pull is older than one period.
- A source never pulled, or whose query changed since its last pull, is due at once.
- After a failure it is retried with exponential backoff: 1, 2, 4, 8 ... minutes
  after the failed run, never waiting longer than one period.
- A pull already queued is not queued again, unless it has waited so long that its
  worker must have died (`STUCK_AFTER`).
"""

from __future__ import annotations

import datetime as dt

from croniter import croniter

from drumbeat.core.model import Cadence

STUCK_AFTER = dt.timedelta(hours=1)
"""A queued pull not done after this long is taken as lost (its worker stopped)."""

FIRST_RETRY = dt.timedelta(minutes=1)


def cadence_period(cadence: str | None) -> dt.timedelta:
    """One period of a cadence (`daily`, `weekly` ...); a daily one without it."""
    if not cadence:
        return dt.timedelta(days=1)
    return dt.timedelta(days=Cadence(cadence).days)


def cron_next(schedule: str, after: dt.datetime) -> dt.datetime:
    """The first time the cron `schedule` names after `after`, in its time zone."""
    fire: dt.datetime = croniter(schedule, after).get_next(dt.datetime)
    return fire


def cron_period(schedule: str, around: dt.datetime) -> dt.timedelta:
    """The gap between two of the schedule's times after `around`."""
    first = cron_next(schedule, around)
    return cron_next(schedule, first) - first


def retry_delay(failures: int, cap: dt.timedelta) -> dt.timedelta:
    """How long to wait after the `failures`-th failure in a row: 1, 2, 4 ...
    minutes, never more than `cap`."""
    if failures < 1:
        return dt.timedelta(0)
    # Past 2**30 minutes every cap is smaller; stop doubling before overflow.
    doubled: int = 2 ** min(failures - 1, 30)
    return min(FIRST_RETRY * doubled, cap)


def next_pull_at(
    *,
    cadence: str | None,
    schedule: str | None,
    last_run_at: dt.datetime | None,
    last_ok_at: dt.datetime | None,
    failures: int,
    query_changed: bool,
) -> dt.datetime | None:
    """When the source is next due; None when it is due at once (never pulled, or
    its query changed since). Cron schedules are read in the zone of the times."""
    if last_run_at is None or query_changed:
        return None
    if failures > 0:
        period = (
            cron_period(schedule, last_run_at) if schedule else cadence_period(cadence)
        )
        return last_run_at + retry_delay(failures, period)
    if last_ok_at is None:
        return None
    if schedule:
        return cron_next(schedule, last_ok_at)
    return last_ok_at + cadence_period(cadence)


def pull_due(next_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a pull whose next time is `next_at` (None: at once) is due `now`."""
    return next_at is None or next_at <= now


def pull_queued(
    queued_at: dt.datetime | None,
    now: dt.datetime,
    stuck_after: dt.timedelta = STUCK_AFTER,
) -> bool:
    """Whether a pull queued at `queued_at` still counts as queued or running."""
    return queued_at is not None and now - queued_at < stuck_after
