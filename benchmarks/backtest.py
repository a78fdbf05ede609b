"""Backtest of the KR forecast (`core.forecast.key_result_hit_forecast`).

For every KR of every closed cycle, in the sample workspace (examples/okrs.yaml) and
in a generated history of closed KRs with known outcomes, forecast `p_hit` as of the
cycle's 1/3 and 2/3 points, then compare it with what happened (hit: the final score
reaches 1.0 for a committed objective, 0.7 for an aspirational one) by the Brier
score, the mean of (p − outcome)², lower is better. Next to it, two baselines:
today's straight-line pace (`core.forecast.forecast_progress`, as 0 or 1) and the
base rate (the share of KRs hit, the same for every KR).

    .venv/bin/python benchmarks/backtest.py [--krs 600] [--seed 20261206]
        [--sample examples/okrs.yaml] [--json FILE]

See benchmarks/README.md for the figures and how to read them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from drumbeat.core.forecast import (
    HitForecast,
    forecast_progress,
    hit_level,
    key_result_hit_forecast,
)
from drumbeat.core.model import (
    KPI,
    Band,
    Cadence,
    Commitment,
    Cycle,
    Direction,
    KeyResult,
    KeyResultKind,
    Reading,
    Workspace,
)
from drumbeat.core.scoring import key_result_score, reaches
from drumbeat.workspace import load_workspace

SEED = 20261206
SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "okrs.yaml"
SAMPLE_AS_OF = dt.date(2026, 11, 25)
"""The sample's as-of day: the cycles ended before it are closed."""

POINTS = ((1, 3), (2, 3))
"""Forecast as of these fractions of the cycle."""


@dataclass(frozen=True, slots=True)
class Case:
    """One KR of a closed cycle, with what it needs to be forecast and judged."""

    source: str
    key_result: KeyResult
    kpi: KPI
    cycle: Cycle
    commitment: Commitment


@dataclass(frozen=True, slots=True)
class Trial:
    """One forecast of one case at one point, and the outcome."""

    source: str
    kind: KeyResultKind
    point: str
    p_hit: float
    pace_hit: float
    hit: float


# --- The cases -----------------------------------------------------------------


def sample_cases(path: Path, as_of: dt.date) -> list[Case]:
    """Every KR of the sample's cycles that had ended by `as_of`."""
    workspace = load_workspace(path)
    return list(_closed_cases("sample", workspace, as_of))


def _closed_cases(source: str, workspace: Workspace, as_of: dt.date) -> Iterable[Case]:
    for objective in workspace.objectives:
        cycle = workspace.cycle_by_key[objective.cycle]
        if cycle.end >= as_of:
            continue
        for kr in objective.key_results:
            kpi = workspace.kpi_by_key.get(kr.kpi)
            if kpi is not None:
                yield Case(source, kr, kpi, cycle, objective.commitment)


QUARTERS = tuple(
    Cycle(f"{year}-Q{q}", dt.date(year, 3 * q - 2, 1), end)
    for year in (2024, 2025)
    for q, end in enumerate(
        (
            dt.date(year, 3, 31),
            dt.date(year, 6, 30),
            dt.date(year, 9, 30),
            dt.date(year, 12, 31),
        ),
        start=1,
    )
)
CADENCES = ((Cadence.WEEKLY, 0.6), (Cadence.DAILY, 0.15), (Cadence.MONTHLY, 0.25))
HISTORY_DAYS = 200
"""Readings begin this long before the cycle: the limits' 20 baseline readings and
the default baseline come from them."""


def generated_cases(count: int, seed: int) -> list[Case]:
    """`count` KRs, each on its own synthetic KPI, in one of eight closed quarters.

    A KPI's process is a level with noise (independent, or autocorrelated), a drift
    in half of them, and a lasting shift (up or down, 1 to 3 σ) in a third of them,
    at any time in the history. Half of the change KRs get the team's effort: a
    ramp towards the target, reaching 0 to 1.5 times the distance by the deadline.
    Targets are set as people set them: a change KR 1 to 8 σ away from the
    baseline in the good direction, a sustain KR within a σ or two of the level.
    """
    rng = random.Random(seed)
    return [_generated_case(rng, index) for index in range(count)]


