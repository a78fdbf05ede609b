"""The diagnostic flow (KPI → OKR): which KPIs to work on next cycle, with draft KRs.

Judged as of the cycle's start date. Red KPIs come first, then amber ones and those
with an unfavourable signal, then those furthest behind their benchmark; within
each, KPIs an annual KR of the containing cycle targets (the annual direction),
then the north star and `key` tier first. A stagnating KPI (`core.stagnation`) says
so in its "why". A KPI that was just completed, one the
cycle already targets, and transient KPIs are never suggested.

A KPI whose most recent KR was `cumulative` is drafted cumulative again: see
`cumulative_draft`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drumbeat.core.cycles import is_annual_cycle
from drumbeat.core.display import (
    format_number,
    format_target,
    unfavourable_signal_reason,
)
from drumbeat.core.health import KPIAssessment, assess_kpi
from drumbeat.core.lifecycle import completions, targeted_kpis
from drumbeat.core.model import (
    KPI,
    Band,
    Cycle,
    Direction,
    Health,
    KeyResultKind,
    Target,
    Tier,
    Workspace,
)
from drumbeat.core.scoring import cumulative_reading
from drumbeat.core.stagnation import Stagnation, stagnation

_TIER_RANK = {Tier.KEY: 0, Tier.SECONDARY: 1, Tier.TRANSIENT: 2}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A KPI worth elevating to a Key Result, with the draft KR."""

    kpi: KPI
    baseline: float | None
    commit_target: Target | None
    stretch_target: Target | None
    why: str
    assessment: KPIAssessment
    benchmark_gap: float | None
    stagnation: Stagnation | None = None
    annual_direction: tuple[str, ...] = ()
    """The keys of the containing cycle's KRs that target this KPI."""
    cumulative_in: str | None = None
    """The planned cycle's key when the draft is cumulative (`cumulative_draft`)."""

    @property
    def kind(self) -> str:
        """`cumulative` when drafted so; a band is a `change` into it from a
        baseline outside it, else `sustain`."""
        if self.cumulative_in is not None:
            return str(KeyResultKind.CUMULATIVE)
        if isinstance(self.commit_target, Band) and not self.moves_into_band:
            return "sustain"
        return "change"

    @property
    def moves_into_band(self) -> bool:
        """Whether the draft moves the KPI into its band from outside it."""
        band = self.commit_target
        return (
            isinstance(band, Band)
            and self.baseline is not None
            and self.baseline not in band
        )

    @property
    def title(self) -> str:
        """A draft KR title, such as "Increase NPS from 38 to 45"."""
        name = _in_sentence(self.kpi.name)
        if self.cumulative_in is not None and isinstance(self.commit_target, float):
            total = format_number(self.commit_target)
            return f"Add up to {total} {name} in {self.cumulative_in}"
        if isinstance(self.commit_target, Band):
            band = format_target(self.commit_target)
            if self.moves_into_band and self.baseline is not None:
                return f"Bring {name} from {format_number(self.baseline)} into {band}"
            return f"Bring {name} into {band} and hold it"
        if self.commit_target is None or self.baseline is None:
            return f"Improve {name}"
        verb = "Increase" if self.commit_target > self.baseline else "Reduce"
        return (
            f"{verb} {name} from {format_number(self.baseline)} to "
            f"{format_number(self.commit_target)}"
        )


def _in_sentence(name: str) -> str:
    """ "Monthly logo churn" → "monthly logo churn"; "NPS" and "Net MRR" stay."""
    words = name.split()
    if words and words[0][1:].islower() and not any(w[:1].isupper() for w in words[1:]):
        return name[0].lower() + name[1:]
    return name


def benchmark_gap(kpi: KPI, value: float) -> float | None:
    """How far behind its benchmark a KPI is, as a share of the benchmark.

    Compared with the industry average, else best in class; positive when behind.
    None for `range` KPIs and KPIs without a benchmark.
    """
    benchmark = kpi.benchmarks.industry
    if benchmark is None:
        benchmark = kpi.benchmarks.best_in_class
    if benchmark is None or kpi.direction is Direction.RANGE:
        return None
    behind = benchmark - value if kpi.direction is Direction.UP else value - benchmark
    return behind / abs(benchmark) if benchmark else behind


