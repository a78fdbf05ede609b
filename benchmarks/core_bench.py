"""Performance benchmark of Drumbeat's core: parse, score, lint and suggest.

Generates a large synthetic workspace file (at full size 2,000 KPIs with three years
of weekly readings, 1,000 objectives with 4,000 KRs), then times loading it and
analysing it at several fractions of that size, and checks the goals: analysis
(score + lint) costs no more than parsing, and both grow linearly with the data.

    .venv/bin/python benchmarks/core_bench.py [--sizes 0.25,0.5,1] [--repeat 3]
        [--keep DIR] [--json FILE] [--profile PHASE]

See benchmarks/README.md for how to read the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import gc
import io
import itertools
import json
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from drumbeat.core.lint import lint_workspace
from drumbeat.core.model import KPI, Workspace
from drumbeat.core.status import workspace_status
from drumbeat.core.suggest import suggest
from drumbeat.workspace import load_workspace

SEED = 20260701
FULL_KPIS = 2000
FULL_OBJECTIVES = 1000
FULL_TEAMS = 200
KRS_PER_OBJECTIVE = 4
WEEKS = 156
"""Three years of weekly readings per KPI."""

FIRST_READING = dt.date(2023, 1, 1)
AS_OF = dt.date(2025, 12, 22)
"""Scoring and linting date: 2025-Q4 is active, 2025-Q3 the last closed cycle."""
NEXT_CYCLE = "2026-Q1"
"""The planning cycle that `suggest` drafts KRs for (it has no objectives yet)."""

LINEAR_TOLERANCE = 1.25
"""Growth up to 1.25 x the data growth still reads as linear (noise, caches)."""

PHASES = ("parse", "score", "lint", "suggest")


# --- The synthetic workspace ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricKind:
    """A family of realistic KPIs: what is measured, its unit and its good side."""

    name: str
    unit: str
    direction: str
    low: float
    """Up/down: the range that a KPI's mean is drawn from. Range: the green band."""
    high: float
    spread: float
    """Up/down: noise as a share of the mean. Range: as a share of the band width."""
    decimals: int
    perspective: str
    financial: bool = False


METRIC_KINDS = (
    MetricKind("Net promoter score", "points", "up", 10, 60, 0.08, 0, "customer"),
    MetricKind("Visitor satisfaction", "percent", "up", 60, 92, 0.03, 1, "customer"),
    MetricKind("Ticket revenue", "GBP", "up", 8000, 90000, 0.06, 0, "financial", True),
    MetricKind("Shop margin", "percent", "up", 20, 45, 0.04, 1, "financial", True),
    MetricKind("Membership renewals", "count", "up", 80, 900, 0.07, 0, "customer"),
    MetricKind("Online bookings", "count", "up", 300, 6000, 0.08, 0, "customer"),
    MetricKind("Volunteer hours", "hours", "up", 40, 400, 0.1, 0, "learning"),
    MetricKind("Training completion", "percent", "up", 50, 95, 0.03, 1, "learning"),
    MetricKind("Average queue time", "minutes", "down", 4, 25, 0.1, 1, "internal"),
    MetricKind("Page load time", "ms", "down", 250, 1800, 0.07, 0, "internal"),
    MetricKind("Staff turnover", "percent", "down", 5, 25, 0.05, 1, "learning"),
    MetricKind("Open incidents", "count", "down", 5, 60, 0.15, 0, "internal"),
    MetricKind("Energy use", "kWh", "down", 2000, 20000, 0.05, 0, "internal"),
    MetricKind("Cost per visitor", "GBP", "down", 3, 15, 0.04, 2, "financial", True),
    MetricKind("Server uptime", "percent", "range", 99.9, 100, 0.25, 3, "internal"),
    MetricKind("Gallery temperature", "degrees C", "range", 19, 21, 0.2, 1, "internal"),
    MetricKind("Relative humidity", "percent", "range", 45, 55, 0.15, 1, "internal"),
)

