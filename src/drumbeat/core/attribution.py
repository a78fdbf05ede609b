"""Attribution (PRODUCT.md): how far a KPI moved over a cycle, in its unit and in
multiples of its noise, judged against process limits from before the cycle, so
that the board report can tell a real movement from the week-to-week wobble.
Association, never proof: the report shows the OKRs beside the movement.

Across quarters (`kpi_attribution`, `cycle_attribution`), each closed cycle is
judged against the process it started from: the latest PRE_CYCLE_READINGS readings
before its start, within the limit period then in force (mean and mR̄; at least
six readings, else the cycle is `unjudged`).

- Movement: the latest reading by the cycle start to the latest by its end, in the
  KPI's unit and in multiples of the noise, 2.66 × mR̄ (the half-width of the
  natural limits; 1.0 is as wide a change as noise alone produces).
- Beyond the noise in the targeted direction (`moved`): a rule 1, 2 or 3 signal on
  the side the KRs aimed at, against the pre-cycle limits, whose window ends on a
  reading of the cycle (it may start on one of the seven before). Only a signal on
  the other side: `against`. No signal: `still`. `moved_beyond_noise` is the one
  rule of whether a KPI moved beyond its noise in a cycle (either way): the cycle
  board, the command, the API and the board report all read it.
- Held: after a `moved` cycle, every reading of the following cycle (the first to
  start after it ends) stays on the targeted side of the pre-cycle mean.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from drumbeat.core.close import KeyResultClose, close_cycle, kpi_cycle_history
from drumbeat.core.model import (
    KPI,
    Band,
    Cycle,
    Direction,
    KeyResultKind,
    Reading,
    Workspace,
)
from drumbeat.core.spc import (
    RUN_LENGTH,
    ProcessLimits,
    Side,
    Signal,
    detect_signals,
    favourable_side,
    kpi_process_limits,
    limit_segments,
    process_limits,
)


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


PRE_CYCLE_READINGS = 20
"""How many readings before a cycle's start describe the process the cycle
started from (the latest of the limit period then in force)."""

SHIFT_RULES = frozenset({1, 2, 3})
"""The detection rules that say a process moved: a point beyond a limit, three of
four beyond a quartile line, a run of eight on one side. Rule 4 (one sudden
jump) says nothing about where the process went, so it is left out."""


class CycleOutcome(StrEnum):
    """What a KPI did over a cycle, against its process from before the cycle."""

    MOVED = "moved"
    """A signal on the targeted side: moved beyond its noise as the OKR aimed."""
    AGAINST = "against"
    """A signal on the other side only (or on any side when none was aimed at, a
    target band the process sat in): moved beyond its noise, the wrong way."""
    STILL = "still"
    """No signal: the movement stayed within the noise."""
    UNJUDGED = "unjudged"
    """Fewer than six readings before the cycle, or none in it: nothing to judge."""


@dataclass(frozen=True, slots=True)
class KPICycleAttribution:
    """One KPI over one closed cycle, with the KRs that targeted it there (none for
    a KPI no OKR aimed at), judged against the process before the cycle."""

    kpi: KPI
    cycle: Cycle
    key_results: tuple[KeyResultClose, ...]
    movement: Movement
    """From the latest reading by the cycle start to the latest by its end."""
    targeted_side: Side | None
    """The side the KRs aimed the KPI at (its good side for a KPI with no KR)."""
    signals: tuple[Signal, ...]
    """Rule 1–3 hits whose window ends in the cycle, against the pre-cycle limits."""
    held: bool | None
    """After a MOVED cycle: whether every reading of the following cycle stayed on
    the targeted side of the pre-cycle mean; None when there is nothing to tell."""

    @property
    def targeted(self) -> bool:
        return bool(self.key_results)

    @property
    def distinct_key_results(self) -> tuple[KeyResultClose, ...]:
        """One KR per key (teams' objectives often repeat a KR's key), first kept."""
        first: dict[str, KeyResultClose] = {}
        for kr in self.key_results:
            first.setdefault(kr.score.key, kr)
        return tuple(first.values())

    @property
    def first_key_result(self) -> KeyResultClose | None:
        return self.key_results[0] if self.key_results else None

    @property
    def signal_sides(self) -> frozenset[Side]:
        return frozenset(signal.side for signal in self.signals)

    @property
    def outcome(self) -> CycleOutcome:
        if self.movement.limits is None or self.movement.last is None:
            return CycleOutcome.UNJUDGED
        sides = self.signal_sides
        if self.targeted_side is not None and self.targeted_side in sides:
            return CycleOutcome.MOVED
        if sides:  # the other side, or any side when none is aimed at (a departure)
            return CycleOutcome.AGAINST
        return CycleOutcome.STILL

    @property
    def moved_side(self) -> Side | None:
        """The side the signals went (the targeted one first), if any."""
        if self.targeted_side in self.signal_sides:
            return self.targeted_side
        return next(iter(sorted(self.signal_sides)), None)


@dataclass(frozen=True, slots=True)
class CycleAttribution:
    """A closed cycle's KPIs in three groups (and those that could not be judged)."""

    cycle: Cycle
    moved: tuple[KPICycleAttribution, ...]
    """Targeted, and moved beyond the noise in the targeted direction."""
    still: tuple[KPICycleAttribution, ...]
    """Targeted, and did not move beyond the noise (or moved the other way)."""
    moved_without_okr: tuple[KPICycleAttribution, ...]
    """No KR on them in the cycle, yet moved beyond the noise (either way)."""
    unjudged: tuple[KPICycleAttribution, ...]
    """Targeted, with too few readings to judge."""

    @property
    def groups(self) -> list[tuple[str, str, tuple[KPICycleAttribution, ...]]]:
        """Each group's name (as the JSON keys it), its title and its KPIs."""
        return [
            ("moved", "Moved beyond their noise as targeted", self.moved),
            (
                "still",
                "Targeted, did not move beyond their noise as targeted",
                self.still,
            ),
            (
                "moved_without_okr",
                "Moved beyond their noise with no OKR on them",
                self.moved_without_okr,
            ),
            ("unjudged", "Targeted, too few readings to judge", self.unjudged),
        ]