def _ahead(kpi: KPI, candidate: float, baseline: float) -> bool:
    if kpi.direction is Direction.DOWN:
        return candidate < baseline
    return candidate > baseline


def draft_targets(kpi: KPI, baseline: float) -> tuple[Target | None, Target | None]:
    """The committed target (green threshold, else industry benchmark) and the
    stretch target (best in class), each only when it asks for an improvement."""
    if kpi.direction is Direction.RANGE:
        green = kpi.thresholds.green
        return (green if isinstance(green, Band) else None), None
    candidates = [kpi.thresholds.green, kpi.benchmarks.industry]
    commit = next(
        (
            c
            for c in candidates
            if isinstance(c, int | float) and _ahead(kpi, c, baseline)
        ),
        None,
    )
    best = kpi.benchmarks.best_in_class
    reference = commit if commit is not None else baseline
    stretch = best if best is not None and _ahead(kpi, best, reference) else None
    return commit, stretch


@dataclass(frozen=True, slots=True)
class CumulativeDraft:
    """A cumulative KR's draft: from 0 to `commit` (and `stretch`), against the
    `total` the KPI's readings added up to in the `previous` cycle."""

    previous: Cycle
    total: float
    commit: float
    stretch: float | None

    @property
    def reason(self) -> str:
        return (
            f"its last KR was cumulative: {format_number(self.total)} "
            f"in {self.previous.key}"
        )


def last_key_result_kinds(
    workspace: Workspace, cycle: Cycle
) -> dict[str, KeyResultKind]:
    """KPI key → the kind of its most recent KR: the last KR on it in the latest
    cycle of `cycle`'s kind (annual or not) that started before `cycle` and
    targeted it. One pass over the KRs, whatever the number of KPIs."""
    annual = is_annual_cycle(cycle, workspace.cycles)
    earlier = sorted(
        (
            other
            for other in workspace.cycles
            if other.start < cycle.start
            and is_annual_cycle(other, workspace.cycles) == annual
        ),
        key=lambda other: (other.start, other.end),
    )
    kinds: dict[str, KeyResultKind] = {}
    for other in earlier:
        for objective in workspace.objectives_in(other.key):
            for kr in objective.key_results:
                kinds[kr.kpi] = kr.kind
    return kinds


def previous_cycle(workspace: Workspace, cycle: Cycle) -> Cycle | None:
    """The last cycle of `cycle`'s kind (annual or not) that ended before it
    starts: the quarter before a quarter, the year before a year."""
    annual = is_annual_cycle(cycle, workspace.cycles)
    done = [
        other
        for other in workspace.cycles
        if other.end < cycle.start
        and is_annual_cycle(other, workspace.cycles) == annual
    ]
    return max(done, key=lambda other: (other.end, other.start), default=None)


def cumulative_draft(
    kpi: KPI,
    previous: Cycle,
    latest: float,
    commit: Target | None,
    stretch: Target | None,
) -> CumulativeDraft | None:
    """The totals a cumulative KR asks for, from the change draft's targets.

    The base is what the KPI's readings added up to in the previous cycle of the
    same kind: the sum a cumulative KR of that cycle scores (its readings after
    its start, up to its end; `scoring.cumulative_reading`). A change draft asks
    the KPI's latest value to rise to `commit` (green, else the industry
    benchmark) and, stretching, to `stretch` (best in class). Its cumulative
    analogue asks every reading of the cycle to rise by that same step, so the
    total rises by the step times the number of readings that made it:
    `total + n × (commit − latest)`, and likewise for the stretch. Adding the step
    rather than scaling by `commit / latest` keeps a meaning when the latest
    value is 0 and matches how a per-reading threshold reads. Without a
    committed target, the draft asks for the previous total again (a step of
    0). Totals of whole numbers (customers, deals) are rounded to whole numbers.

    None when the previous cycle holds no reading (nothing to add up) or the
    change draft's targets are bands (a `range` KPI is not added up)."""
    window = kpi.readings_between(previous.start, previous.end)
    summed = cumulative_reading(window)
    if summed is None or isinstance(commit, Band) or isinstance(stretch, Band):
        return None
    total = summed.value
    whole = all(float(reading.value).is_integer() for reading in window)

    def raised(target: float | None) -> float:
        step = 0.0 if target is None else target - latest
        value = total + len(window) * step
        return float(round(value)) if whole else round(value, 2)

    return CumulativeDraft(
        previous=previous,
        total=float(total),
        commit=raised(commit),
        stretch=None if stretch is None else raised(stretch),
    )


