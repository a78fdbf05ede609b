"""The Drumbeat domain model: plain, frozen values that every rule takes and returns.

Nothing here knows about files, databases or web requests. A `Workspace` is the whole
state the rules need: the KPI dictionary with its readings, the cycles and the OKRs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

from drumbeat.core.moments import moment_day


class Direction(StrEnum):
    """Which side of a KPI is good: higher, lower, or inside a band."""

    UP = "up"
    DOWN = "down"
    RANGE = "range"


class Cadence(StrEnum):
    """How often a KPI is expected to get a new reading."""

    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"

    @property
    def days(self) -> float:
        """The length of one period, in days (calendar averages for months on)."""
        return _CADENCE_DAYS[self]


_CADENCE_DAYS = {
    Cadence.DAILY: 1.0,
    Cadence.WEEKLY: 7.0,
    Cadence.MONTHLY: 365.25 / 12,
    Cadence.QUARTERLY: 365.25 / 4,
    Cadence.YEARLY: 365.25,
}


class Perspective(StrEnum):
    """The four Balanced-Scorecard perspectives."""

    FINANCIAL = "financial"
    CUSTOMER = "customer"
    INTERNAL = "internal"
    LEARNING = "learning"


class Tier(StrEnum):
    """Key / Secondary / Transient: how much attention a KPI deserves."""

    KEY = "key"
    SECONDARY = "secondary"
    TRANSIENT = "transient"


class Indicator(StrEnum):
    LEADING = "leading"
    LAGGING = "lagging"


class SourceType(StrEnum):
    MANUAL = "manual"
    CSV = "csv"
    PUSH = "push"
    SQL = "sql"


class KeyResultKind(StrEnum):
    """`change` moves a KPI from baseline to target; `sustain` holds it there;
    `cumulative` adds up the KPI's readings in the cycle (new logos won, say)
    from a baseline of 0 by default, and is scored like a change."""

    CHANGE = "change"
    SUSTAIN = "sustain"
    CUMULATIVE = "cumulative"


class Commitment(StrEnum):
    COMMITTED = "committed"
    ASPIRATIONAL = "aspirational"


class Health(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNKNOWN = "unknown"


class Grade(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Lifecycle(StrEnum):
    """The four statuses of a KPI between monitoring and improvement."""

    OKR_TARGET = "okr_target"
    COMPLETED = "completed"
    AT_RISK = "at_risk"
    WATCH = "watch"


class CycleStatus(StrEnum):
    """Where a cycle stands in time alone (a file has no close record): what the
    rules read. `CycleState` adds the close."""

    PLANNING = "planning"
    ACTIVE = "active"
    CLOSED = "closed"


class CycleState(StrEnum):
    """Where a cycle stands in the rhythm: `planning` before its start, `active`
    from start to end, `closing` after its end until someone closes it, `closed`
    after the close. Computed from the dates and the close record, never typed."""

    PLANNING = "planning"
    ACTIVE = "active"
    CLOSING = "closing"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Band:
    """An inclusive interval `[low, high]`."""

    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high


Target = float | Band
"""A KR's target: one level, or a band for a `sustain` or `change` KR on a
`range` KPI."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Health thresholds: numbers for `up`/`down` KPIs, bands for `range` KPIs."""

    green: float | Band | None = None
    red: float | None = None
    amber: Band | None = None

    @property
    def is_empty(self) -> bool:
        return self.green is None and self.red is None and self.amber is None


@dataclass(frozen=True, slots=True)
class Benchmarks:
    industry: float | None = None
    best_in_class: float | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a KPI's readings come from; `sql` names a connection and a query,
    and may give a cron `schedule` for its pulls (by default: its cadence)."""

    type: SourceType = SourceType.MANUAL
    connection: str | None = None
    query: str | None = None
    schedule: str | None = None


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of days."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class LimitPeriod:
    """A divider in a KPI's process: from `start` on, the limits are recomputed from
    `baseline` (the period's first 20 readings when it is None)."""

    start: dt.date
    baseline: Period | None = None


class Reading(NamedTuple):
    """One value of a KPI at a date or a timestamp (a named tuple: a history is
    rebuilt on every refresh, and these are five times faster to make than a
    frozen dataclass)."""

    at: dt.date | dt.datetime
    value: float
    note: str | None = None

    @property
    def day(self) -> dt.date:
        """The calendar day of the reading, which every rule compares (see
        `moment_day`)."""
        return moment_day(self.at)


_moment = operator.attrgetter("at")


def _dates_only(moments: Iterable[dt.date | dt.datetime]) -> bool:
    """Whether the moments are all plain dates (no timestamp)."""
    return set(map(type, moments)) <= {dt.date}


def reading_order(reading: Reading) -> tuple[dt.date, float]:
    """Sort key that orders dates and timestamps together: a date comes first on
    its day; a timestamp counts in UTC (a naive one is taken as UTC)."""
    at = reading.at
    if not isinstance(at, dt.datetime):
        return at, -1.0
    moment = at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)
    return moment.date(), moment.timestamp()


