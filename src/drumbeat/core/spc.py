"""Process behaviour (XmR) charts: natural process limits, Wheeler's rules 1-3 and
the moving-range chart.

A KPI's readings vary from week to week; most of that variation is noise. The limits
are computed from the KPI's baseline readings, and a reading is a *signal* only when
it breaks one of the detection rules. A signal on the KPI's bad side is
unfavourable: the process has changed for the worse, whatever the thresholds say.

A KPI's history may be split by dividers into limit periods (`KPI.spc_periods`),
each with limits of its own: every reading is judged against the limits of the
period that contains it, and no detection window reaches across a divider.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from drumbeat.core.model import KPI, Band, Direction, Period, Reading

LIMIT_FACTOR = 2.66
"""Natural process limits are mean ± 2.66 × the average moving range."""

QUARTILE_FACTOR = 1.33
"""Quartile lines (rule 2) are halfway to the limits: mean ± 1.33 × mR̄."""

MINIMUM_BASELINE = 6
"""Fewer baseline readings than this give no limits: the noise cannot be told."""

DEFAULT_BASELINE_LENGTH = 20
"""Without an explicit `spc.baseline`, the first 20 readings set the limits."""

RUN_LENGTH = 8
"""Rule 3: eight consecutive points on one side of the mean."""

QUARTILE_WINDOW = 4
"""Rule 2: three points of any four consecutive ones beyond the same quartile line."""

QUARTILE_HITS = 3

RANGE_LIMIT_FACTOR = 3.268
"""The upper range limit of the moving-range chart: 3.268 × mR̄."""

MOVING_RANGE_RULE = 4
"""The id of a moving range above the upper range limit (a sudden jump), beside
Wheeler's rules 1 to 3 in `signals`."""

TAIL_READINGS = 32
"""The latest readings read first for the active signals (more only when too many
of them lie on the mean for a run to be told)."""

LASTING_RUN_LENGTH = 2 * RUN_LENGTH
"""A shift has lasted when a rule-3 run is still going after a further eight
readings: sixteen in a row on one side of the mean."""


class Side(StrEnum):
    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True, slots=True)
class ProcessLimits:
    """The central line and natural limits of one KPI's process."""

    mean: float
    average_moving_range: float

    @property
    def upper(self) -> float:
        return self.mean + LIMIT_FACTOR * self.average_moving_range

    @property
    def lower(self) -> float:
        return self.mean - LIMIT_FACTOR * self.average_moving_range

    @property
    def upper_quartile(self) -> float:
        return self.mean + QUARTILE_FACTOR * self.average_moving_range

    @property
    def lower_quartile(self) -> float:
        return self.mean - QUARTILE_FACTOR * self.average_moving_range

    @property
    def upper_range_limit(self) -> float:
        """The largest moving range noise alone produces: 3.268 × mR̄."""
        return RANGE_LIMIT_FACTOR * self.average_moving_range

    @property
    def noise(self) -> float:
        """The widest change that noise alone produces: 2.66 × mR̄."""
        return LIMIT_FACTOR * self.average_moving_range


@dataclass(frozen=True, slots=True)
class Signal:
    """One hit of a detection rule, over readings `first..last` (indices, inclusive)."""

    rule: int
    side: Side
    first: int
    last: int
    favourable: bool


@dataclass(frozen=True, slots=True)
class LimitSegment:
    """One limit period of a KPI's readings up to a date: the day its divider sets
    (None for the first period), the readings it holds (indices `first` up to, not
    including, `stop`), the baseline readings of its limits, and the limits (None
    with fewer than six baseline readings)."""

    start: dt.date | None
    first: int
    stop: int
    baseline: tuple[Reading, ...]
    limits: ProcessLimits | None

    def __contains__(self, index: int) -> bool:
        return self.first <= index < self.stop


