"""OKR quality checks: can these OKRs be scored honestly, and are they worth it?

Each rule is one small function that returns a message saying what to change, or
None. Its id and severity are stable: users' CI pipelines depend on them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from enum import StrEnum
from functools import cached_property

from drumbeat.core.cycles import cycle_contains, cycle_days, is_annual_cycle
from drumbeat.core.display import format_number, format_target
from drumbeat.core.health import is_stale
from drumbeat.core.model import (
    KPI,
    Band,
    Cycle,
    Direction,
    Indicator,
    KeyResult,
    KeyResultKind,
    Objective,
    Reading,
    Tier,
    Workspace,
)
from drumbeat.core.parmenter import PARMENTER_CHARACTERISTICS, parmenter_checklist
from drumbeat.core.scoring import (
    band_gap,
    default_baseline,
    key_result_baseline,
    meets_target,
)
from drumbeat.core.spc import ProcessLimits, kpi_process_limits


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: which rule, how bad, about what, and what to do."""

    rule: str
    severity: Severity
    subject: str
    message: str


MIN_KEY_RESULTS = 2
MAX_KEY_RESULTS = 5
MAX_OBJECTIVES_PER_TEAM = 3
MAX_KEY_KPIS = 10
SPRINT_MIN_DAYS = 60
SPRINT_MAX_DAYS = 120


class LintContext:
    """The workspace and date being checked, with what several rules share."""

    def __init__(self, workspace: Workspace, as_of: dt.date) -> None:
        self.workspace = workspace
        self.as_of = as_of
        self._limits: dict[str, ProcessLimits | None] = {}

    def limits(self, kpi: KPI) -> ProcessLimits | None:
        if kpi.key not in self._limits:
            self._limits[kpi.key] = kpi_process_limits(kpi, self.as_of)
        return self._limits[kpi.key]

    @cached_property
    def objective_by_key(self) -> dict[str, Objective]:
        return {o.key: o for o in self.workspace.objectives}

    def aligned_key_results(self, objective: str) -> list[KPI | None]:
        """The KPIs read by the KRs of the objectives whose `parent` is
        `objective` (None for a KR whose KPI is not in the dictionary)."""
        kpis = self.workspace.kpi_by_key
        return [
            kpis.get(kr.kpi)
            for child in self.workspace.objectives
            if child.parent == objective
            for kr in child.key_results
        ]

    @cached_property
    def driven_by(self) -> dict[str, list[str]]:
        """By KPI key, the keys of the KPIs whose `drives` name it, in file order."""
        driven_by: dict[str, list[str]] = defaultdict(list)
        for kpi in self.workspace.kpi_by_key.values():
            for driven in kpi.drives:
                driven_by[driven].append(kpi.key)
        return driven_by

    @cached_property
    def drives_key(self) -> frozenset[str]:
        """Keys of the KPIs that are `key` tier or drive one, directly or not."""
        kpis = self.workspace.kpi_by_key
        driven_by = self.driven_by
        reached = {k for k, kpi in kpis.items() if kpi.tier is Tier.KEY}
        frontier = list(reached)
        while frontier:
            for driver in driven_by[frontier.pop()]:
                if driver not in reached:
                    reached.add(driver)
                    frontier.append(driver)
        return frozenset(reached)


@dataclass(frozen=True, slots=True)
class KeyResultCase:
    """A KR with what its rules read: its objective, cycle, KPI and baseline."""

    objective: Objective
    key_result: KeyResult
    cycle: Cycle
    kpi: KPI | None
    baseline: float | None
    before_cycle: Reading | None
    """The latest reading on or before the cycle start."""

    @property
    def subject(self) -> str:
        return f"{self.objective.key}/{self.key_result.key}"

    @property
    def scalar_target(self) -> float | None:
        target = self.key_result.target
        return None if isinstance(target, Band) else target

    @property
    def is_change(self) -> bool:
        """A `change` or a `cumulative` KR: both move from baseline to target."""
        return self.key_result.kind is not KeyResultKind.SUSTAIN

    @property
    def is_cumulative(self) -> bool:
        return self.key_result.kind is KeyResultKind.CUMULATIVE

    @property
    def band_target(self) -> Band | None:
        """The band a `change` KR moves the KPI into, or None."""
        target = self.key_result.target
        return target if isinstance(target, Band) and self.is_change else None

    def previous_sum(self) -> tuple[dt.date, float] | None:
        """For a cumulative KR: the sum of the KPI's readings over as many days
        just before the cycle start as the cycle lasts (with that span's first
        day), or None without a reading in it."""
        if self.kpi is None:
            return None
        cycle = self.cycle
        span = cycle.end - cycle.start
        before = self.kpi.readings_between(cycle.start - span, cycle.start)
        if not before:
            return None
        return cycle.start - span, sum(reading.value for reading in before)