@dataclass(frozen=True)
class KPI:
    """A dictionary entry: one governed measure, with its readings in time order."""

    key: str
    name: str
    description: str | None = None
    unit: str | None = None
    direction: Direction = Direction.UP
    cadence: Cadence | None = None
    review_cadence: Cadence | None = None
    """How often the KPI comes up at the KPI review; by default, its `cadence`."""
    owner: str | None = None
    team: str | None = None
    perspective: Perspective | None = None
    tier: Tier = Tier.SECONDARY
    indicator: Indicator | None = None
    north_star: bool = False
    financial: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)
    benchmarks: Benchmarks = field(default_factory=Benchmarks)
    drives: tuple[str, ...] = ()
    ceo_attention: bool = False
    corrective_action: str | None = None
    """What staff do when the KPI goes the wrong way (Parmenter's fourth)."""
    critical_success_factors: tuple[str, ...] = ()
    """Keys of the workspace's critical success factors this KPI moves."""
    dark_side: str | None = None
    """The unintended consequence of chasing this KPI (Parmenter's seventh)."""
    guardrail: str | None = None
    """The key of the KPI that watches for the dark side."""
    source: Source = field(default_factory=Source)
    spc_baseline: Period | None = None
    spc_periods: tuple[LimitPeriod, ...] = ()
    """The dividers after the first period (which `spc_baseline` sets), in order."""
    readings: tuple[Reading, ...] = ()

    def __post_init__(self) -> None:
        readings = self.readings
        moments = list(map(_moment, readings))
        if _dates_only(moments):  # the common case, at C speed
            in_order = moments == sorted(moments)
        else:
            keys = [reading_order(reading) for reading in readings]
            in_order = not any(a > b for a, b in itertools.pairwise(keys))
        if not in_order:
            ordered = sorted(readings, key=reading_order)
            object.__setattr__(self, "readings", tuple(ordered))

    @cached_property
    def reading_days(self) -> tuple[dt.date, ...]:
        moments = tuple(map(_moment, self.readings))
        if _dates_only(moments):
            return moments
        return tuple(reading.day for reading in self.readings)

    def readings_until(self, day: dt.date) -> tuple[Reading, ...]:
        """The readings dated on or before `day`, oldest first."""
        return self.readings[: bisect.bisect_right(self.reading_days, day)]

    def readings_between(self, after: dt.date, until: dt.date) -> tuple[Reading, ...]:
        """The readings dated in `(after, until]`, oldest first."""
        days = self.reading_days
        return self.readings[
            bisect.bisect_right(days, after) : bisect.bisect_right(days, until)
        ]

    def latest_until(self, day: dt.date) -> Reading | None:
        index = bisect.bisect_right(self.reading_days, day)
        return self.readings[index - 1] if index else None


@dataclass(frozen=True, slots=True)
class CriticalSuccessFactor:
    """What the organisation must do well to succeed, defined once, named by KPIs."""

    key: str
    name: str


@dataclass(frozen=True, slots=True)
class Team:
    key: str
    name: str
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Cycle:
    """A named OKR period, planning before its start, closed after its end."""

    key: str
    start: dt.date
    end: dt.date
    parent: str | None = None
    """The cycle that contains this one (a year containing its quarters)."""

    def status(self, as_of: dt.date) -> CycleStatus:
        if as_of < self.start:
            return CycleStatus.PLANNING
        if as_of > self.end:
            return CycleStatus.CLOSED
        return CycleStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A person's dated word on a KR: confidence, what changed, blockers."""

    at: dt.date
    by: str | None = None
    confidence: float | None = None
    note: str | None = None
    blockers: str | None = None


@dataclass(frozen=True, slots=True)
class KeyResult:
    """A measurable result, always read from a dictionary KPI."""

    key: str
    kpi: str
    target: Target
    title: str | None = None
    kind: KeyResultKind = KeyResultKind.CHANGE
    baseline: float | None = None
    deadline: dt.date | None = None
    owner: str | None = None
    weight: float = 1
    checkins: tuple[CheckIn, ...] = ()
    relative_target: float | None = None
    """The percent change the target was written as (10.0 for `"+10%"`, -25.0
    for `"-25%"`); `target` holds it resolved against the baseline."""


@dataclass(frozen=True, slots=True)
class Objective:
    key: str
    title: str
    cycle: str
    team: str | None = None
    owner: str | None = None
    commitment: Commitment = Commitment.ASPIRATIONAL
    parent: str | None = None
    key_results: tuple[KeyResult, ...] = ()


@dataclass(frozen=True)
class Workspace:
    """Everything the rules read: the dictionary, the cycles and the OKRs."""

    kpis: tuple[KPI, ...] = ()
    cycles: tuple[Cycle, ...] = ()
    objectives: tuple[Objective, ...] = ()
    teams: tuple[Team, ...] = ()
    organisation: str | None = None
    version: int = 1
    critical_success_factors: tuple[CriticalSuccessFactor, ...] = ()

    @cached_property
    def kpi_by_key(self) -> dict[str, KPI]:
        return {kpi.key: kpi for kpi in self.kpis}

    @cached_property
    def cycle_by_key(self) -> dict[str, Cycle]:
        return {cycle.key: cycle for cycle in self.cycles}

    def containing_cycle(self, cycle: Cycle) -> Cycle | None:
        """The cycle that contains `cycle` (its year, for a quarter), if any."""
        return self.cycle_by_key.get(cycle.parent) if cycle.parent else None

    def objectives_in(self, cycle_key: str) -> tuple[Objective, ...]:
        return tuple(o for o in self.objectives if o.cycle == cycle_key)