def limit_segments(kpi: KPI, as_of: dt.date) -> list[LimitSegment]:
    """The limit periods of a KPI's readings known on `as_of`, oldest first.

    The first period reaches from the first reading to the first divider, with
    `spc.baseline` (else its first 20 readings) as baseline; each divider
    (`spc.periods`) starts a period with its own baseline, else its first 20
    readings. A divider after the latest reading has no reading yet to judge, and
    starts no period. Only readings known on `as_of` count, so that limits never
    use the future.
    """
    readings = kpi.readings_until(as_of)
    days = kpi.reading_days
    count = len(readings)
    latest_day = readings[-1].day if readings else None
    dividers = [
        period
        for period in kpi.spc_periods
        if latest_day is not None and period.start <= latest_day
    ]
    starts: list[dt.date | None] = [None, *(period.start for period in dividers)]
    baselines = [kpi.spc_baseline, *(period.baseline for period in dividers)]
    firsts = [
        0,
        *(bisect.bisect_left(days, period.start, hi=count) for period in dividers),
    ]
    stops = [*firsts[1:], count]
    segments = []
    for start, baseline, first, stop in zip(
        starts, baselines, firsts, stops, strict=True
    ):
        chosen = (
            _readings_in(readings, days, baseline)
            if baseline is not None
            else readings[first : min(stop, first + DEFAULT_BASELINE_LENGTH)]
        )
        limits = process_limits([reading.value for reading in chosen])
        segments.append(LimitSegment(start, first, stop, chosen, limits))
    return segments


def _readings_in(
    readings: tuple[Reading, ...], days: Sequence[dt.date], period: Period
) -> tuple[Reading, ...]:
    count = len(readings)
    return readings[
        bisect.bisect_left(days, period.start, hi=count) : bisect.bisect_right(
            days, period.end, hi=count
        )
    ]


def average_moving_range(values: Sequence[float]) -> float:
    """The mean absolute difference between successive values."""
    ranges = [abs(b - a) for a, b in itertools.pairwise(values)]
    return sum(ranges) / len(ranges)


def process_limits(values: Sequence[float]) -> ProcessLimits | None:
    """Limits from baseline values, or None when there are fewer than six."""
    if len(values) < MINIMUM_BASELINE:
        return None
    return ProcessLimits(
        mean=sum(values) / len(values),
        average_moving_range=average_moving_range(values),
    )


def kpi_process_limits(kpi: KPI, as_of: dt.date) -> ProcessLimits | None:
    """The limits of the period that holds the KPI's latest reading on `as_of`."""
    return limit_segments(kpi, as_of)[-1].limits


def favourable_side(
    direction: Direction, limits: ProcessLimits, green: float | Band | None
) -> Side | None:
    """The side a shift should go for the KPI to improve, if it has one.

    A `range` KPI improves towards its green band; when its process is centred in
    the band already (or it has no band), every shift is a departure: no good side.
    """
    if direction is Direction.UP:
        return Side.ABOVE
    if direction is Direction.DOWN:
        return Side.BELOW
    if isinstance(green, Band):
        if limits.mean < green.low:
            return Side.ABOVE
        if limits.mean > green.high:
            return Side.BELOW
    return None