AREAS = (
    "north wing", "south wing", "east galleries", "west galleries", "main hall",
    "online shop", "cafe", "library", "archive", "education centre",
    "learning studio", "members lounge", "ticket office", "website", "mobile app",
    "call centre", "workshops", "storage", "conservation lab", "outreach",
    "schools programme", "family days", "late openings", "touring shows",
    "cinema", "garden", "car park", "gift shop", "events", "partnerships",
)  # fmt: skip
SITES = (
    "Riverside", "Harbour", "Old Town", "Northgate", "Meadow", "Castle Hill",
    "Quayside", "Market Square", "Parkside", "Westbrook",
)  # fmt: skip
DEPARTMENTS = (
    "Visitor Experience", "Digital", "Collections", "Learning", "Finance",
    "Operations", "People", "Marketing", "Retail", "Development",
)  # fmt: skip
PEOPLE = (
    "Ana Silva", "Ben Okafor", "Chloe Martin", "Dev Patel", "Elena Rossi",
    "Femi Adeyemi", "Grace Lee", "Hugo Brown", "Isla Murray", "Jonas Berg",
    "Kira Novak", "Liam Walsh", "Maya Cohen", "Nils Larsen", "Olivia Chen",
    "Priya Nair", "Quentin Roy", "Rosa Diaz", "Sam Taylor", "Tomas Kral",
)  # fmt: skip
AMBITIONS = (
    "Make the {area} more relevant to our community",
    "Delight every visitor of the {area}",
    "Turn the {area} into a place people come back to",
    "Run the {area} without waste",
    "Make the {area} the best in the region",
    "Make it easy to work in the {area}",
    "Grow the {area} by 20% without losing its character",
    "Cut the {area} backlog to 0 by the end of the quarter",
)
NOTES = (
    "On track",
    "Survey redesign shipped",
    "Waiting for the new supplier",
    "Seasonal dip, expected to recover",
    "Campaign launched this week",
    "Data source fixed, backfilled two weeks",
)


@dataclass(frozen=True, slots=True)
class Size:
    """How much of the full-size workspace to generate."""

    fraction: float
    kpis: int
    objectives: int
    teams: int

    @classmethod
    def of(cls, fraction: float) -> Size:
        return cls(
            fraction=fraction,
            kpis=max(20, round(FULL_KPIS * fraction)),
            objectives=max(10, round(FULL_OBJECTIVES * fraction)),
            teams=max(5, round(FULL_TEAMS * fraction)),
        )

    @property
    def label(self) -> str:
        known = {0.25: "1/4", 0.5: "1/2", 0.75: "3/4", 1.0: "full"}
        return known.get(self.fraction, f"{self.fraction:g}")


@dataclass(frozen=True, slots=True)
class Generated:
    """What was written: the file and how much it holds."""

    path: Path
    kpis: int
    readings: int
    objectives: int
    key_results: int
    file_bytes: int
    seconds: float


@dataclass(slots=True)
class SyntheticKPI:
    """A generated KPI, kept in memory so KRs can be written against its readings.

    Its readings are written last, after the objectives' work has moved them.
    """

    key: str
    header: str
    """The KPI's YAML up to and including `readings:`."""
    kind: MetricKind
    direction: str
    decimals: int
    sd: float
    days: list[dt.date]
    day_texts: list[str]
    values: list[float]
    tier: str
    green: float | tuple[float, float] | None
    best_in_class: float | None

    def latest_until(self, day: dt.date) -> float | None:
        """The value of the latest reading on or before `day`, if any."""
        index = _bisect_days(self.days, day)
        return self.values[index - 1] if index else None

    @property
    def good(self) -> int:
        return -1 if self.direction == "down" else 1

    def improve(self, start: dt.date, end: dt.date, by: float) -> None:
        """Move the readings after `start` by `by`, ramping up until `end`."""
        first, last = _bisect_days(self.days, start), _bisect_days(self.days, end)
        span = max(1, last - first)
        for index in range(first, len(self.values)):
            share = min(1.0, (index - first + 1) / span)
            value = self.values[index] + by * share
            if self.kind.unit == "percent":
                value = min(100.0, max(0.0, value))
            self.values[index] = round(value, self.decimals)

    def readings(self) -> str:
        decimals = self.decimals
        return "".join(
            f"      - {{at: {day}, value: {value:.{decimals}f}}}\n"
            for day, value in zip(self.day_texts, self.values, strict=True)
        )