def annual_direction(workspace: Workspace, cycle: Cycle) -> dict[str, list[str]]:
    """KPI key → the keys of the KRs of `cycle`'s containing cycle (its year) that
    target it: the annual direction a quarter's suggestions follow."""
    containing = workspace.containing_cycle(cycle)
    if containing is None:
        return {}
    targeted: dict[str, list[str]] = {}
    for objective in workspace.objectives_in(containing.key):
        for kr in objective.key_results:
            targeted.setdefault(kr.kpi, []).append(kr.key)
    return targeted


def _reasons(assessment: KPIAssessment, gap: float | None) -> list[str]:
    kpi, latest = assessment.kpi, assessment.latest
    assert latest is not None
    value = format_number(latest.value)
    reasons = []
    if assessment.threshold_health in (Health.RED, Health.AMBER):
        reasons.append(
            f"{assessment.threshold_health} at {value} {kpi.unit or ''}".strip()
        )
    for signal in assessment.signals:
        if not signal.favourable:
            reasons.append(unfavourable_signal_reason(signal))
            break
    if gap is not None and gap > 0:
        reasons.append(f"{gap:.0%} behind its benchmark")
    if assessment.stale:
        reasons.append("its readings are stale")
    return reasons


def suggest(
    workspace: Workspace, cycle: Cycle, as_of: dt.date | None = None
) -> list[Suggestion]:
    """The ranked KPIs worth elevating in `cycle`, best first.

    KPIs are judged as of the cycle start, or as of an earlier `as_of` when planning
    ahead (so that a reading not yet due by the start does not read as stale).
    "Just completed" always means in the last cycle closed before the start.
    """
    judged_on = min(as_of, cycle.start) if as_of else cycle.start
    excluded = targeted_kpis(workspace, [cycle]) | set(
        completions(workspace, cycle.start)
    )
    direction = annual_direction(workspace, cycle)
    containing = workspace.containing_cycle(cycle)
    last_kinds = last_key_result_kinds(workspace, cycle)
    previous = previous_cycle(workspace, cycle)
    ranked: list[tuple[tuple[float, ...], Suggestion]] = []
    for kpi in workspace.kpis:
        if kpi.key in excluded or kpi.tier is Tier.TRANSIENT:
            continue
        assessment = assess_kpi(kpi, judged_on)
        if assessment.latest is None:
            continue
        gap = benchmark_gap(kpi, assessment.latest.value)
        if assessment.health is Health.RED:
            band = 0
        elif assessment.health is Health.AMBER or assessment.unfavourable_signal:
            band = 1
        elif gap is not None and gap > 0:
            band = 2
        else:
            continue
        baseline = assessment.latest.value
        commit, stretch = draft_targets(kpi, baseline)
        reasons = _reasons(assessment, gap)
        stagnating = stagnation(kpi, judged_on)
        if stagnating is not None:
            reasons.append(stagnating.reason)
        annual_krs = tuple(direction.get(kpi.key, ()))
        if annual_krs and containing is not None:
            reasons.append(
                f"the annual direction: {containing.key} targets it "
                f"({', '.join(annual_krs)})"
            )
        cumulative = (
            cumulative_draft(kpi, previous, baseline, commit, stretch)
            if previous is not None
            and last_kinds.get(kpi.key) is KeyResultKind.CUMULATIVE
            else None
        )
        if cumulative is not None:
            reasons.append(cumulative.reason)
            baseline, commit, stretch = 0.0, cumulative.commit, cumulative.stretch
        suggestion = Suggestion(
            kpi=kpi,
            baseline=baseline,
            commit_target=commit,
            stretch_target=stretch,
            cumulative_in=None if cumulative is None else cycle.key,
            why="; ".join(reasons),
            assessment=assessment,
            benchmark_gap=gap,
            stagnation=stagnating,
            annual_direction=annual_krs,
        )
        order = (
            band,
            0 if annual_krs else 1,
            0 if kpi.north_star else 1,
            _TIER_RANK[kpi.tier],
            -(gap or 0.0),
        )
        ranked.append((order, suggestion))
    ranked.sort(key=lambda pair: pair[0])
    return [suggestion for _, suggestion in ranked]