def closed_cycles(workspace: Workspace, as_of: dt.date) -> list[Cycle]:
    """The cycles ended before `as_of`, oldest first."""
    return sorted(
        (cycle for cycle in workspace.cycles if cycle.end < as_of),
        key=lambda cycle: (cycle.start, cycle.key),
    )


def kpi_attribution(
    workspace: Workspace, kpi_key: str, as_of: dt.date
) -> list[KPICycleAttribution]:
    """Every closed cycle that targeted the KPI, oldest first."""
    kpi = workspace.kpi_by_key.get(kpi_key)
    if kpi is None:
        return []
    history = kpi_cycle_history(workspace, kpi_key, as_of)
    by_cycle: dict[str, list[KeyResultClose]] = {}
    for entry in history:
        by_cycle.setdefault(entry.cycle, []).append(entry)
    return [
        judge_cycle(workspace, kpi, cycle, tuple(by_cycle[cycle.key]), as_of)
        for cycle in closed_cycles(workspace, as_of)
        if cycle.key in by_cycle
    ]


def moved_beyond_noise(outcome: CycleOutcome) -> bool:
    """Whether a KPI moved beyond its noise over a cycle, either way: a rule 1–3
    signal against its pre-cycle limits (`judge_cycle`), on the targeted side
    (`moved`) or the other (`against`). Not a change wider than the noise from one
    reading to another: a run of eight small steps is a move, one wide wobble is
    not."""
    return outcome in (CycleOutcome.MOVED, CycleOutcome.AGAINST)


def cycle_verdicts(
    workspace: Workspace, cycle: Cycle, as_of: dt.date
) -> dict[str, KPICycleAttribution]:
    """Every KPI of the workspace over `cycle`, by key, each with the cycle's KRs
    that targeted it, judged against its process before the cycle."""
    targeting: dict[str, list[KeyResultClose]] = {}
    for entry in close_cycle(workspace, cycle).key_results:
        targeting.setdefault(entry.kpi, []).append(entry)
    return {
        kpi.key: judge_cycle(
            workspace, kpi, cycle, tuple(targeting.get(kpi.key, ())), as_of
        )
        for kpi in workspace.kpis
    }


def cycle_attribution(
    workspace: Workspace, cycle: Cycle, as_of: dt.date
) -> CycleAttribution:
    """Every KPI over `cycle`, sorted into the groups of `CycleAttribution`."""
    moved, still, without, unjudged = [], [], [], []
    for judged in cycle_verdicts(workspace, cycle, as_of).values():
        outcome = judged.outcome
        if not judged.targeted:
            if moved_beyond_noise(outcome):
                without.append(judged)
        elif outcome is CycleOutcome.MOVED:
            moved.append(judged)
        elif outcome is CycleOutcome.UNJUDGED:
            unjudged.append(judged)
        else:
            still.append(judged)
    return CycleAttribution(
        cycle, tuple(moved), tuple(still), tuple(without), tuple(unjudged)
    )


def pre_cycle_limits(kpi: KPI, cycle: Cycle) -> ProcessLimits | None:
    """The process the cycle started from: the latest PRE_CYCLE_READINGS readings
    before its start, within the limit period then in force (None below six)."""
    before = cycle.start - dt.timedelta(days=1)
    segments = limit_segments(kpi, before)
    readings = kpi.readings_until(before)
    period = segments[-1]
    values = [r.value for r in readings[period.first : period.stop]]
    return process_limits(values[-PRE_CYCLE_READINGS:])