# --- Key Result rules -----------------------------------------------------------


def kr_unknown_kpi(ctx: LintContext, case: KeyResultCase) -> str | None:
    if case.kpi is not None:
        return None
    key = case.key_result.kpi
    close = get_close_matches(key, ctx.workspace.kpi_by_key, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return (
        f"measures '{key}', which is not in the KPI dictionary{hint}: point the KR "
        "at a dictionary KPI, or add it (a one-off measure is a `transient` KPI)"
    )


def kr_missing_baseline(ctx: LintContext, case: KeyResultCase) -> str | None:
    if case.kpi is None or case.baseline is not None:
        return None
    return (
        f"has no baseline: '{case.kpi.key}' has no reading on or before the cycle "
        f"start {case.cycle.start}; record one, or set `baseline:` on the KR"
    )


def _good_direction(case: KeyResultCase) -> int:
    """+1 when higher values are better for this KR, -1 when lower, 0 if neither.

    For a `range` KPI, better is towards its green band from the baseline.
    """
    assert case.kpi is not None
    direction = case.kpi.direction
    if direction is Direction.UP:
        return 1
    if direction is Direction.DOWN:
        return -1
    green = case.kpi.thresholds.green
    if isinstance(green, Band) and case.baseline is not None:
        if case.baseline < green.low:
            return 1
        if case.baseline > green.high:
            return -1
    return 0


def kr_target_wrong_direction(ctx: LintContext, case: KeyResultCase) -> str | None:
    """A change KR whose target (a number, or the nearest edge of a band) lies on
    the KPI's bad side of the baseline: below it for `up`, above it for `down`,
    away from the green band for `range`. A band around the baseline asks for no
    move (kr-not-a-change says so)."""
    if case.kpi is None or case.baseline is None or not case.is_change:
        return None
    if (band := case.band_target) is not None:
        way = _way_into(band, case.baseline)
        shown = format_target(band)
    elif (target := case.scalar_target) is not None:
        way = (target > case.baseline) - (target < case.baseline)
        shown = format_number(target)
    else:
        return None
    good = _good_direction(case)
    if good == 0 or way * good >= 0:
        return None
    better = "higher" if good > 0 else "lower"
    side = "below" if good > 0 else "above"
    return (
        f"target {shown} is {side} the baseline "
        f"{format_number(case.baseline)}, but {better} is better for "
        f"'{case.kpi.key}': the KR would reward getting worse; set a target "
        f"{'above' if good > 0 else 'below'} the baseline"
    )


def _way_into(band: Band, baseline: float) -> int:
    """+1 when the band lies above the baseline, -1 below it, 0 around it."""
    if baseline < band.low:
        return 1
    if baseline > band.high:
        return -1
    return 0


def kr_not_a_change(ctx: LintContext, case: KeyResultCase) -> str | None:
    if case.kpi is None or case.baseline is None:
        return None
    target = case.key_result.target
    if (band := case.band_target) is not None:
        if case.baseline not in band:
            return None
        return (
            f"the baseline {format_number(case.baseline)} already lies in the band "
            f"{format_target(band)}: nothing is asked to change; keep it as a KPI "
            "threshold, or make it a sustain KR"
        )
    if case.is_change:
        if target != case.baseline:
            return None
        return (
            f"target {format_target(target)} equals the baseline: nothing is asked "
            "to change; this is business as usual, keep it as a KPI threshold"
        )
    if not meets_target(case.baseline, target, case.kpi.direction):
        return None
    return (
        f"the baseline {format_number(case.baseline)} already meets the target "
        f"{format_target(target)}: holding it is business as usual; keep it as a KPI "
        "threshold, or set a target the KPI does not meet yet"
    )


def _cumulative_already_met(case: KeyResultCase) -> str | None:
    """A cumulative target the KPI added up already in as long a span before."""
    previous = case.previous_sum()
    target = case.scalar_target
    if previous is None or target is None or case.baseline is None:
        return None
    way = 1 if target > case.baseline else -1
    since, total = previous
    if target == case.baseline or (total - target) * way < 0:
        return None
    return (
        f"the readings from {since} to the cycle start already add up to "
        f"{format_number(total)}, at or past the target {format_number(target)}: "
        "the KPI's usual pace meets it; set a target beyond what it already does"
    )


def kr_already_met(ctx: LintContext, case: KeyResultCase) -> str | None:
    if case.is_cumulative:
        return _cumulative_already_met(case)
    reading = case.before_cycle
    if case.kpi is None or reading is None or case.baseline is None:
        return None
    target = case.key_result.target
    if (band := case.band_target) is not None:
        if case.baseline in band or reading.value not in band:
            return None  # kr-not-a-change says it, or the band is not reached
    elif case.is_change:
        if isinstance(target, Band) or target == case.baseline:
            return None  # kr-not-a-change says it better
        # Met means at or past the target on the KR's own way from its baseline;
        # a way against the KPI's good side is kr-target-wrong-direction's to say.
        way = 1 if target > case.baseline else -1
        good = _good_direction(case)
        if (good and way != good) or (reading.value - target) * way < 0:
            return None
    elif meets_target(case.baseline, target, case.kpi.direction) or not (
        meets_target(reading.value, target, case.kpi.direction)
    ):
        return None  # either kr-not-a-change says it, or the target is not met
    return (
        f"the latest reading before the cycle ({format_number(reading.value)} on "
        f"{reading.day}) already meets the target {format_target(target)}: "
        "set a target beyond what the KPI already does"
    )


def _change_asked(case: KeyResultCase) -> float | None:
    """How far a change KR asks the KPI to move: to its target, or to the
    nearest edge of its band; None for a sustain or a cumulative KR (a sum of
    readings is not compared with the noise of one)."""
    if case.baseline is None or not case.is_change or case.is_cumulative:
        return None
    if (band := case.band_target) is not None:
        return band_gap(case.baseline, band)
    target = case.scalar_target
    return None if target is None else abs(target - case.baseline)


def kr_within_noise(ctx: LintContext, case: KeyResultCase) -> str | None:
    asked = _change_asked(case)
    if case.kpi is None or not asked:
        return None
    limits = ctx.limits(case.kpi)
    if limits is None:
        return None
    if asked >= limits.noise:
        return None
    return (
        f"the change asked for ({format_number(asked)}) is smaller than the routine "
        f"variation of '{case.kpi.key}' (2.66 × average moving range = "
        f"{format_number(limits.noise)}): noise alone could decide it; ask for a "
        f"change of at least {format_number(limits.noise)}"
    )


def kr_beyond_best_in_class(ctx: LintContext, case: KeyResultCase) -> str | None:
    target = case.scalar_target
    if case.kpi is None or target is None:
        return None
    best = case.kpi.benchmarks.best_in_class
    direction = case.kpi.direction
    if best is None or direction is Direction.RANGE:
        return None
    beyond = target > best if direction is Direction.UP else target < best
    if not beyond:
        return None
    return (
        f"target {format_number(target)} is past the best-in-class benchmark "
        f"{format_number(best)}: a target nobody reaches demoralises; aim at or "
        "below best in class, or check the benchmark"
    )


def kr_vanity_metric(ctx: LintContext, case: KeyResultCase) -> str | None:
    if case.kpi is None or case.kpi.key in ctx.drives_key:
        return None
    return (
        f"'{case.kpi.key}' is a {case.kpi.tier} KPI that drives no key KPI: "
        "so what if it moves? Measure a key KPI, or record with `drives:` which "
        "key KPI it leads"
    )


def kr_transient_metric(ctx: LintContext, case: KeyResultCase) -> str | None:
    if case.kpi is None or case.kpi.tier is not Tier.TRANSIENT:
        return None
    return (
        f"'{case.kpi.key}' is a transient KPI: at cycle close, decide whether to "
        "keep it in the KPI system or retire it"
    )


def kr_no_owner(ctx: LintContext, case: KeyResultCase) -> str | None:
    if case.key_result.owner or case.objective.owner:
        return None
    return "neither the KR nor its objective has an owner: name who is accountable"


def kr_deadline_outside_cycle(ctx: LintContext, case: KeyResultCase) -> str | None:
    deadline = case.key_result.deadline
    if deadline is None or case.cycle.start <= deadline <= case.cycle.end:
        return None
    return (
        f"deadline {deadline} is outside the cycle {case.cycle.key} "
        f"({case.cycle.start} to {case.cycle.end}): move the deadline into the "
        "cycle, or the KR into the cycle it belongs to"
    )


KeyResultRule = Callable[[LintContext, KeyResultCase], str | None]


# --- Objective rules ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectiveCase:
    objective: Objective
    key_results: tuple[KeyResultCase, ...]
    kr_findings: frozenset[tuple[str, str]]
    """(rule, subject) of the findings on this objective's KRs."""

    def every_kr_has(self, *rules: str) -> bool:
        return bool(self.key_results) and all(
            any((rule, case.subject) in self.kr_findings for rule in rules)
            for case in self.key_results
        )


def objective_kr_count(ctx: LintContext, case: ObjectiveCase) -> str | None:
    count = len(case.objective.key_results)
    if MIN_KEY_RESULTS <= count <= MAX_KEY_RESULTS:
        return None
    advice = "add a KR" if count < MIN_KEY_RESULTS else "keep the ones that matter"
    return (
        f"has {count} key result{'s' if count != 1 else ''}; an objective needs "
        f"{MIN_KEY_RESULTS} to {MAX_KEY_RESULTS}: {advice}"
    )


_FIGURE = re.compile(
    r"(?<![A-Za-z0-9])(?<![A-Za-z]-)(?:[$£€]\s?)?\d[\d,.]*"
    r"(?:\s?%|[xX]|[kKmM]|bn|BN)?(?![A-Za-z0-9])"
)
_DATE_YEAR = re.compile(
    r"\b(?:in|by|until|before|after|since|of|for|through|during|[QH][1-4])"
    r"\s+(?:19|20)\d\d$",
    re.IGNORECASE,
)


def _figures(title: str) -> list[str]:
    """The numbers in a title, less years that date it ("by 2027", "Q4 2026") and
    names such as "Q3", "H1" or "COVID-19"."""
    return [
        m.group().strip()
        for m in _FIGURE.finditer(title)
        if not _DATE_YEAR.search(title[: m.end()].rstrip())
    ]


def objective_has_numbers(ctx: LintContext, case: ObjectiveCase) -> str | None:
    figures = _figures(case.objective.title)
    if not figures:
        return None
    return (
        f"the title contains {', '.join(repr(f) for f in figures)}: keep numbers in "
        "the key results, and say in the objective what should change and why"
    )


def objective_kpi_in_disguise(ctx: LintContext, case: ObjectiveCase) -> str | None:
    if not case.every_kr_has("kr-not-a-change", "kr-already-met"):
        return None
    return (
        "every key result asks for what the KPIs already do: this is a KPI report "
        "relabelled as an OKR; monitor these KPIs on the dashboard and write an "
        "objective about a change"
    )


def objective_lagging_only(ctx: LintContext, case: ObjectiveCase) -> str | None:
    if not case.key_results:
        return None
    if not all(
        c.kpi is not None and c.kpi.indicator is Indicator.LAGGING
        for c in case.key_results
    ):
        return None
    objective = case.objective
    cycle = ctx.workspace.cycle_by_key.get(objective.cycle)
    if cycle is not None and is_annual_cycle(cycle, ctx.workspace.cycles):
        # An annual objective states the outcome; the quarterly objectives
        # aligned to it carry the leading KRs that accompany it.
        aligned = ctx.aligned_key_results(objective.key)
        if any(
            kpi is not None and kpi.indicator is not Indicator.LAGGING
            for kpi in aligned
        ):
            return None
        advice = (
            "every key result of this annual objective, and of the objectives "
            "aligned to it, measures a lagging KPI: results show only after the "
            "fact; align a quarterly objective with a KR on a leading KPI"
        )
    else:
        advice = (
            "every key result measures a lagging KPI: results show only after the "
            "fact; add a KR on a leading KPI that the team can move within the cycle"
        )
    candidates = leading_drivers(ctx, [c.kpi.key for c in case.key_results if c.kpi])
    if not candidates:
        return advice
    named = ", ".join(candidates[:MAX_CANDIDATES_NAMED])
    more = len(candidates) - MAX_CANDIDATES_NAMED
    if more > 0:
        named += f" and {more} more"
    return f"{advice}, such as {named} (by the strategy map, they drive these KPIs)"


def objective_parent_outside_cycle(ctx: LintContext, case: ObjectiveCase) -> str | None:
    """An objective contributes to one in its own cycle or in a cycle containing
    it (a quarter's to its year's), never to another quarter's or a later year's:
    the rule the web and the API refuse such a link by."""
    objective = case.objective
    parent = ctx.objective_by_key.get(objective.parent or "")
    cycles = ctx.workspace.cycle_by_key
    cycle, parent_cycle = (
        cycles.get(objective.cycle),
        cycles.get(parent.cycle if parent else ""),
    )
    if parent is None or cycle is None or parent_cycle is None:
        return None
    if cycle_contains((parent_cycle.start, parent_cycle.end), (cycle.start, cycle.end)):
        return None
    return (
        f"contributes to '{parent.key}' in {parent_cycle.key}, which does not "
        f"contain {cycle.key}: align it to an objective of its own cycle or of "
        "the cycle that contains it (its year)"
    )


MAX_CANDIDATES_NAMED = 5
"""Leading KPIs a lagging-only objective's message names; the rest are counted."""


def leading_drivers(ctx: LintContext, keys: Iterable[str]) -> list[str]:
    """The KPIs that drive `keys` through the strategy map's `drives` links and
    are not themselves lagging: the candidates for a KR on a leading KPI. A
    lagging driver is an outcome too: what drives it is looked for in turn; a
    candidate's own drivers are not (they are further from the outcome). The
    nearest first (direct drivers, then theirs), in file order."""
    kpis = ctx.workspace.kpi_by_key
    seen = set(keys)
    frontier = list(dict.fromkeys(keys))
    found: list[str] = []
    while frontier:
        nearer: list[str] = []
        for key in frontier:
            for driver in ctx.driven_by.get(key, ()):
                if driver in seen:
                    continue
                seen.add(driver)
                if kpis[driver].indicator is Indicator.LAGGING:
                    nearer.append(driver)
                else:
                    found.append(driver)
        frontier = nearer
    return found


ObjectiveRule = Callable[[LintContext, ObjectiveCase], str | None]


# --- KPI rules ------------------------------------------------------------------


def kpi_incomplete(ctx: LintContext, kpi: KPI) -> str | None:
    missing = [
        name
        for name, absent in (
            ("description", not kpi.description),
            ("owner", not kpi.owner),
            ("team", not kpi.team),
            ("cadence", kpi.cadence is None),
            ("thresholds", kpi.thresholds.is_empty),
        )
        if absent
    ]
    if not missing:
        return None
    return (
        f"lacks {', '.join(missing)}: an authoritative definition says what is "
        "counted, who owns it, which team answers for it, how often it is read "
        "and when it is good"
    )


def kpi_stale(ctx: LintContext, kpi: KPI) -> str | None:
    latest = kpi.latest_until(ctx.as_of)
    if not is_stale(kpi.cadence, latest, ctx.as_of):
        return None
    if latest is None:
        return (
            f"has no reading although it is read {kpi.cadence}: record one, or "
            "connect its source"
        )
    age = (ctx.as_of - latest.day).days
    return (
        f"the latest reading is {age} days old ({latest.day}) for a {kpi.cadence} "
        "KPI: record the missing readings or fix its source"
    )


def kpi_financial_key(ctx: LintContext, kpi: KPI) -> str | None:
    if kpi.tier is not Tier.KEY or not kpi.financial:
        return None
    return (
        "is a key KPI that is financial: key performance indicators are "
        "non-financial measures (Parmenter); keep it as a result indicator and "
        "find the operational measure that drives it"
    )


def kpi_parmenter(ctx: LintContext, kpi: KPI) -> str | None:
    if kpi.tier is not Tier.KEY:
        return None
    checklist = parmenter_checklist(kpi, ctx.workspace)
    if checklist.enough:
        return None
    return (
        f"is a key KPI meeting {checklist.score} of Parmenter's "
        f"{PARMENTER_CHARACTERISTICS} characteristics; missing: "
        f"{', '.join(checklist.missing)}"
    )


KPIRule = Callable[[LintContext, KPI], str | None]


def _normalised_words(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(sorted(word.removesuffix("s") for word in words))


def kpi_duplicates(ctx: LintContext) -> Iterator[tuple[str, str]]:
    """(subject, message) for each KPI that repeats an earlier one.

    Near-identical means equal once case, punctuation, word order and plurals are
    set aside; source queries are compared with whitespace and case set aside.
    """
    seen: dict[tuple[str, str], str] = {}
    for kpi in ctx.workspace.kpis:
        keys = [("name", _normalised_words(kpi.name))]
        if kpi.description:
            keys.append(("definition", _normalised_words(kpi.description)))
        if kpi.source.query:
            keys.append(("source query", " ".join(kpi.source.query.lower().split())))
        reported = False
        for what, normalised in keys:
            if not normalised:
                continue
            earlier = seen.setdefault((what, normalised), kpi.key)
            if earlier != kpi.key and not reported:
                reported = True
                yield (
                    kpi.key,
                    (
                        f"has the same {what} as '{earlier}': two KPIs for one "
                        "measure split its history and its owners; merge them or "
                        "tell them apart"
                    ),
                )


def kpi_too_many_key(ctx: LintContext) -> Iterator[tuple[str, str]]:
    key_kpis = [k for k in ctx.workspace.kpis if k.tier is Tier.KEY]
    if len(key_kpis) > MAX_KEY_KPIS:
        yield (
            "kpis",
            (
                f"{len(key_kpis)} KPIs are `key` tier; keep {MAX_KEY_KPIS} or fewer: "
                "fewer KPIs are better than many; move the rest to `secondary`"
            ),
        )


def kpi_north_star_many(ctx: LintContext) -> Iterator[tuple[str, str]]:
    north_stars = [kpi.key for kpi in ctx.workspace.kpis if kpi.north_star]
    if len(north_stars) > 1:
        yield (
            "kpis",
            (
                f"{len(north_stars)} KPIs are the north star "
                f"({', '.join(north_stars)}); keep one: the single top-level KPI "
                "everyone pulls towards"
            ),
        )


# --- Cycle rules ----------------------------------------------------------------


def cycle_length(ctx: LintContext, cycle: Cycle) -> Iterator[tuple[str, str]]:
    """A sprint-like cycle (not annual) should last 60 to 120 days."""
    days = cycle_days(cycle)
    if SPRINT_MIN_DAYS <= days <= SPRINT_MAX_DAYS:
        return
    if is_annual_cycle(cycle, ctx.workspace.cycles):
        return
    yield (
        cycle.key,
        (
            f"lasts {days} days; an OKR cycle is an intense sprint of "
            f"{SPRINT_MIN_DAYS} to {SPRINT_MAX_DAYS} days (about a quarter), or a "
            "year that contains its quarters"
        ),
    )


def kr_conflicting_targets(ctx: LintContext, cycle: Cycle) -> Iterator[tuple[str, str]]:
    by_kpi: dict[str, list[KeyResultCase]] = defaultdict(list)
    for case in _key_result_cases(ctx, cycle):
        by_kpi[case.key_result.kpi].append(case)
    for kpi_key, cases in by_kpi.items():
        for index, case in enumerate(cases):
            for earlier in cases[:index]:
                problem = _conflict(earlier, case)
                if problem:
                    yield (
                        case.subject,
                        (
                            f"targets '{kpi_key}' {problem} {earlier.subject}: two "
                            "KRs pulling one KPI apart cannot both succeed; agree "
                            "one target"
                        ),
                    )
                    break


def _conflict(first: KeyResultCase, second: KeyResultCase) -> str | None:
    if first.is_cumulative != second.is_cumulative:
        return None  # a sum of readings and a level do not compare

    def way(case: KeyResultCase) -> float:
        target = case.scalar_target
        if target is None or case.baseline is None:
            return 0
        return target - case.baseline

    if way(first) * way(second) < 0:
        return "in the opposite direction to"
    if first.key_result.target != second.key_result.target:
        return (
            f"at {format_target(second.key_result.target)}, not "
            f"{format_target(first.key_result.target)} as"
        )
    return None


def objective_too_many(ctx: LintContext, cycle: Cycle) -> Iterator[tuple[str, str]]:
    by_team: dict[str, int] = defaultdict(int)
    for objective in ctx.workspace.objectives_in(cycle.key):
        if objective.team:
            by_team[objective.team] += 1
    for team, count in by_team.items():
        if count > MAX_OBJECTIVES_PER_TEAM:
            yield (
                f"{cycle.key}/{team}",
                (
                    f"team '{team}' has {count} objectives in {cycle.key}; keep "
                    f"{MAX_OBJECTIVES_PER_TEAM} or fewer: focus on what matters most"
                ),
            )


def cycle_focus_diluted(ctx: LintContext, cycle: Cycle) -> Iterator[tuple[str, str]]:
    key_kpis = {k.key for k in ctx.workspace.kpis if k.tier is Tier.KEY}
    targeted = {
        kr.kpi
        for objective in ctx.workspace.objectives_in(cycle.key)
        for kr in objective.key_results
    } & key_kpis
    if key_kpis and len(targeted) * 2 > len(key_kpis):
        yield (
            cycle.key,
            (
                f"{len(targeted)} of the {len(key_kpis)} key KPIs are targeted in "
                f"{cycle.key}: not every KPI should become a KR; keep most of them "
                "monitored and focus the OKRs on a few"
            ),
        )


# --- The rule table -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: Severity


KEY_RESULT_RULES: tuple[tuple[Rule, KeyResultRule], ...] = (
    (Rule("kr-unknown-kpi", Severity.ERROR), kr_unknown_kpi),
    (Rule("kr-missing-baseline", Severity.ERROR), kr_missing_baseline),
    (Rule("kr-target-wrong-direction", Severity.ERROR), kr_target_wrong_direction),
    (Rule("kr-not-a-change", Severity.WARNING), kr_not_a_change),
    (Rule("kr-already-met", Severity.WARNING), kr_already_met),
    (Rule("kr-within-noise", Severity.WARNING), kr_within_noise),
    (Rule("kr-beyond-best-in-class", Severity.WARNING), kr_beyond_best_in_class),
    (Rule("kr-vanity-metric", Severity.WARNING), kr_vanity_metric),
    (Rule("kr-transient-metric", Severity.INFO), kr_transient_metric),
    (Rule("kr-no-owner", Severity.WARNING), kr_no_owner),
    (Rule("kr-deadline-outside-cycle", Severity.ERROR), kr_deadline_outside_cycle),
)

OBJECTIVE_RULES: tuple[tuple[Rule, ObjectiveRule], ...] = (
    (Rule("objective-kr-count", Severity.WARNING), objective_kr_count),
    (Rule("objective-has-numbers", Severity.INFO), objective_has_numbers),
    (Rule("objective-kpi-in-disguise", Severity.WARNING), objective_kpi_in_disguise),
    (Rule("objective-lagging-only", Severity.WARNING), objective_lagging_only),
    (
        Rule("objective-parent-outside-cycle", Severity.WARNING),
        objective_parent_outside_cycle,
    ),
)

CycleRule = Callable[[LintContext, Cycle], Iterable[tuple[str, str]]]

CYCLE_RULES: tuple[tuple[Rule, CycleRule], ...] = (
    (Rule("kr-conflicting-targets", Severity.WARNING), kr_conflicting_targets),
    (Rule("objective-too-many", Severity.WARNING), objective_too_many),
    (Rule("cycle-focus-diluted", Severity.WARNING), cycle_focus_diluted),
    (Rule("cycle-length", Severity.WARNING), cycle_length),
)

KPI_RULES: tuple[tuple[Rule, KPIRule], ...] = (
    (Rule("kpi-incomplete", Severity.WARNING), kpi_incomplete),
    (Rule("kpi-stale", Severity.WARNING), kpi_stale),
    (Rule("kpi-financial-key", Severity.INFO), kpi_financial_key),
    (Rule("kpi-parmenter", Severity.INFO), kpi_parmenter),
)

DictionaryRule = Callable[[LintContext], Iterable[tuple[str, str]]]

DICTIONARY_RULES: tuple[tuple[Rule, DictionaryRule], ...] = (
    (Rule("kpi-duplicate", Severity.WARNING), kpi_duplicates),
    (Rule("kpi-too-many-key", Severity.WARNING), kpi_too_many_key),
    (Rule("kpi-north-star-many", Severity.WARNING), kpi_north_star_many),
)

RULES: dict[str, Severity] = {
    rule.id: rule.severity
    for table in (
        KEY_RESULT_RULES,
        OBJECTIVE_RULES,
        CYCLE_RULES,
        KPI_RULES,
        DICTIONARY_RULES,
    )
    for rule, _ in table
}
"""Every rule id with its severity."""


def _key_result_cases(ctx: LintContext, cycle: Cycle) -> Iterator[KeyResultCase]:
    for objective in ctx.workspace.objectives_in(cycle.key):
        yield from _objective_key_result_cases(ctx, objective, cycle)


def _objective_key_result_cases(
    ctx: LintContext, objective: Objective, cycle: Cycle
) -> Iterator[KeyResultCase]:
    for kr in objective.key_results:
        kpi = ctx.workspace.kpi_by_key.get(kr.kpi)
        yield KeyResultCase(
            objective=objective,
            key_result=kr,
            cycle=cycle,
            kpi=kpi,
            baseline=key_result_baseline(kr, kpi, cycle),
            before_cycle=default_baseline(kpi, cycle) if kpi else None,
        )


def lint_workspace(workspace: Workspace, as_of: dt.date) -> list[Finding]:
    """Every finding, KPIs first, then each cycle with its objectives and KRs."""
    ctx = LintContext(workspace, as_of)
    findings: list[Finding] = []
    for rule, dictionary_rule in DICTIONARY_RULES:
        for subject, message in dictionary_rule(ctx):
            findings.append(Finding(rule.id, rule.severity, subject, message))
    for kpi in workspace.kpis:
        for rule, kpi_rule in KPI_RULES:
            if kpi_message := kpi_rule(ctx, kpi):
                findings.append(Finding(rule.id, rule.severity, kpi.key, kpi_message))
    for cycle in workspace.cycles:
        for rule, cycle_rule in CYCLE_RULES:
            for subject, message in cycle_rule(ctx, cycle):
                findings.append(Finding(rule.id, rule.severity, subject, message))
        for objective in workspace.objectives_in(cycle.key):
            findings.extend(_lint_objective(ctx, objective, cycle))
    return findings


def _lint_objective(
    ctx: LintContext, objective: Objective, cycle: Cycle
) -> list[Finding]:
    cases = tuple(_objective_key_result_cases(ctx, objective, cycle))
    kr_findings = [
        Finding(rule.id, rule.severity, case.subject, message)
        for case in cases
        for rule, kr_rule in KEY_RESULT_RULES
        if (message := kr_rule(ctx, case))
    ]
    objective_case = ObjectiveCase(
        objective, cases, frozenset((f.rule, f.subject) for f in kr_findings)
    )
    objective_findings = [
        Finding(rule.id, rule.severity, objective.key, message)
        for rule, objective_rule in OBJECTIVE_RULES
        if (message := objective_rule(ctx, objective_case))
    ]
    return objective_findings + kr_findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