def _generated_case(rng: random.Random, index: int) -> Case:
    cycle = rng.choice(QUARTERS)
    cadence = rng.choices([c for c, _ in CADENCES], weights=[w for _, w in CADENCES])[0]
    direction = rng.choice((Direction.UP, Direction.DOWN))
    kind = KeyResultKind.SUSTAIN if rng.random() < 0.35 else KeyResultKind.CHANGE
    level = rng.uniform(50, 500)
    sigma = level * rng.uniform(0.02, 0.1)
    good = 1.0 if direction is Direction.UP else -1.0
    span = (cycle.end - cycle.start).days
    start = cycle.start - dt.timedelta(days=HISTORY_DAYS)
    drift = rng.gauss(0, sigma / 90) if rng.random() < 0.5 else 0.0
    shift_day = rng.randint(0, HISTORY_DAYS + span) if rng.random() < 0.33 else None
    shift = rng.choice((-1, 1)) * rng.uniform(1, 3) * sigma
    autocorrelation = rng.choice((0.0, 0.0, 0.3, 0.6))

    def process(days: int) -> float:
        shifted = shift if shift_day is not None and days >= shift_day else 0.0
        return level + drift * days + shifted

    baseline_value = process(HISTORY_DAYS)
    distance = rng.uniform(1, 8) * sigma
    target: float | Band
    if kind is KeyResultKind.CHANGE:
        target = round(baseline_value + good * distance, 2)
    else:
        target = round(baseline_value - good * rng.uniform(-1, 2) * sigma, 2)
    effort = (
        rng.uniform(0, 1.5)
        if kind is KeyResultKind.CHANGE and rng.random() < 0.5
        else 0.0
    )

    readings = []
    step = cadence.days
    noise = 0.0
    day = 0.0
    while day <= HISTORY_DAYS + span:
        days = int(day)
        noise = (
            autocorrelation * noise
            + rng.gauss(0, sigma) * (1 - autocorrelation**2) ** 0.5
        )
        in_cycle = max(0.0, min(1.0, (days - HISTORY_DAYS) / span))
        value = process(days) + noise + effort * in_cycle * good * distance
        readings.append(Reading(start + dt.timedelta(days=days), round(value, 2)))
        day += step
    kpi = KPI(
        key=f"synthetic-{index}",
        name=f"Synthetic {index}",
        direction=direction,
        cadence=cadence,
        readings=tuple(readings),
    )
    key_result = KeyResult(key=f"kr-{index}", kpi=kpi.key, target=target, kind=kind)
    commitment = rng.choice((Commitment.COMMITTED, Commitment.ASPIRATIONAL))
    return Case("generated", key_result, kpi, cycle, commitment)


# --- The trials ----------------------------------------------------------------


def trials(cases: Iterable[Case]) -> tuple[list[Trial], int]:
    """Each case forecast at each point (those with a forecast), and how many
    (case, point) pairs had none."""
    done: list[Trial] = []
    without = 0
    for case in cases:
        level = hit_level(case.commitment)
        final = key_result_score(case.key_result, case.kpi, case.cycle, case.cycle.end)
        hit = 1.0 if reaches(final.score, level) else 0.0
        span = (case.cycle.end - case.cycle.start).days
        for numerator, denominator in POINTS:
            as_of = case.cycle.start + dt.timedelta(
                days=span * numerator // denominator
            )
            forecast = key_result_hit_forecast(
                case.key_result,
                case.kpi,
                case.cycle,
                as_of,
                commitment=case.commitment,
            )
            if not isinstance(forecast, HitForecast):
                without += 1
                continue
            scored = key_result_score(case.key_result, case.kpi, case.cycle, as_of)
            pace = forecast_progress(case.key_result, scored, case.cycle)
            done.append(
                Trial(
                    source=case.source,
                    kind=case.key_result.kind,
                    point=f"{numerator}/{denominator}",
                    p_hit=forecast.p_hit,
                    pace_hit=1.0 if reaches(pace, level) else 0.0,
                    hit=hit,
                )
            )
    return done, without