def _bisect_days(days: list[dt.date], day: dt.date) -> int:
    low, high = 0, len(days)
    while low < high:
        middle = (low + high) // 2
        if days[middle] <= day:
            low = middle + 1
        else:
            high = middle
    return low


def _number(value: float, decimals: int) -> str:
    """A YAML number with a fixed number of decimals (never exponent notation)."""
    return f"{value:.{decimals}f}"


def _text(value: str) -> str:
    """A double-quoted YAML scalar (a JSON string is one), for free text."""
    return json.dumps(value)


def _quarters() -> list[tuple[str, dt.date, dt.date]]:
    """The twelve quarters covered by the readings, then the next (planning) one."""
    cycles = []
    for year in (2023, 2024, 2025, 2026):
        for quarter in range(4):
            start = dt.date(year, 3 * quarter + 1, 1)
            following = (
                dt.date(year + 1, 1, 1)
                if quarter == 3
                else dt.date(year, 3 * quarter + 4, 1)
            )
            cycles.append(
                (f"{year}-Q{quarter + 1}", start, following - dt.timedelta(days=1))
            )
    return cycles[:13]


@functools.cache
def _weekly_days(first: dt.date) -> tuple[list[dt.date], list[str]]:
    days = [first + dt.timedelta(days=7 * week) for week in range(WEEKS)]
    return days, [day.isoformat() for day in days]


def _series(rng: random.Random, mean: float, sd: float, decimals: int) -> list[float]:
    """Weekly values: noise around a slow drift, sometimes with a level shift."""
    drift = rng.gauss(0, sd * 0.01)
    shift_at = rng.randrange(40, WEEKS) if rng.random() < 0.3 else WEEKS
    shift = rng.choice((-1, 1)) * rng.uniform(1.0, 3.0) * sd
    values = []
    for week in range(WEEKS):
        level = mean + drift * week + (shift if week >= shift_at else 0.0)
        values.append(round(rng.gauss(level, sd), decimals))
    return values