def detect_signals(
    values: Sequence[float], limits: ProcessLimits, good_side: Side | None
) -> list[Signal]:
    """Every window of `values` that breaks a rule, in order of its end.

    Rule 1: a point beyond a natural process limit. Rule 2: any four consecutive
    points of which at least three are beyond the same quartile line (a window
    may end on a point back inside; windows at the very start count). Rule 3:
    eight consecutive points on one side of the mean. Rule 4 (MOVING_RANGE_RULE):
    a moving range above the upper range limit, on the side the jump went, dated
    by the point it arrived at (first = last; the jump is from the point before).
    Points on a line are not beyond it.
    """
    signals: list[Signal] = []

    def hit(rule: int, side: Side, first: int, last: int) -> None:
        signals.append(Signal(rule, side, first, last, favourable=side is good_side))

    upper, lower, mean = limits.upper, limits.lower, limits.mean
    range_limit = limits.upper_range_limit
    beyond_upper_quartile = [v > limits.upper_quartile for v in values]
    beyond_lower_quartile = [v < limits.lower_quartile for v in values]
    run_side: Side | None = None
    run: list[int] = []
    for index, value in enumerate(values):
        if value > upper:
            hit(1, Side.ABOVE, index, index)
        elif value < lower:
            hit(1, Side.BELOW, index, index)

        first = index - QUARTILE_WINDOW + 1
        if first >= 0:
            window = slice(first, index + 1)
            if sum(beyond_upper_quartile[window]) >= QUARTILE_HITS:
                hit(2, Side.ABOVE, first, index)
            if sum(beyond_lower_quartile[window]) >= QUARTILE_HITS:
                hit(2, Side.BELOW, first, index)

        if index > 0 and abs(value - values[index - 1]) > range_limit:
            jump = Side.ABOVE if value > values[index - 1] else Side.BELOW
            hit(MOVING_RANGE_RULE, jump, index, index)

        if value == mean:
            continue  # on the central line: neither extends nor breaks a run
        side = Side.ABOVE if value > mean else Side.BELOW
        if side is not run_side:
            run_side, run = side, []
        run.append(index)
        if len(run) >= RUN_LENGTH:
            hit(3, side, run[-RUN_LENGTH], index)
    return signals


def active_signals(signals: Sequence[Signal], latest_index: int) -> list[Signal]:
    """The hits whose window includes the latest reading."""
    return [s for s in signals if s.first <= latest_index <= s.last]


def signals_at_end(
    values: Sequence[float], limits: ProcessLimits, good_side: Side | None
) -> list[Signal]:
    """The active signals (those whose window includes the last value), found from
    the tail of the values alone: what `active_signals(detect_signals(...))` keeps,
    at a cost that does not grow with the history.

    A window that includes the last value ends there. Rule 1 reads the last value,
    rule 2 the last four, rule 4 the last two, and rule 3 the last RUN_LENGTH values
    off the central line (values on it neither extend nor break a run), so the tail
    reaches back that far.
    """
    start, off_line = len(values), 0
    while start > 0 and off_line < RUN_LENGTH:
        start -= 1
        if values[start] != limits.mean:
            off_line += 1
    start = max(0, min(start, len(values) - QUARTILE_WINDOW))
    tail = values[start:]
    return _shifted(
        active_signals(detect_signals(tail, limits, good_side), len(tail) - 1), start
    )


def _shifted(signals: Iterable[Signal], offset: int) -> list[Signal]:
    return [
        replace(signal, first=signal.first + offset, last=signal.last + offset)
        for signal in signals
    ]


def _good_side(kpi: KPI, limits: ProcessLimits) -> Side | None:
    return favourable_side(kpi.direction, limits, kpi.thresholds.green)


def period_signals(
    kpi: KPI, readings: Sequence[Reading], segments: Sequence[LimitSegment]
) -> list[Signal]:
    """Every hit over `readings` (indices into them), each judged against the limits
    of its own period; no window reaches across a divider."""
    found: list[Signal] = []
    for segment in segments:
        if segment.limits is None or segment.stop == segment.first:
            continue
        values = [reading.value for reading in readings[segment.first : segment.stop]]
        good = _good_side(kpi, segment.limits)
        found.extend(
            _shifted(detect_signals(values, segment.limits, good), segment.first)
        )
    return found


def current_signals(
    kpi: KPI, readings: Sequence[Reading], segments: Sequence[LimitSegment]
) -> list[Signal]:
    """The hits whose window includes the latest reading, against the limits of
    the latest period, at a cost that does not grow with the history."""
    segment, size = segments[-1], TAIL_READINGS
    limits = segment.limits
    if limits is None or segment.stop == segment.first:
        return []
    while True:  # a tail long enough for `signals_at_end`: rarely more than one
        first = max(segment.first, segment.stop - size)
        values = [reading.value for reading in readings[first : segment.stop]]
        off_line = sum(value != limits.mean for value in values)
        if first == segment.first or off_line >= RUN_LENGTH:
            break
        size *= 2
    good = _good_side(kpi, limits)
    return _shifted(signals_at_end(values, limits, good), first)


