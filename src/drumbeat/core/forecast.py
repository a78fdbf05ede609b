"""Where a Key Result is heading: its pace so far projected to the deadline (the
check-in agenda's straight line), and the probability that it will be hit.

The method and its backtest are described in docs/forecast.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from drumbeat.core.model import (
    KPI,
    Band,
    Commitment,
    Cycle,
    CycleStatus,
    Direction,
    KeyResult,
    KeyResultKind,
    Reading,
    Target,
    Workspace,
)
from drumbeat.core.scoring import (
    GREEN_FROM,
    KeyResultScore,
    band_gap,
    default_baseline,
    key_result_baseline,
    key_result_deadline,
    key_result_score,
    meets_target,
    reaches,
    scoring_window,
)
from drumbeat.core.spc import average_moving_range, kpi_process_limits

ON_TRACK_FROM = GREEN_FROM
"""A KR is on track when its forecast score reaches the green band (0.7)."""


def forecast_progress(
    key_result: KeyResult, scored: KeyResultScore, cycle: Cycle
) -> float | None:
    """The progress the KR will have at its deadline if it keeps its pace.

    A `change` KR moves linearly: the progress reached by the latest reading, over
    the share of the time from cycle start to deadline that had passed by then. A
    `sustain` KR's share of readings on target so far is its best forecast. None
    when there is nothing to go on yet.
    """
    if scored.progress is None or scored.current is None:
        return None
    if key_result.kind is KeyResultKind.SUSTAIN:
        return scored.progress
    deadline = key_result_deadline(key_result, cycle)
    span = (deadline - cycle.start).days
    elapsed = (scored.current.day - cycle.start).days
    if span <= 0 or elapsed <= 0:
        return None
    return scored.progress * span / elapsed


def on_track(forecast: float | None) -> bool | None:
    if forecast is None:
        return None
    return reaches(forecast, ON_TRACK_FROM)


def days_left(key_result: KeyResult, cycle: Cycle, as_of: dt.date) -> int:
    """Days from `as_of` to the deadline (negative once it has passed)."""
    return (key_result_deadline(key_result, cycle) - as_of).days


# --- The probability of hitting the KR ------------------------------------------

MINIMUM_READINGS = 3
"""Fewer readings since the cycle began than this give no forecast."""

TOO_FEW_READINGS = "fewer than 3 readings since the cycle began"

MOVING_RANGE_TO_SIGMA = 1.128
"""d2 for subgroups of two: σ = average moving range / 1.128."""


def hit_level(commitment: Commitment) -> float:
    """The score a KR must reach to count as hit: 1.0 when its objective is
    committed, 0.7 (green) when it is aspirational."""
    return 1.0 if commitment is Commitment.COMMITTED else GREEN_FROM


@dataclass(frozen=True, slots=True)
class HitForecast:
    """Where a KR is expected to end: the KPI's value expected at the deadline and
    the probability `p_hit` that its final score reaches `level`."""

    value: float
    p_hit: float
    level: float


@dataclass(frozen=True, slots=True)
class NoForecast:
    """Why a KR has no forecast, in words."""

    reason: str


@dataclass(frozen=True, slots=True)
class LinearFit:
    """A least-squares line through `n` points whose x have mean `mean_x` and sum
    of squared deviations `sxx`; `residual_sd` is the points' scatter around it,
    √(Σ residual² / (n − 2)) (0 for two points or fewer)."""

    intercept: float
    slope: float
    n: int
    mean_x: float
    sxx: float
    residual_sd: float = 0.0

    def predict(self, x: float) -> float:
        return self.intercept + self.slope * x

    def prediction_sd(self, x: float, sigma: float) -> float:
        """The standard deviation of one new reading at `x`: the process noise
        plus the line's own uncertainty, σ·√(1 + 1/n + (x − x̄)² / Sxx)."""
        leverage = (x - self.mean_x) ** 2 / self.sxx if self.sxx else 0.0
        return sigma * math.sqrt(1 + 1 / self.n + leverage)


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> LinearFit:
    """The least-squares line through the points (flat when all x are equal)."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    intercept = mean_y - slope * mean_x
    residuals = sum(
        (y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True)
    )
    residual_sd = math.sqrt(residuals / (n - 2)) if n > 2 else 0.0
    return LinearFit(intercept, slope, n, mean_x, sxx, residual_sd)


def probability_at_least(mean: float, sd: float, threshold: float) -> float:
    """P(X ≥ threshold) for X normal with `mean` and `sd` (a step when sd is 0)."""
    if sd <= 0:
        return 1.0 if mean >= threshold else 0.0
    return 1.0 - NormalDist(mean, sd).cdf(threshold)


def probability_meets(
    mean: float, sd: float, target: Target, direction: Direction
) -> float:
    """P(one reading meets `target`) for a reading normal with `mean` and `sd`,
    read as `scoring.meets_target` reads it."""
    if isinstance(target, Band):
        if sd <= 0:
            return 1.0 if mean in target else 0.0
        dist = NormalDist(mean, sd)
        return dist.cdf(target.high) - dist.cdf(target.low)
    if direction is Direction.DOWN:
        return probability_at_least(-mean, sd, -target)
    return probability_at_least(mean, sd, target)


def binomial_at_least(trials: int, p: float, needed: int) -> float:
    """P(K ≥ needed) for K binomial with `trials` and success probability `p`."""
    if needed <= 0:
        return 1.0
    if needed > trials:
        return 0.0
    total = sum(
        math.comb(trials, k) * p**k * (1 - p) ** (trials - k)
        for k in range(needed, trials + 1)
    )
    return min(1.0, max(0.0, total))


def process_sigma(kpi: KPI, as_of: dt.date) -> float:
    """The KPI's noise, σ = average moving range / 1.128, from its limits' baseline
    readings (`spc.kpi_process_limits`), else from every reading known on `as_of`
    (at least two)."""
    limits = kpi_process_limits(kpi, as_of)
    if limits is not None:
        return limits.average_moving_range / MOVING_RANGE_TO_SIGMA
    values = [r.value for r in kpi.readings_until(as_of)]
    return average_moving_range(values) / MOVING_RANGE_TO_SIGMA


def _days(day: dt.date, origin: dt.date) -> float:
    return float((day - origin).days)


def key_result_hit_forecast(
    key_result: KeyResult,
    kpi: KPI | None,
    cycle: Cycle,
    as_of: dt.date,
    *,
    commitment: Commitment,
    sigma: float | None = None,
) -> HitForecast | NoForecast:
    """The KR's expected KPI value at its deadline and the probability that its
    final score reaches its objective's level (`hit_level`).

    `sigma` is the KPI's noise (default `process_sigma`: the limit period's); when
    the readings since the cycle began scatter more than that (around their line
    for a change KR, around their mean for a sustain KR), their scatter is used. A
    `change` KR follows the least-squares line through its baseline and its
    readings since the cycle start to the last reading due by the deadline (the
    one its final score reads, by the KPI's cadence), with the line's prediction
    interval; a `sustain` KR's readings still due (by the KPI's cadence) each meet
    the target with the probability the process gives, and the share on target at
    the deadline is binomial. Once the deadline has passed, the score is final and
    `p_hit` is 1 or 0. No forecast with fewer than 3 readings since the cycle
    began, without a KPI or a baseline, or when the target equals the baseline.
    """
    if kpi is None:
        return NoForecast(f"no KPI '{key_result.kpi}'")
    level = hit_level(commitment)
    window = scoring_window(key_result, kpi, cycle, as_of)
    if len(window) < MINIMUM_READINGS:
        return NoForecast(TOO_FEW_READINGS)
    deadline = key_result_deadline(key_result, cycle)
    if as_of >= deadline:
        scored = key_result_score(key_result, kpi, cycle, as_of)
        if scored.score is None:
            return NoForecast("the KR has no score")
        hit = 1.0 if reaches(scored.score, level) else 0.0
        final = scored.current.value if scored.current else window[-1].value
        return HitForecast(final, hit, level)
    noise = process_sigma(kpi, as_of) if sigma is None else sigma
    if key_result.kind is KeyResultKind.SUSTAIN:
        return _sustain_forecast(key_result, kpi, window, deadline, level, noise)
    if key_result.kind is KeyResultKind.CUMULATIVE:
        return _cumulative_forecast(key_result, kpi, cycle, window, deadline, level)
    return _change_forecast(key_result, kpi, cycle, window, deadline, level, noise)


def _cumulative_forecast(
    key_result: KeyResult,
    kpi: KPI,
    cycle: Cycle,
    window: Sequence[Reading],
    deadline: dt.date,
    level: float,
) -> HitForecast | NoForecast:
    """The projected sum at the deadline: the sum so far, plus the mean reading for
    each reading still due (by the KPI's cadence); its spread is the readings'
    own, over the readings to come and the mean's uncertainty."""
    target = key_result.target
    baseline = key_result_baseline(key_result, kpi, cycle)
    if isinstance(target, Band) or baseline is None or target == baseline:
        return NoForecast("the target equals the baseline")
    values = [r.value for r in window]
    to_come = int(_days(deadline, window[-1].day) // _reading_step(kpi, window))
    mean = statistics.fmean(values)
    expected = sum(values) + mean * to_come
    sd = statistics.stdev(values) * math.sqrt(to_come + to_come**2 / len(values))
    return HitForecast(
        expected, _p_reaches_level(expected, sd, baseline, target, level), level
    )


def _p_reaches_level(
    expected: float, sd: float, baseline: float, target: float, level: float
) -> float:
    """P(progress from `baseline` towards `target` ≥ `level`) for a final value
    normal with `expected` and `sd`."""
    needed = baseline + level * (target - baseline)
    if target > baseline:
        return probability_at_least(expected, sd, needed)
    return probability_at_least(-expected, sd, -needed)


def _change_forecast(
    key_result: KeyResult,
    kpi: KPI,
    cycle: Cycle,
    window: Sequence[Reading],
    deadline: dt.date,
    level: float,
    sigma: float,
) -> HitForecast | NoForecast:
    target = key_result.target
    baseline = key_result_baseline(key_result, kpi, cycle)
    if baseline is None:
        return NoForecast("no baseline")
    if target == baseline:
        return NoForecast("the target equals the baseline")
    start_reading = default_baseline(kpi, cycle)
    baseline_day = (
        start_reading.day
        if key_result.baseline is None and start_reading is not None
        else cycle.start
    )
    xs = [_days(baseline_day, cycle.start)] + [
        _days(r.day, cycle.start) for r in window
    ]
    ys = [baseline] + [r.value for r in window]
    fit = linear_fit(xs, ys)
    step = _reading_step(kpi, window)
    last = _days(window[-1].day, cycle.start)
    final_day = last + (_days(deadline, cycle.start) - last) // step * step
    expected = fit.predict(final_day)
    sd = fit.prediction_sd(final_day, max(sigma, fit.residual_sd))
    if isinstance(target, Band):
        # Progress into a band reaches `level` while the value stays within
        # (1 - level) of the baseline's distance to the band: the band widened.
        slack = (1 - level) * band_gap(baseline, target)
        reach = Band(target.low - slack, target.high + slack)
        return HitForecast(
            expected, probability_meets(expected, sd, reach, kpi.direction), level
        )
    p_hit = _p_reaches_level(expected, sd, baseline, target, level)
    return HitForecast(expected, p_hit, level)


def _reading_step(kpi: KPI, window: Sequence[Reading]) -> float:
    """Days between readings: the KPI's cadence, else the median gap so far."""
    if kpi.cadence is not None:
        return kpi.cadence.days
    gaps = sorted((b.day - a.day).days for a, b in itertools.pairwise(window))
    return max(1.0, float(gaps[len(gaps) // 2]))


def _sustain_forecast(
    key_result: KeyResult,
    kpi: KPI,
    window: Sequence[Reading],
    deadline: dt.date,
    level: float,
    sigma: float,
) -> HitForecast:
    values = [r.value for r in window]
    mean = statistics.fmean(values)
    noise = max(sigma, statistics.stdev(values))
    sd = noise * math.sqrt(1 + 1 / len(values))
    p_each = probability_meets(mean, sd, key_result.target, kpi.direction)
    to_come = int(_days(deadline, window[-1].day) // _reading_step(kpi, window))
    met = sum(meets_target(v, key_result.target, kpi.direction) for v in values)
    total = len(values) + to_come
    needed = next(
        (k for k in range(to_come + 1) if reaches((met + k) / total, level)),
        to_come + 1,
    )
    return HitForecast(mean, binomial_at_least(to_come, p_each, needed), level)


KeyResultForecasts = dict[tuple[str, str], HitForecast | NoForecast]
"""Forecasts by (objective key, KR key)."""


def workspace_forecasts(workspace: Workspace, as_of: dt.date) -> KeyResultForecasts:
    """The hit forecast of every KR of the cycles active on `as_of`."""
    forecasts: KeyResultForecasts = {}
    for objective in workspace.objectives:
        cycle = workspace.cycle_by_key[objective.cycle]
        if cycle.status(as_of) is not CycleStatus.ACTIVE:
            continue
        for kr in objective.key_results:
            forecasts[objective.key, kr.key] = key_result_hit_forecast(
                kr,
                workspace.kpi_by_key.get(kr.kpi),
                cycle,
                as_of,
                commitment=objective.commitment,
            )
    return forecasts