def _write_teams(rng: random.Random, size: Size, out: list[str]) -> list[str]:
    out.append("teams:\n  - {key: company, name: Riverside Museum Group}\n")
    departments = DEPARTMENTS[: max(1, min(len(DEPARTMENTS), size.teams // 10))]
    keys = []
    for number, name in enumerate(departments):
        key = f"dept-{number:02d}"
        out.append(f"  - {{key: {key}, name: {name}, parent: company}}\n")
        keys.append(key)
    for number in range(size.teams - len(departments)):
        parent = rng.randrange(len(departments))
        site = SITES[number % len(SITES)]
        key = f"team-{number:03d}"
        out.append(
            f"  - {{key: {key}, name: {departments[parent]} {site} {number}, "
            f"parent: dept-{parent:02d}}}\n"
        )
        keys.append(key)
    return keys


def _make_kpis(rng: random.Random, size: Size, teams: list[str]) -> list[SyntheticKPI]:
    combos = rng.sample(
        list(itertools.product(range(len(METRIC_KINDS)), AREAS, SITES)), size.kpis
    )
    keys = [f"kpi-{number:04d}" for number in range(size.kpis)]
    key_count = max(1, size.kpis // 20)  # 5 % key tier: above the lint limit of 10
    generated: list[SyntheticKPI] = []
    names: list[str] = []
    for number, (kind_index, area, site) in enumerate(combos):
        kind = METRIC_KINDS[kind_index]
        key = keys[number]
        tier = (
            "key"
            if number < key_count
            else rng.choices(("secondary", "transient"), (85, 15))[0]
        )
        name = f"{kind.name}, {area}, {site}"
        if names and rng.random() < 0.005:
            name = rng.choice(names)  # a duplicate definition for kpi-duplicate
        names.append(name)
        first = FIRST_READING
        if rng.random() < 0.04:  # a feed that stopped: stale readings
            first -= dt.timedelta(weeks=rng.randrange(8, 30))
        days, day_texts = _weekly_days(first)

        out: list[str] = []
        out.append(f"  - key: {key}\n    name: {name}\n")
        if rng.random() < 0.9:
            out.append(
                "    description: >-\n"
                f"      {kind.name} for the {area} at {site}, as recorded by the "
                f"{kind.unit}\n      feed and checked by the team that owns it.\n"
            )
        out.append(f"    unit: {kind.unit}\n    direction: {kind.direction}\n")
        cadence = rng.choices(
            ("weekly", "daily", "monthly", "quarterly", None), (70, 5, 15, 5, 5)
        )[0]
        if cadence:
            out.append(f"    cadence: {cadence}\n")
        if rng.random() < 0.93:
            out.append(f"    owner: {rng.choice(PEOPLE)}\n")
        out.append(f"    team: {rng.choice(teams)}\n")
        out.append(f"    perspective: {kind.perspective}\n    tier: {tier}\n")
        indicator = rng.choice(("leading", "lagging", None))
        if indicator:
            out.append(f"    indicator: {indicator}\n")
        if number == 0:
            out.append("    north_star: true\n")
        if kind.financial:
            out.append("    financial: true\n")

        green: float | tuple[float, float] | None
        best: float | None = None
        if kind.direction == "range":
            width = kind.high - kind.low
            sd = width * kind.spread * rng.uniform(0.5, 1.5)
            mean = (kind.low + kind.high) / 2 + rng.uniform(-0.8, 0.8) * width
            green = (kind.low, kind.high)
            values = _series(rng, mean, sd, kind.decimals)
            if rng.random() < 0.95:
                low, high = (_number(v, kind.decimals) for v in green)
                amber_low = _number(kind.low - width / 2, kind.decimals)
                amber_high = _number(
                    kind.high if kind.unit == "percent" else kind.high + width / 2,
                    kind.decimals,
                )
                out.append(
                    f"    thresholds: {{green: [{low}, {high}], "
                    f"amber: [{amber_low}, {amber_high}]}}\n"
                )
            else:
                green = None
        else:
            mean = rng.uniform(kind.low, kind.high)
            sd = max(mean * kind.spread * rng.uniform(0.5, 1.5), 10**-kind.decimals)
            good = -1 if kind.direction == "down" else 1
            values = _series(rng, mean, sd, kind.decimals)
            level = round(mean + good * rng.uniform(-1.5, 2.0) * sd, kind.decimals)
            red = round(level - good * rng.uniform(1.0, 3.0) * sd, kind.decimals)
            green = None
            if rng.random() < 0.95:
                green = level
                out.append(
                    f"    thresholds: {{green: {_number(level, kind.decimals)}, "
                    f"red: {_number(red, kind.decimals)}}}\n"
                )
            if rng.random() < 0.7:
                industry = mean + good * rng.uniform(-1.0, 2.0) * sd
                best = round(industry + good * rng.uniform(2.0, 6.0) * sd, 3)
                out.append(
                    f"    benchmarks: {{industry: {_number(industry, 3)}, "
                    f"best_in_class: {_number(best, 3)}}}\n"
                )
        if tier != "key" and rng.random() < 0.45:  # strategy-map links
            targets = {rng.choice(keys[:key_count])}
            if rng.random() < 0.5:
                targets.add(rng.choice(keys))
            targets.discard(key)
            if targets:
                out.append(f"    drives: [{', '.join(sorted(targets))}]\n")
        if rng.random() < 0.1:
            query = f"select week, value from readings where metric = '{key}'"
            out.append(
                "    source: {type: sql, connection: warehouse, "
                f"query: {_text(query)}}}\n"
            )
        else:
            out.append("    source: {type: manual}\n")
        if rng.random() < 0.2:
            out.append("    spc: {baseline: {start: 2023-01-01, end: 2023-06-30}}\n")
        out.append("    readings:\n")
        generated.append(
            SyntheticKPI(
                key=key,
                header="".join(out),
                kind=kind,
                direction=kind.direction,
                decimals=kind.decimals,
                sd=sd,
                days=days,
                day_texts=day_texts,
                values=values,
                tier=tier,
                green=green,
                best_in_class=best,
            )
        )
    return generated


def _write_cycles(out: list[str]) -> list[tuple[str, dt.date, dt.date]]:
    out.append("cycles:\n")
    cycles = _quarters()
    out.extend(
        f"  - {{key: {key}, start: {start}, end: {end}}}\n"
        for key, start, end in cycles
    )
    return cycles


def _target(
    rng: random.Random, kpi: SyntheticKPI, baseline: float, reached: float
) -> tuple[float | tuple[float, float], str]:
    """A KR target and kind: mostly honest, sometimes with a flaw lint should find.

    `reached` is the value at the cycle's end: where the KPI did move the good way,
    an honest target is set near it, so that some KRs succeed and some fall short.
    """
    if (kpi.direction == "range" or rng.random() < 0.08) and kpi.green is not None:
        return kpi.green, "sustain"
    flaw = rng.choices(
        ("honest", "wrong-direction", "within-noise", "no-change", "beyond-best"),
        (70, 7, 12, 4, 7),
    )[0]
    good = kpi.good
    if flaw == "wrong-direction":
        target = baseline - good * rng.uniform(2.0, 5.0) * kpi.sd
    elif flaw == "within-noise":
        target = baseline + good * rng.uniform(0.3, 1.5) * kpi.sd
    elif flaw == "no-change":
        target = baseline
    elif flaw == "beyond-best" and kpi.best_in_class is not None:
        target = kpi.best_in_class + good * rng.uniform(1.0, 3.0) * kpi.sd
    elif (reached - baseline) * good > 3.0 * kpi.sd:
        target = baseline + (reached - baseline) * rng.uniform(0.7, 1.4)
    else:
        target = baseline + good * rng.uniform(3.5, 7.0) * kpi.sd
        if kpi.best_in_class is not None and (target - kpi.best_in_class) * good > 0:
            target = kpi.best_in_class
    return round(target, kpi.decimals), "change"


def _write_objectives(
    rng: random.Random,
    size: Size,
    teams: list[str],
    kpis: list[SyntheticKPI],
    cycles: list[tuple[str, dt.date, dt.date]],
    out: list[str],
) -> int:
    out.append("objectives:\n")
    scored_cycles = cycles[:12]  # the planning cycle is left to `suggest`
    per_cycle: dict[str, list[str]] = {key: [] for key, _, _ in scored_cycles}
    key_results = 0
    for number in range(size.objectives):
        cycle_key, start, end = scored_cycles[
            number * len(scored_cycles) // size.objectives
        ]
        key = f"obj-{number:04d}"
        title = rng.choice(AMBITIONS).format(area=rng.choice(AREAS))
        out.append(
            f"  - key: {key}\n    title: {title}\n    cycle: {cycle_key}\n"
            f"    team: {rng.choice(teams)}\n"
        )
        if rng.random() < 0.9:
            out.append(f"    owner: {rng.choice(PEOPLE)}\n")
        commitment = rng.choices(("aspirational", "committed"), (70, 30))[0]
        out.append(f"    commitment: {commitment}\n")
        siblings = per_cycle[cycle_key]
        if siblings and rng.random() < 0.3:
            out.append(f"    parent: {rng.choice(siblings[:5])}\n")
        siblings.append(key)
        out.append("    key_results:\n")
        for kr_number, kpi in enumerate(rng.sample(kpis, KRS_PER_OBJECTIVE)):
            before = kpi.latest_until(start)
            baseline = before if before is not None else kpi.values[0]
            reached = kpi.latest_until(min(end, AS_OF))
            target, kind = _target(rng, kpi, baseline, reached or baseline)
            if kind == "change" and isinstance(target, float) and rng.random() < 0.5:
                # The team's work moves the KPI part of the way, or past the target.
                kpi.improve(start, end, (target - baseline) * rng.uniform(0.3, 1.2))
            verb = "Hold" if kind == "sustain" else "Move"
            out.append(
                f"      - key: kr-{kr_number + 1}-{kpi.key}\n"
                f"        title: {verb} {kpi.kind.name.lower()} to target\n"
                f"        kpi: {kpi.key}\n        kind: {kind}\n"
            )
            if kind == "change" and rng.random() < 0.6:
                out.append(f"        baseline: {_number(baseline, kpi.decimals)}\n")
            if isinstance(target, tuple):
                low, high = (_number(v, kpi.decimals) for v in target)
                out.append(f"        target: [{low}, {high}]\n")
            else:
                out.append(f"        target: {_number(target, kpi.decimals)}\n")
            deadline_draw = rng.random()
            if deadline_draw < 0.01:
                out.append(f"        deadline: {end + dt.timedelta(days=30)}\n")
            elif deadline_draw < 0.1:
                out.append(f"        deadline: {end - dt.timedelta(days=14)}\n")
            if rng.random() < 0.7:
                out.append(f"        owner: {rng.choice(PEOPLE)}\n")
            if rng.random() < 0.15:
                out.append(f"        weight: {rng.choice((0.5, 2, 3))}\n")
            checkins = rng.randrange(0, 4) if start <= AS_OF else 0
            if checkins:
                out.append("        checkins:\n")
                for week in range(checkins):
                    day = min(start + dt.timedelta(days=14 + 21 * week), AS_OF)
                    confidence = rng.choice((0.3, 0.5, 0.6, 0.7, 0.8, 0.9))
                    out.append(
                        f"          - {{at: {day}, by: {rng.choice(PEOPLE)}, "
                        f"confidence: {confidence}, "
                        f"note: {_text(rng.choice(NOTES))}}}\n"
                    )
            key_results += 1
    return key_results


def generate_workspace(size: Size, path: Path, seed: int = SEED) -> Generated:
    """Write a deterministic synthetic workspace of `size` to `path`."""
    began = time.perf_counter()
    rng = random.Random(f"{seed}-{size.fraction}")
    out = [
        "# Synthetic Drumbeat workspace written by benchmarks/core_bench.py\n",
        "version: 1\norganisation: Riverside Museum Group\n\n",
    ]
    teams = _write_teams(rng, size, out)
    kpis = _make_kpis(rng, size, teams)
    cycles: list[str] = []
    cycle_dates = _write_cycles(cycles)
    objectives: list[str] = []
    key_results = _write_objectives(rng, size, teams, kpis, cycle_dates, objectives)
    out.append("\nkpis:\n")
    for kpi in kpis:
        out.append(kpi.header)
        out.append(kpi.readings())
    out.append("\n")
    out.extend(cycles)
    out.append("\n")
    out.extend(objectives)
    text = "".join(out)
    path.write_text(text, encoding="utf-8")
    return Generated(
        path=path,
        kpis=len(kpis),
        readings=len(kpis) * WEEKS,
        objectives=size.objectives,
        key_results=key_results,
        file_bytes=len(text.encode("utf-8")),
        seconds=time.perf_counter() - began,
    )


# --- Timing ----------------------------------------------------------------------


def _drop_caches(workspace: Workspace) -> None:
    """Forget what `cached_property`s remember, so each phase starts cold.

    The rules cache lookups (`kpi_by_key`, `reading_days`) on the model; without
    this, whichever phase ran first would pay for every later one.
    """
    for name in _cached_names(Workspace):
        workspace.__dict__.pop(name, None)
    kpi_names = _cached_names(KPI)
    for kpi in workspace.kpis:
        for name in kpi_names:
            kpi.__dict__.pop(name, None)


def _cached_names(cls: type) -> tuple[str, ...]:
    return tuple(
        name
        for klass in cls.__mro__
        for name, attribute in vars(klass).items()
        if isinstance(attribute, functools.cached_property)
    )


def best_time(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    """The shortest of `repeat` timings of `action`, and its last result."""
    best = float("inf")
    result: object = None
    for _ in range(repeat):
        result = None
        gc.collect()
        began = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - began)
    return best, result


_MEMORY_PROBE = """
import json, sys
from pathlib import Path
from drumbeat.workspace import load_workspace

def high_water_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")

before = high_water_kib()
workspace = load_workspace(Path(sys.argv[1]))
print(json.dumps({"before_kib": before, "peak_kib": high_water_kib()}))
"""


def parse_peak_memory(path: Path) -> tuple[float, float]:
    """Peak RSS (MiB) of a fresh process that loads `path`, and how much loading adds.

    Measured as VmHWM (the resident-set high-water mark, in /proc/self/status) of a
    subprocess that imports Drumbeat and loads the file once: it counts everything
    parsing holds, the YAML library's C allocations included, and does not slow
    the timed runs as tracemalloc would. Not `ru_maxrss`: a forked child inherits
    the benchmark's own high-water mark in it. Linux only.
    """
    completed = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(completed.stdout)
    peak, before = figures["peak_kib"], figures["before_kib"]
    return peak / 1024, (peak - before) / 1024


@dataclass(frozen=True, slots=True)
class Measurement:
    """The figures of one size."""

    size: str
    fraction: float
    kpis: int
    readings: int
    objectives: int
    key_results: int
    file_mib: float
    generate_s: float
    parse_s: float
    score_s: float
    lint_s: float
    suggest_s: float
    analysis_s: float
    analysis_to_parse: float
    parse_peak_rss_mib: float
    parse_rss_growth_mib: float
    findings: int
    suggestions: int


def measure(size: Size, directory: Path, repeat: int) -> Measurement:
    path = directory / f"workspace-{size.fraction:g}.yaml"
    generated = generate_workspace(size, path)
    print(
        f"  {size.label}: wrote {path.name} ({generated.file_bytes / 2**20:.1f} MiB) "
        f"in {generated.seconds:.1f} s; timing...",
        file=sys.stderr,
        flush=True,
    )
    parse_s, loaded = best_time(lambda: load_workspace(path), repeat)
    assert isinstance(loaded, Workspace)
    workspace = loaded
    next_cycle = workspace.cycle_by_key[NEXT_CYCLE]

    def cold(phase: Callable[[], object]) -> Callable[[], object]:
        def run() -> object:
            _drop_caches(workspace)
            return phase()

        return run

    # Dropping the caches is not timed: best_time times `run`, which includes it,
    # but popping ~2,000 dict entries costs well under a millisecond.
    score_s, _ = best_time(cold(lambda: workspace_status(workspace, AS_OF)), repeat)
    lint_s, findings = best_time(cold(lambda: lint_workspace(workspace, AS_OF)), repeat)
    suggest_s, suggestions = best_time(
        cold(lambda: suggest(workspace, next_cycle)), repeat
    )
    assert isinstance(findings, list)
    assert isinstance(suggestions, list)
    peak, growth = parse_peak_memory(path)
    analysis_s = score_s + lint_s
    return Measurement(
        size=size.label,
        fraction=size.fraction,
        kpis=len(workspace.kpis),
        readings=sum(len(kpi.readings) for kpi in workspace.kpis),
        objectives=len(workspace.objectives),
        key_results=sum(len(o.key_results) for o in workspace.objectives),
        file_mib=generated.file_bytes / 2**20,
        generate_s=generated.seconds,
        parse_s=parse_s,
        score_s=score_s,
        lint_s=lint_s,
        suggest_s=suggest_s,
        analysis_s=analysis_s,
        analysis_to_parse=analysis_s / parse_s,
        parse_peak_rss_mib=peak,
        parse_rss_growth_mib=growth,
        findings=len(findings),
        suggestions=len(suggestions),
    )


# --- Reporting -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    data_growth: float
    parse_growth: float
    analysis_growth: float
    ratio: float
    ratio_met: bool
    linear: bool
    from_size: str
    to_size: str

    def lines(self) -> list[str]:
        shape = "linear" if self.linear else "not linear"
        growth = (
            f"growth parse ×{self.parse_growth:.1f}, analysis "
            f"×{self.analysis_growth:.1f} for ×{self.data_growth:.1f} data "
            f"({self.from_size} → {self.to_size}): {shape}"
        )
        return [ratio_line(self.ratio), growth]


def ratio_line(ratio: float) -> str:
    """The verdict on the first goal: analysis costs no more than parsing."""
    return (
        f"analysis/parse = {ratio:.2f} {'≤ 1: met' if ratio <= 1 else '> 1: not met'}"
    )


def verdict(measurements: Sequence[Measurement]) -> Verdict:
    small, large = measurements[0], measurements[-1]
    data = large.readings / small.readings
    parse = large.parse_s / small.parse_s
    analysis = large.analysis_s / small.analysis_s
    limit = data * LINEAR_TOLERANCE
    return Verdict(
        data_growth=data,
        parse_growth=parse,
        analysis_growth=analysis,
        ratio=large.analysis_to_parse,
        ratio_met=large.analysis_to_parse <= 1.0,
        linear=parse <= limit and analysis <= limit,
        from_size=small.size,
        to_size=large.size,
    )


def table(measurements: Sequence[Measurement]) -> str:
    header = (
        f"{'size':>5} {'KPIs':>6} {'readings':>9} {'KRs':>6} {'parse s':>8} "
        f"{'score s':>8} {'lint s':>8} {'suggest s':>9} {'analysis s':>10} "
        f"{'analysis/parse':>14}"
    )
    rows = [header, "-" * len(header)]
    rows.extend(
        f"{m.size:>5} {m.kpis:>6} {m.readings:>9} {m.key_results:>6} "
        f"{m.parse_s:>8.3f} {m.score_s:>8.3f} {m.lint_s:>8.3f} {m.suggest_s:>9.3f} "
        f"{m.analysis_s:>10.3f} {m.analysis_to_parse:>14.2f}"
        for m in measurements
    )
    return "\n".join(rows)


def details(measurements: Sequence[Measurement]) -> str:
    header = (
        f"{'size':>5} {'file MiB':>9} {'parse peak RSS MiB':>19} "
        f"{'(+ by parsing)':>14} {'findings':>9} {'suggestions':>11}"
    )
    rows = [header, "-" * len(header)]
    rows.extend(
        f"{m.size:>5} {m.file_mib:>9.1f} {m.parse_peak_rss_mib:>19.0f} "
        f"{m.parse_rss_growth_mib:>14.0f} {m.findings:>9} {m.suggestions:>11}"
        for m in measurements
    )
    return "\n".join(rows)


def profile_phase(phase: str, size: Size, directory: Path, top: int = 25) -> str:
    """cProfile's view of one phase at one size: the hot spots, by own time."""
    path = directory / f"profile-{size.fraction:g}.yaml"
    generate_workspace(size, path)
    workspace = load_workspace(path)
    actions: dict[str, Callable[[], object]] = {
        "parse": lambda: load_workspace(path),
        "score": lambda: workspace_status(workspace, AS_OF),
        "lint": lambda: lint_workspace(workspace, AS_OF),
        "suggest": lambda: suggest(workspace, workspace.cycle_by_key[NEXT_CYCLE]),
    }
    _drop_caches(workspace)
    gc.collect()
    profiler = cProfile.Profile()
    profiler.runcall(actions[phase])
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return report.getvalue()


def _fractions(text: str) -> list[float]:
    try:
        fractions = sorted({float(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from error
    if not fractions or any(f <= 0 for f in fractions):
        raise argparse.ArgumentTypeError("sizes must be positive fractions")
    return fractions


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=_fractions,
        default=[0.25, 0.5, 1.0],
        help="fractions of the full workspace (2,000 KPIs), default 0.25,0.5,1",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per phase; the best counts"
    )
    parser.add_argument(
        "--keep", type=Path, help="write the workspaces to DIR and keep them"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to FILE")
    parser.add_argument(
        "--profile",
        choices=PHASES,
        help="instead of timing, print cProfile's hot spots of one phase at the "
        "largest size",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = [Size.of(fraction) for fraction in args.sizes]

    with tempfile.TemporaryDirectory(prefix="drumbeat-bench-") as temporary:
        directory = args.keep or Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)
        if args.profile:
            print(profile_phase(args.profile, sizes[-1], directory))
            return 0
        print(
            f"Drumbeat core benchmark: as of {AS_OF}, best of {args.repeat}, "
            f"files in {directory}",
            file=sys.stderr,
        )
        measurements = [measure(size, directory, args.repeat) for size in sizes]

    print(table(measurements))
    print()
    print(details(measurements))
    print()
    result: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "seed": SEED,
        "repeat": args.repeat,
        "memory": "VmHWM (peak RSS) of a subprocess that imports Drumbeat and "
        "loads the file once; growth = VmHWM after loading - VmHWM after imports",
        "python": sys.version.split()[0],
        "sizes": [asdict(m) for m in measurements],
    }
    if len(measurements) > 1:
        found = verdict(measurements)
        for line in found.lines():
            print(line)
        result["verdict"] = asdict(found)
    else:
        print(ratio_line(measurements[0].analysis_to_parse))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