def brier(pairs: Sequence[tuple[float, float]]) -> float:
    """The mean squared difference between probabilities and outcomes (0 or 1)."""
    return sum((p - o) ** 2 for p, o in pairs) / len(pairs)


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    count: int
    hit_rate: float
    forecast: float
    pace: float
    base_rate: float


def row(label: str, chosen: Sequence[Trial]) -> Row:
    """The Brier scores of one group of trials. The base rate is the group's own
    share of hits (known only afterwards: a generous baseline)."""
    rate = sum(t.hit for t in chosen) / len(chosen)
    return Row(
        label=label,
        count=len(chosen),
        hit_rate=rate,
        forecast=brier([(t.p_hit, t.hit) for t in chosen]),
        pace=brier([(t.pace_hit, t.hit) for t in chosen]),
        base_rate=brier([(rate, t.hit) for t in chosen]),
    )


def table(done: Sequence[Trial]) -> list[Row]:
    rows = []
    for source in ("sample", "generated"):
        mine = [t for t in done if t.source == source]
        if not mine:
            continue
        rows.append(row(f"{source}: all", mine))
        for point in (f"{n}/{d}" for n, d in POINTS):
            chosen = [t for t in mine if t.point == point]
            if chosen:
                rows.append(row(f"{source}: as of {point}", chosen))
        for kind in KeyResultKind:
            chosen = [t for t in mine if t.kind is kind]
            if chosen:
                rows.append(row(f"{source}: {kind} KRs", chosen))
    return rows


def print_table(rows: Sequence[Row], out: list[str]) -> None:
    header = (
        f"{'trials':<28} {'n':>5} {'hit':>5} {'forecast':>9} {'pace':>7}"
        f" {'base rate':>10}"
    )
    out.append(header)
    out.append("-" * len(header))
    for r in rows:
        out.append(
            f"{r.label:<28} {r.count:>5} {r.hit_rate:>5.0%} {r.forecast:>9.3f}"
            f" {r.pace:>7.3f} {r.base_rate:>10.3f}"
        )


def print_reliability(done: Sequence[Trial], out: list[str]) -> None:
    """How often the KRs were hit, by the probability forecast (in tenths)."""
    out.append(f"{'p_hit':<12} {'n':>5} {'mean p':>7} {'hit':>6}")
    for tenth in range(10):
        low, high = tenth / 10, (tenth + 1) / 10
        chosen = [
            t for t in done if low <= t.p_hit < high or (tenth == 9 and t.p_hit == 1)
        ]
        if not chosen:
            continue
        mean = sum(t.p_hit for t in chosen) / len(chosen)
        rate = sum(t.hit for t in chosen) / len(chosen)
        out.append(
            f"{low:.1f} to {high:.1f}   {len(chosen):>5} {mean:>7.2f} {rate:>6.0%}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--krs", type=int, default=600, help="generated closed KRs")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--json", type=Path, default=None, help="also write JSON")
    args = parser.parse_args(argv)

    cases = sample_cases(args.sample, SAMPLE_AS_OF) + generated_cases(
        args.krs, args.seed
    )
    done, without = trials(cases)
    rows = table(done)
    out = [
        f"{len(cases)} closed KRs, {len(done)} forecasts"
        f" ({without} KR-points with none: fewer than 3 readings, or no baseline)",
        "",
    ]
    print_table(rows, out)
    out += ["", "Reliability (all forecasts):", ""]
    print_reliability(done, out)
    print("\n".join(out))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    beaten = all(
        r.forecast < min(r.pace, r.base_rate) for r in rows if "all" in r.label
    )
    print("\nforecast beats both baselines:", "yes" if beaten else "NO")
    return 0 if beaten else 1


if __name__ == "__main__":
    sys.exit(main())