@dataclass(frozen=True, slots=True)
class ProposedDivider:
    """A lasting shift: where its run began (`index` of that reading, on `start`),
    on which side of the mean, and the mean before and after (of the first 20
    readings from the run's start, as the new period's limits would take them)."""

    start: dt.date
    index: int
    side: Side
    old_mean: float
    new_mean: float


def proposed_divider(
    kpi: KPI, as_of: dt.date, declined: Collection[dt.date] = ()
) -> ProposedDivider | None:
    """A divider to propose in the KPI's latest period, or None.

    A shift has lasted when a rule-3 run of eight is still going after a further
    eight readings (sixteen in a row on one side of the period's mean); the divider
    goes at the run's first reading. The earliest such run is proposed, except one
    whose first day is in `declined` (a person said no to it) or that starts the
    period already.
    """
    readings = kpi.readings_until(as_of)
    segment = limit_segments(kpi, as_of)[-1]
    limits = segment.limits
    if limits is None:
        return None
    values = [reading.value for reading in readings[segment.first : segment.stop]]
    for run_first, side in lasting_runs(values, limits.mean):
        index = segment.first + run_first
        day = readings[index].day
        if run_first == 0 or day in declined:
            continue
        after = values[run_first : run_first + DEFAULT_BASELINE_LENGTH]
        return ProposedDivider(
            start=day,
            index=index,
            side=side,
            old_mean=limits.mean,
            new_mean=sum(after) / len(after),
        )
    return None


def lasting_runs(values: Sequence[float], mean: float) -> Iterator[tuple[int, Side]]:
    """The first index and side of each run of LASTING_RUN_LENGTH values or more on
    one side of `mean` (values on it neither extend nor break a run), in order."""
    run_side: Side | None = None
    run_first, length = 0, 0
    for index, value in enumerate(values):
        if value == mean:
            continue
        side = Side.ABOVE if value > mean else Side.BELOW
        if side is not run_side:
            run_side, run_first, length = side, index, 0
        length += 1
        if length == LASTING_RUN_LENGTH:
            yield run_first, side


def moving_ranges(
    readings: Sequence[Reading], segments: Sequence[LimitSegment]
) -> list[float | None]:
    """|x_i − x_(i−1)| for each reading; None at the first reading of a period (no
    range reaches across a divider)."""
    ranges: list[float | None] = [None] * len(readings)
    for segment in segments:
        for index in range(segment.first + 1, segment.stop):
            ranges[index] = abs(readings[index].value - readings[index - 1].value)
    return ranges


@dataclass(frozen=True, slots=True)
class ProcessChart:
    """What a KPI's process behaviour chart draws on `as_of`: the readings (X
    chart), their moving ranges (mR chart), the limit periods, every hit in the
    history, the hits active at the latest reading, and a proposed divider."""

    readings: tuple[Reading, ...]
    moving_ranges: tuple[float | None, ...]
    periods: tuple[LimitSegment, ...]
    signals: tuple[Signal, ...]
    active: tuple[Signal, ...]
    divider: ProposedDivider | None

    def period_of(self, index: int) -> LimitSegment:
        """The limit period that holds the reading at `index`."""
        return next(period for period in self.periods if index in period)


def process_chart(
    kpi: KPI, as_of: dt.date, declined: Collection[dt.date] = ()
) -> ProcessChart:
    """The X and mR chart series of a KPI with its periods, signals and divider."""
    readings = kpi.readings_until(as_of)
    segments = limit_segments(kpi, as_of)
    found = period_signals(kpi, readings, segments)
    return ProcessChart(
        readings=readings,
        moving_ranges=tuple(moving_ranges(readings, segments)),
        periods=tuple(segments),
        signals=tuple(found),
        active=tuple(active_signals(found, len(readings) - 1)),
        divider=proposed_divider(kpi, as_of, declined),
    )
