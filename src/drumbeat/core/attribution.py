"""Attribution (PRODUCT.md): how far a KPI moved over a cycle, in its unit and in
multiples of its noise, judged against process limits from before the cycle, so
that the board report can tell a real movement from the week-to-week wobble.
Association, never proof: the report shows the OKRs beside the movement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drumbeat.core.model import KPI, Cycle, Reading
from drumbeat.core.spc import ProcessLimits, Side, favourable_side, kpi_process_limits


@dataclass(frozen=True, slots=True)
class Movement:
    """A KPI from one reading to a later one, against its noise."""

    first: Reading | None
    last: Reading | None
    limits: ProcessLimits | None
    """Limits from the readings known before the period: the noise it is judged by."""
    good_side: Side | None

    @property
    def change(self) -> float | None:
        """`last − first` in the KPI's unit; None without two readings to compare."""
        if self.first is None or self.last is None or self.first is self.last:
            return None
        return self.last.value - self.first.value

    @property
    def in_noise(self) -> float | None:
        """The change in multiples of the noise (2.66 × mR̄); None without limits or
        when the process has no noise to measure by."""
        change = self.change
        if change is None or self.limits is None or self.limits.noise == 0:
            return None
        return change / self.limits.noise

    @property
    def beyond_noise(self) -> bool:
        """The change is wider than noise alone produces."""
        multiple = self.in_noise
        return multiple is not None and abs(multiple) > 1

    @property
    def side(self) -> Side | None:
        change = self.change
        if not change:
            return None
        return Side.ABOVE if change > 0 else Side.BELOW

    @property
    def favourable(self) -> bool | None:
        """Whether it moved to the KPI's good side; None when it has none (a
        `range` KPI centred in its band) or did not move."""
        if self.good_side is None or self.side is None:
            return None
        return self.side is self.good_side


def cycle_movement(kpi: KPI, cycle: Cycle, as_of: dt.date) -> Movement:
    """The KPI over `cycle`: its first reading in the cycle to its last by the
    cycle end (or `as_of`, while it runs), against limits from before the start."""
    before = cycle.start - dt.timedelta(days=1)
    inside = kpi.readings_between(before, min(as_of, cycle.end))
    first, last = (inside[0], inside[-1]) if inside else (None, None)
    return _movement(kpi, first, last, limits_as_of=before)


def year_movement(kpi: KPI, as_of: dt.date) -> Movement:
    """The KPI over the year to `as_of`: the latest reading a year before to the
    latest by `as_of`, against limits from the readings known a year before."""
    year_before = _year_before(as_of)
    return _movement(
        kpi,
        kpi.latest_until(year_before),
        kpi.latest_until(as_of),
        limits_as_of=year_before,
    )


def _movement(
    kpi: KPI, first: Reading | None, last: Reading | None, *, limits_as_of: dt.date
) -> Movement:
    limits = kpi_process_limits(kpi, limits_as_of)
    good_side = (
        favourable_side(kpi.direction, limits, kpi.thresholds.green)
        if limits is not None
        else None
    )
    return Movement(first=first, last=last, limits=limits, good_side=good_side)


def _year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
