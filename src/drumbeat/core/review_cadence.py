"""Review cadence apart from reading cadence (seed 000: "Review cadence: Quarterly"
for a KPI tracked monthly).

A KPI's `review_cadence` decides when it comes up on the KPI review agenda while it
is on track: in the first week of each of its review periods (every week for a
weekly or daily review; the first 7 days of each month, quarter or year otherwise).
A KPI that needs attention is on the agenda whatever its review cadence, and is
proposed a more frequent review (seed 000: "Increase monitoring frequency"): the
next faster cadence, never faster than its readings arrive.
"""

from __future__ import annotations

import datetime as dt

from drumbeat.core.model import Cadence

_FASTEST_FIRST = (
    Cadence.DAILY,
    Cadence.WEEKLY,
    Cadence.MONTHLY,
    Cadence.QUARTERLY,
    Cadence.YEARLY,
)

REVIEW_WINDOW_DAYS = 7
"""An on-track KPI comes up in the first week of each of its review periods."""


def review_period_start(review_cadence: Cadence, day: dt.date) -> dt.date:
    """The first day of the review period that holds `day` (Monday for a week)."""
    if review_cadence is Cadence.DAILY:
        return day
    if review_cadence is Cadence.WEEKLY:
        return day - dt.timedelta(days=day.weekday())
    if review_cadence is Cadence.MONTHLY:
        return day.replace(day=1)
    if review_cadence is Cadence.QUARTERLY:
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    return day.replace(month=1, day=1)


def review_due(review_cadence: Cadence | str | None, as_of: dt.date) -> bool:
    """Whether an on-track KPI with `review_cadence` comes up at a review held on
    `as_of`: always without one; else in the first week of each review period."""
    if not review_cadence:
        return True
    start = review_period_start(Cadence(review_cadence), as_of)
    return (as_of - start).days < REVIEW_WINDOW_DAYS


def next_review_day(review_cadence: Cadence | str, as_of: dt.date) -> dt.date:
    """The first day an on-track KPI with `review_cadence` next comes up at the
    review: `as_of` itself while its review window is open, else the first day of
    its next review period (1 December for a monthly review on 25 November)."""
    cadence = Cadence(review_cadence)
    if review_due(cadence, as_of):
        return as_of
    start = review_period_start(cadence, as_of)
    if cadence is Cadence.MONTHLY:
        months = 1
    elif cadence is Cadence.QUARTERLY:
        months = 3
    else:
        months = 12
    month = start.month - 1 + months
    return start.replace(year=start.year + month // 12, month=month % 12 + 1)


def proposed_review_cadence(
    cadence: Cadence | str | None, review_cadence: Cadence | str | None
) -> Cadence | None:
    """The more frequent review an at-risk KPI read at `cadence` and reviewed at
    `review_cadence` is proposed: one step faster, but no faster than its readings
    arrive. None without a review cadence of its own, or when it is reviewed as
    often as it is read already."""
    if not review_cadence:
        return None
    current = Cadence(review_cadence)
    faster = _FASTEST_FIRST[max(_FASTEST_FIRST.index(current) - 1, 0)]
    if cadence and faster.days < Cadence(cadence).days:
        faster = Cadence(cadence)
    return faster if faster.days < current.days else None


def more_frequent_review_reason(
    cadence: Cadence | str | None, review_cadence: Cadence | str | None
) -> str | None:
    """`increase monitoring frequency: review it monthly, not quarterly`."""
    proposed = proposed_review_cadence(cadence, review_cadence)
    if proposed is None:
        return None
    return f"increase monitoring frequency: review it {proposed}, not {review_cadence}"