def judge_cycle(
    workspace: Workspace,
    kpi: KPI,
    cycle: Cycle,
    key_results: tuple[KeyResultClose, ...],
    as_of: dt.date,
) -> KPICycleAttribution:
    """The KPI over `cycle` against the process before it (see the module)."""
    limits = pre_cycle_limits(kpi, cycle)
    until = min(cycle.end, as_of)
    inside = kpi.readings_between(cycle.start - dt.timedelta(days=1), until)
    first = kpi.latest_until(cycle.start) or (inside[0] if inside else None)
    last = inside[-1] if inside else None
    good_side = (
        favourable_side(kpi.direction, limits, kpi.thresholds.green)
        if limits is not None
        else None
    )
    movement = Movement(first=first, last=last, limits=limits, good_side=good_side)
    targeted = (
        _targeted_side(key_results[0], limits, good_side)
        if key_results and limits is not None
        else good_side
    )
    signals: tuple[Signal, ...] = ()
    if limits is not None and inside:
        signals = _signals_in(kpi, cycle, inside, limits, targeted)
    held = None
    if (
        limits is not None
        and targeted is not None
        and key_results
        and targeted in {signal.side for signal in signals}
    ):
        held = _held(workspace, kpi, cycle, limits.mean, targeted, as_of)
    return KPICycleAttribution(
        kpi, cycle, key_results, movement, targeted, signals, held
    )


def _targeted_side(
    entry: KeyResultClose, limits: ProcessLimits, good_side: Side | None
) -> Side | None:
    """Where a `change` KR aimed its KPI: the side of its target from its baseline
    (the pre-cycle mean without one); a band target: towards the band from the
    mean, none when the mean is inside. A `sustain` KR aims to hold, so the KPI's
    good side stands for it."""
    target = entry.target
    if entry.score.kind is KeyResultKind.SUSTAIN:
        return good_side
    if isinstance(target, Band):  # as a `range` KPI's good side, towards the band
        return favourable_side(Direction.RANGE, limits, target)
    start = entry.score.baseline if entry.score.baseline is not None else limits.mean
    if target > start:
        return Side.ABOVE
    if target < start:
        return Side.BELOW
    return good_side


def _signals_in(
    kpi: KPI,
    cycle: Cycle,
    inside: tuple[Reading, ...],
    limits: ProcessLimits,
    targeted: Side | None,
) -> tuple[Signal, ...]:
    """Rule 1–3 hits over the pre-cycle readings followed by the cycle's, kept when
    their window ends on a reading of the cycle (a window may reach back before the
    start: with three readings a quarter, rule 2 needs one from before)."""
    before = kpi.readings_until(cycle.start - dt.timedelta(days=1))
    lead = before[-(RUN_LENGTH - 1) :] if before else ()
    values = [r.value for r in (*lead, *inside)]
    return tuple(
        replace(signal, first=signal.first - len(lead), last=signal.last - len(lead))
        for signal in detect_signals(values, limits, targeted)
        if signal.rule in SHIFT_RULES and signal.last >= len(lead)
    )


def following_cycle(workspace: Workspace, cycle: Cycle) -> Cycle | None:
    """The first cycle to start after `cycle` ends."""
    later = [other for other in workspace.cycles if other.start > cycle.end]
    return min(later, key=lambda other: (other.start, other.key), default=None)


def _held(
    workspace: Workspace,
    kpi: KPI,
    cycle: Cycle,
    mean: float,
    targeted: Side,
    as_of: dt.date,
) -> bool | None:
    following = following_cycle(workspace, cycle)
    if following is None or following.start > as_of:
        return None
    readings = kpi.readings_between(
        following.start - dt.timedelta(days=1), min(following.end, as_of)
    )
    if not readings:
        return None
    if targeted is Side.ABOVE:
        return all(r.value > mean for r in readings)
    return all(r.value < mean for r in readings)


OUTCOME_WORDS = {
    CycleOutcome.MOVED: "moved beyond its noise, as targeted",
    CycleOutcome.AGAINST: "moved beyond its noise, the other way",
    CycleOutcome.STILL: "within its noise",
    CycleOutcome.UNJUDGED: "too few readings to judge",
}

ASSOCIATION_NOTE = (
    "An association, not proof: a KPI that moved while an OKR targeted it may have "
    "moved for other reasons, and one that did not may still have been helped."
)


def verdict_words(judged: KPICycleAttribution) -> str:
    """The verdict in words: those of `OUTCOME_WORDS` for a KPI an OKR targeted;
    for one none did, whether it moved to its good side (`favourable`) or not."""
    if judged.targeted or not moved_beyond_noise(judged.outcome):
        return OUTCOME_WORDS[judged.outcome]
    if judged.targeted_side is None:
        return "moved beyond its noise"
    if judged.outcome is CycleOutcome.MOVED:
        return "moved beyond its noise, favourable"
    return "moved beyond its noise, unfavourable"


def held_words(held: bool | None) -> str:
    """`held`, `did not hold`, or `-` when there is nothing to tell."""
    if held is None:
        return "-"
    return "held" if held else "did not hold"
