"""Reads of the KPI dictionary and the OKRs together: the database back in the
workspace file's shape and as the core's `Workspace`, so that the core (and its
validation) is the only place the rules live; and what the pages that show both
compute from it (the KPI chart with the cycles that targeted it, cycle planning,
the live lint of a KR being written)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from drumbeat.accounts.models import Organisation
from drumbeat.core import model as core
from drumbeat.core.close import kpi_cycle_history
from drumbeat.core.contract import plain_target
from drumbeat.core.display import format_key_result_target
from drumbeat.core.forecast import HitForecast, NoForecast, workspace_forecasts
from drumbeat.core.lint import Finding, lint_workspace
from drumbeat.core.model import Workspace
from drumbeat.core.scoring import relative_target_text
from drumbeat.core.spc import (
    DEFAULT_BASELINE_LENGTH,
    RUN_LENGTH,
    LimitSegment,
    ProcessChart,
    ProposedDivider,
    Side,
    active_signals,
    kpi_process_limits,
    limit_segments,
    moving_ranges,
    period_signals,
)
from drumbeat.core.spc_words import (
    divider_explanation,
    divider_json,
    limits_json,
    signal_explanation,
)
from drumbeat.core.stagnation import stagnation
from drumbeat.core.suggest import Suggestion, suggest
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.process import kpi_proposed_divider
from drumbeat.kpis.selectors import (
    core_readings,
    critical_success_factors_data,
    current_readings,
    kpi_data,
    readings_data,
    teams_data,
)
from drumbeat.okrs.forms import key_result_draft_query
from drumbeat.okrs.models import (
    CheckIn,
    Cycle,
    KeyResult,
    LintFinding,
    Objective,
    PlanSuggestion,
)
from drumbeat.okrs.selectors import (
    CycleFindings,
    cycle_findings,
    frozen_kpi_history,
)
from drumbeat.workspace import load_workspace_data
from drumbeat.workspace.yamlio import collector_paused


def objectives_data(keys: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Every objective not archived (or those keyed in `keys`, without links to
    parents left out) with its KRs and check-ins not archived, in the file's shape
    (three queries of plain values)."""
    # Archived rows, and the rows under an archived one, are left out.
    objectives = Objective.objects.filter(
        archived_at__isnull=True, cycle__archived_at__isnull=True
    )
    key_result_rows = KeyResult.objects.filter(
        archived_at__isnull=True, objective__in=objectives
    )
    checkin_rows = CheckIn.objects.filter(
        archived_at__isnull=True, key_result__in=key_result_rows
    )
    if keys is not None:
        objectives = objectives.filter(key__in=list(keys))
        key_result_rows = key_result_rows.filter(objective__key__in=list(keys))
        checkin_rows = checkin_rows.filter(key_result__objective__key__in=list(keys))
    checkins: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for checkin in checkin_rows.values(
        "key_result_id", "at", "by_name", "confidence", "note", "blockers"
    ):
        checkins[checkin["key_result_id"]].append(
            _present(
                {
                    "at": checkin["at"],
                    "by": checkin["by_name"],
                    "confidence": checkin["confidence"],
                    "note": checkin["note"],
                    "blockers": checkin["blockers"],
                }
            )
        )
    key_results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for kr in key_result_rows.values(
        "pk",
        "objective_id",
        "key",
        "kpi_key",
        "kind",
        "target",
        "relative_target",
        "weight",
        "title",
        "baseline",
        "deadline",
        "owner_name",
    ):
        key_results[kr["objective_id"]].append(
            {
                "key": kr["key"],
                "kpi": kr["kpi_key"],
                "kind": kr["kind"],
                "target": kr["target"],
                **(
                    {}
                    if kr["relative_target"] is None
                    else {
                        "relative_target": relative_target_text(kr["relative_target"])
                    }
                ),
                "weight": kr["weight"],
                **_present(
                    {
                        "title": kr["title"],
                        "baseline": kr["baseline"],
                        "deadline": kr["deadline"],
                        "owner": kr["owner_name"],
                    }
                ),
                "checkins": checkins[kr["pk"]],
            }
        )
    rows = list(
        objectives.values(
            "pk",
            "key",
            "title",
            "cycle__key",
            "commitment",
            "team__key",
            "team_name",
            "owner_name",
            "parent__key",
        )
    )
    chosen = {row["key"] for row in rows}
    return [
        {
            "key": row["key"],
            "title": row["title"],
            "cycle": row["cycle__key"],
            "commitment": row["commitment"],
            **_present(
                {
                    "team": row["team__key"] or row["team_name"],
                    "owner": row["owner_name"],
                    "parent": row["parent__key"]
                    if row["parent__key"] in chosen
                    else None,
                }
            ),
            "key_results": key_results[row["pk"]],
        }
        for row in rows
    ]


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    """The optional fields that have a value (empty text and None are absent)."""
    return {name: value for name, value in fields.items() if value not in (None, "")}


def workspace_data(
    kpis: QuerySet[KPI] | None = None,
    *,
    readings_of: Iterable[str] | None = None,
    objectives: Collection[str] | None = None,
    archived_kpis: bool = False,
) -> dict[str, Any]:
    """The database in the workspace format's shape, archived things left out
    (so that lint, scores and suggestions skip them): every cycle, the objectives
    (all, or those keyed in `objectives`), and the given KPIs (all by default) with
    their current readings (only those of the KPIs keyed in `readings_of`, when
    given; `archived_kpis`: archived ones among them too, for an archived KPI's
    own page)."""
    chosen = kpis if kpis is not None else KPI.objects.all()
    if not archived_kpis:
        chosen = chosen.filter(archived_at__isnull=True)
    chosen = chosen.select_related("team")
    known = {kpi.key for kpi in chosen}
    readings = current_readings(chosen)
    if readings_of is not None:
        readings = readings.filter(kpi__key__in=list(readings_of))
    by_kpi = readings_data(readings)
    organisation = Organisation.objects.first()
    return {
        "version": 1,
        **({"organisation": organisation.name} if organisation else {}),
        "teams": teams_data(),
        "critical_success_factors": critical_success_factors_data(),
        "kpis": [kpi_data(kpi, by_kpi[kpi.pk], known) for kpi in chosen],
        "cycles": cycles_data(),
        "objectives": objectives_data(objectives),
    }


def cycles_data() -> list[dict[str, Any]]:
    """The cycles that are not archived, in the file's shape; a `parent` only when
    the containing cycle is not archived either (one query)."""
    rows = Cycle.objects.filter(archived_at__isnull=True).select_related("parent")
    return [
        {"key": c.key, "start": c.start, "end": c.end}
        | (
            {"parent": c.parent.key}
            if c.parent is not None and c.parent.archived_at is None
            else {}
        )
        for c in rows
    ]


def core_cycle(workspace: Workspace, cycle: Cycle) -> core.Cycle:
    """The core's `cycle`, from the workspace, or made from the row when the
    workspace leaves it out (an archived cycle, still reachable by its URL)."""
    found = workspace.cycle_by_key.get(cycle.key)
    return found or core.Cycle(key=cycle.key, start=cycle.start, end=cycle.end)


TAIL_READINGS = 64
"""The latest readings a windowed read keeps of each KPI: more than the 26 of a
sparkline, and than the detection rules read back from the latest (rule 2's four
values, rule 3's run of eight off the central line)."""

LEAD_IN_READINGS = 16
"""The readings before a chart's first day read with it, so that rule 2's and rule
3's windows that end on its first points are found as in the whole history."""


@dataclass(frozen=True)
class ReadingsWindow:
    """Which readings a windowed read loads of each KPI: those the rules read on
    `as_of` (the limits' baseline, the latest TAIL_READINGS, and for each cycle with
    a KR on the KPI the reading before its start and those up to its end or the
    KR's deadline), and with `since` every reading from that day (a chart's), with
    LEAD_IN_READINGS before it. What the rules compute from them is what they
    compute from the whole history: a status, a score or a finding never moves."""

    as_of: dt.date
    since: dt.date | None = None


def _windowed_readings(
    kpis: QuerySet[KPI], workspace: Workspace, window: ReadingsWindow
) -> dict[int, tuple[core.Reading, ...]]:
    """The readings of `window` of each KPI, as the core's, by KPI id (two
    queries: the boundary days of each KPI, then the readings between them)."""
    cycles: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for objective in workspace.objectives:
        cycle = workspace.cycle_by_key[objective.cycle]
        for kr in objective.key_results:
            end = max(cycle.end, kr.deadline or cycle.end)
            cycles[kr.kpi].append((cycle.start, end))
    starts = sorted({start for ranges in cycles.values() for start, _ in ranges})
    current = Reading.objects.current()

    def day_of(n: int, newest_first: bool, **filters: Any) -> Subquery:
        order = ("-day", "-at") if newest_first else ("day", "at")
        found = current.filter(kpi_id=OuterRef("pk"), **filters).order_by(*order)
        return Subquery(found.values("day")[n - 1 : n])

    as_of = window.as_of
    boundaries: dict[str, Subquery] = {
        "first_until": day_of(DEFAULT_BASELINE_LENGTH, False, day__lte=as_of),
        "tail_from": day_of(TAIL_READINGS, True, day__lte=as_of),
    }
    for index, start in enumerate(starts):
        boundaries[f"before_{index}"] = day_of(1, True, day__lte=start)
    if window.since is not None:
        boundaries["lead_from"] = day_of(LEAD_IN_READINGS, True, day__lt=window.since)
        boundaries["tail_lead_from"] = day_of(
            TAIL_READINGS + LEAD_IN_READINGS, True, day__lte=as_of
        )
    wanted = Q(pk__in=[])
    cut: dict[int, str] = {}
    for row in kpis.annotate(**boundaries).values(
        "pk",
        "key",
        "spc_baseline_start",
        "spc_baseline_end",
        "spc_periods",
        *boundaries,
    ):
        period_baselines = [period.get("baseline") for period in row["spc_periods"]]
        if row["tail_from"] is None or not all(period_baselines):
            # A short history, or a limit period whose baseline is its first
            # readings (found only by reading it): all of it.
            wanted |= Q(kpi_id=row["pk"])
            continue
        cut[row["pk"]] = row["key"]
        days = Q(day__gte=row["tail_from"]) | Q(day__lte=row["first_until"])
        if row["spc_baseline_start"] and row["spc_baseline_end"]:
            days |= Q(day__range=(row["spc_baseline_start"], row["spc_baseline_end"]))
        for baseline in period_baselines:
            days |= Q(day__range=(baseline["start"], baseline["end"]))
        for start, end in cycles.get(row["key"], []):
            before = row[f"before_{starts.index(start)}"]
            days |= Q(day__range=(before or start, end))
        if window.since is not None:
            # From `since` or the latest TAIL_READINGS, whichever holds more, each
            # with the readings just before it.
            if row["tail_lead_from"] is None:
                wanted |= Q(kpi_id=row["pk"])
                continue
            lead_from = row["lead_from"] or window.since
            days |= Q(day__gte=min(lead_from, row["tail_lead_from"]))
        wanted |= Q(kpi_id=row["pk"]) & days
    found = core_readings(current.filter(wanted))
    # Rule 3 reads back to the eighth value off the central line: a tail that
    # holds fewer (values on the mean itself) would not do; read all of those.
    whole = []
    for pk, key in cut.items():
        kpi = workspace.kpi_by_key.get(key)
        if kpi is None:
            continue
        kept = replace(kpi, readings=found.get(pk, ()))
        limits = kpi_process_limits(kept, as_of)
        tail = kept.readings_until(as_of)[-TAIL_READINGS:]
        if limits and sum(r.value != limits.mean for r in tail) < RUN_LENGTH:
            whole.append(pk)
    if whole:
        found.update(core_readings(current.filter(kpi_id__in=whole)))
    return found


def database_workspace(
    kpis: QuerySet[KPI] | None = None,
    *,
    readings_of: Iterable[str] | None = None,
    objectives: Collection[str] | None = None,
    known_at: dt.datetime | None = None,
    archived_kpis: bool = False,
    window: ReadingsWindow | None = None,
) -> Workspace:
    """The core workspace of what the database holds (current readings only, or
    the readings as they stood at `known_at`: see `ReadingQuerySet.known_at`; or,
    with `window`, only the current readings the rules read, so that its cost
    does not grow with the history: see `ReadingsWindow`).

    The definitions and OKRs pass the workspace rules as a file would; the
    readings were checked on their way in (`readings_check`) and are attached as
    they are: validating a long history again cost more than reading it."""
    data = workspace_data(
        kpis, readings_of=(), objectives=objectives, archived_kpis=archived_kpis
    )
    workspace = load_workspace_data(data, filename="<database>")
    chosen = KPI.objects.all() if kpis is None else kpis
    if readings_of is not None:
        chosen = chosen.filter(key__in=list(readings_of))
    with collector_paused():  # a long history: see `collector_paused`
        if window is not None:
            by_id = _windowed_readings(chosen, workspace, window)
        else:
            readings = (
                Reading.objects.current()
                if known_at is None
                else Reading.objects.known_at(known_at)
            )
            if kpis is not None or readings_of is not None:
                readings = readings.filter(kpi__in=chosen.values("pk"))
            by_id = core_readings(readings)
    key_of = dict(
        (KPI.objects.all() if kpis is None else kpis).values_list("key", "pk")
    )
    return replace(
        workspace,
        kpis=tuple(
            replace(kpi, readings=by_id[key_of[kpi.key]])
            if key_of[kpi.key] in by_id
            else kpi
            for kpi in workspace.kpis
        ),
    )


CHART_WINDOW = dt.timedelta(days=365)
"""What a KPI's chart shows unless asked for more: the last year (its cost then
stays that of a year, however long the history)."""

CHART_POINTS = 400
"""The latest readings a chart draws each of; older ones in its window are
thinned to the lowest and highest of each week (and those that end a signal)."""


def kpi_chart(kpi: KPI, as_of: dt.date, since: dt.date | None = None) -> dict[str, Any]:
    """Everything the process behaviour charts draw, computed by the core: readings
    from `since` (by default the last year, see CHART_WINDOW, or the latest
    TAIL_READINGS when the year holds fewer), thinned beyond CHART_POINTS, with
    their moving ranges; each limit period the window shows with its own mean,
    natural limits, quartile lines and upper range limit; thresholds, benchmarks,
    the signals among the readings drawn (each judged in its own period), the
    active ones and each change of process in words, the divider proposed when a
    shift has lasted, and each OKR cycle that targeted the KPI once (each KR's
    baseline → target → achieved).

    Every point drawn is a reading, so the limits hold for each; the signals and
    moving ranges are found over the unbroken readings from `since` with those
    just before it, as over the whole history. Its cost follows the window, not
    the history, but for the proposed divider (which reads the latest period)."""
    targeting = KeyResult.objects.filter(kpi_key=kpi.key).values_list(
        "objective__key", flat=True
    )
    asked = since
    since = since or as_of - CHART_WINDOW
    workspace = database_workspace(
        KPI.objects.filter(pk=kpi.pk),
        objectives=set(targeting),
        archived_kpis=True,
        window=ReadingsWindow(as_of, since=since),
    )
    core_kpi = workspace.kpi_by_key[kpi.key]
    readings = core_kpi.readings_until(as_of)
    first = bisect.bisect_left(core_kpi.reading_days, since)
    if asked is None:  # a KPI read monthly shows more than a year's dozen
        first = min(first, max(0, len(readings) - TAIL_READINGS))
    shown = readings[first:]
    # From `lead` on, the readings read are unbroken (see ReadingsWindow): the
    # window, those just before it and the latest TAIL_READINGS.
    lead = max(0, min(first, len(readings) - TAIL_READINGS) - LEAD_IN_READINGS)
    segments = limit_segments(core_kpi, as_of)
    process = _unbroken_process(
        core_kpi, readings[lead:], segments, lead, kpi_proposed_divider(kpi, as_of)
    )
    offset = first - lead
    signals = [
        (signal.last - offset, signal)
        for signal in process.signals
        if signal.last >= offset
    ]
    drawn = _chart_points(shown, {index for index, _ in signals})
    position = {index: n for n, index in enumerate(drawn)}
    thinned = len(drawn) < len(shown)
    limits = segments[-1].limits if segments else None
    unit = kpi.unit or None
    stagnating = stagnation(core_kpi, as_of)
    return {
        "dates": [shown[i].day.isoformat() for i in drawn],
        "values": [shown[i].value for i in drawn],
        "moving_ranges": [process.moving_ranges[offset + i] for i in drawn],
        "first_day": readings[0].day.isoformat() if readings else None,
        "window_start": shown[0].day.isoformat() if first and shown else None,
        "weekly_until": shown[-CHART_POINTS].day.isoformat() if thinned else None,
        "mean": limits.mean if limits else None,
        "upper": limits.upper if limits else None,
        "lower": limits.lower if limits else None,
        "upper_quartile": limits.upper_quartile if limits else None,
        "lower_quartile": limits.lower_quartile if limits else None,
        "periods": _shown_periods(readings, segments, first),
        "direction": kpi.direction,
        "thresholds": kpi.thresholds,
        "benchmarks": kpi.benchmarks,
        "unit": kpi.unit,
        "signals": [
            {"index": position[index], "rule": s.rule, "favourable": s.favourable}
            for index, s in signals
        ],
        "active": [
            {
                "rule": signal.rule,
                "favourable": signal.favourable,
                "text": signal_explanation(signal, process),
            }
            for signal in process.active
        ],
        "changes": _process_changes(segments, unit),
        "divider": divider_json(process.divider, unit),
        "cycles": _cycle_bands(
            _cycle_history(workspace, kpi.key, as_of),
            shown[0].day if shown else None,
        ),
        "stagnation": stagnating.reason if stagnating else None,
    }


def _unbroken_process(
    kpi: core.KPI,
    readings: Sequence[core.Reading],
    segments: Sequence[LimitSegment],
    lead: int,
    divider: ProposedDivider | None,
) -> ProcessChart:
    """The process chart of unbroken `readings` (those from index `lead` on of
    the KPI's read ones), each judged against the limits of its own period."""
    local = [
        replace(segment, first=max(segment.first - lead, 0), stop=segment.stop - lead)
        for segment in segments
        if segment.stop > lead
    ]
    found = period_signals(kpi, readings, local)
    return ProcessChart(
        readings=tuple(readings),
        moving_ranges=tuple(moving_ranges(readings, local)),
        periods=tuple(local),
        signals=tuple(found),
        active=tuple(active_signals(found, len(readings) - 1)),
        divider=divider,
    )


def _shown_periods(
    readings: Sequence[core.Reading], segments: Sequence[LimitSegment], first: int
) -> list[dict[str, Any]]:
    """The limit periods with a reading from index `first` on, each with its lines
    and the days its lines reach from and to (the next divider, or the latest
    reading); `from` is its divider's day (None for the first period). A period
    whose baseline holds fewer than six readings has no lines yet."""
    if not readings:
        return []
    periods = []
    for number, segment in enumerate(segments):
        if segment.stop <= first:
            continue
        following = segments[number + 1] if number + 1 < len(segments) else None
        drawn_from = readings[max(segment.first, first)].day
        periods.append(
            {
                "from": segment.start.isoformat() if segment.start else None,
                "start": max(segment.start or drawn_from, drawn_from).isoformat(),
                "end": following.start.isoformat()
                if following and following.start
                else readings[-1].day.isoformat(),
                **(limits_json(segment.limits) or {}),
            }
        )
    return periods


def _process_changes(
    segments: Sequence[LimitSegment], unit: str | None
) -> list[dict[str, Any]]:
    """Each divider's change of process in words: the mean of the period before
    it and of its own, in the KPI's unit."""
    changes = []
    for before, after in itertools.pairwise(segments):
        if after.start is None or before.limits is None or after.limits is None:
            continue
        old, new = before.limits.mean, after.limits.mean
        change = ProposedDivider(
            start=after.start,
            index=after.first,
            side=Side.ABOVE if new >= old else Side.BELOW,
            old_mean=old,
            new_mean=new,
        )
        changes.append(
            {
                "at": after.start.isoformat(),
                "old_mean": old,
                "new_mean": new,
                "text": divider_explanation(change, unit),
            }
        )
    return changes


def _cycle_history(
    workspace: Workspace, kpi_key: str, as_of: dt.date
) -> list[dict[str, Any]]:
    """The cycles that targeted the KPI (baseline → target → achieved), oldest
    first: a closed cycle's as its close froze and recorded them, so that a later
    correction of a reading does not move them; the others computed now."""
    cycles = workspace.cycle_by_key
    frozen = frozen_kpi_history(kpi_key)
    history = [
        {
            "key": entry.cycle,
            "start": cycles[entry.cycle].start.isoformat(),
            "end": cycles[entry.cycle].end.isoformat(),
            "baseline": entry.score.baseline,
            "target": plain_target(entry.target),
            "achieved": entry.achieved,
        }
        for entry in kpi_cycle_history(workspace, kpi_key, as_of)
        if entry.cycle not in frozen
    ]
    history += [
        {
            "key": key,
            "start": cycles[key].start.isoformat(),
            "end": cycles[key].end.isoformat(),
            "baseline": grade.baseline,
            "target": grade.target,
            "achieved": grade.current,
        }
        for key, grades in frozen.items()
        if key in cycles
        for grade in grades
    ]
    return sorted(history, key=lambda entry: entry["start"])


def _chart_points(readings: Sequence[core.Reading], kept: set[int]) -> list[int]:
    """The indices of the readings a chart draws: the latest CHART_POINTS, and of
    the older ones the lowest and highest of each week and those in `kept`."""
    older = len(readings) - CHART_POINTS
    if older <= 0:
        return list(range(len(readings)))
    drawn = set(kept) | set(range(older, len(readings)))
    weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index in range(older):
        weeks[readings[index].day.isocalendar()[:2]].append(index)
    for indices in weeks.values():
        drawn.add(min(indices, key=lambda i: readings[i].value))
        drawn.add(max(indices, key=lambda i: readings[i].value))
    return sorted(drawn)


def _cycle_bands(
    history: list[dict[str, Any]], first_day: dt.date | None
) -> list[dict[str, Any]]:
    """One band a cycle, for those that end on or after the first day drawn,
    starting no earlier than it: its KRs on the KPI in `key_results`, the first
    one's also on the band itself (what a band of one KR has always said)."""
    bands: dict[str, dict[str, Any]] = {}
    for entry in history:
        if first_day is not None and entry["end"] < first_day.isoformat():
            continue
        band = bands.setdefault(
            entry["key"],
            {
                "key": entry["key"],
                "start": max(entry["start"], first_day.isoformat())
                if first_day
                else entry["start"],
                "end": entry["end"],
                **{name: entry[name] for name in ("baseline", "target", "achieved")},
                "key_results": [],
            },
        )
        band["key_results"].append(
            {name: entry[name] for name in ("baseline", "target", "achieved")}
        )
    return list(bands.values())


def kpi_findings(kpi: KPI) -> QuerySet[LintFinding]:
    """The stored lint findings on a KPI, as of the last refresh."""
    return LintFinding.objects.filter(kpi_key=kpi.key)


@dataclass(frozen=True)
class PlannedObjective:
    """A draft objective of a cycle with the lint findings on it and on its KRs."""

    objective: Objective
    findings: list[LintFinding]


@dataclass(frozen=True)
class CyclePlan:
    """What planning a cycle reads: the diagnostic flow's suggestions, and the
    stored lint findings of the cycle's objectives as they stand."""

    cycle: Cycle
    suggestions: list[PlanSuggestion]
    findings: CycleFindings
    objectives: list[PlannedObjective]
    more_suggestions: bool = False


def cycle_suggestions(
    workspace: Workspace, cycle: Cycle, as_of: dt.date
) -> list[Suggestion]:
    """The KPIs worth elevating in `cycle`, ranked by the core's diagnostic flow:
    judged as of the cycle start, or of `as_of` when planning ahead of it."""
    return suggest(workspace, core_cycle(workspace, cycle), as_of)


def cycles_with_stored_suggestions(on: dt.date) -> QuerySet[Cycle]:
    """The cycles whose suggestions the refresh stores: those running or to come
    on `on`, not archived. A past cycle's plan is computed when asked for."""
    return Cycle.objects.filter(archived_at__isnull=True, end__gte=on)


def suggestion_rows(
    workspace: Workspace, cycle: Cycle, on: dt.date, kpi_ids: dict[str, int]
) -> list[PlanSuggestion]:
    """The cycle's suggestions from `workspace`, as rows to store (unsaved);
    `kpi_ids` maps KPI keys to their rows' ids."""
    rows = []
    for suggestion in cycle_suggestions(workspace, cycle, on):
        kpi = suggestion.kpi
        assessment = suggestion.assessment
        band, precedence = suggestion_rank(suggestion)
        rows.append(
            PlanSuggestion(
                cycle=cycle,
                kpi_id=kpi_ids[kpi.key],
                band=band,
                precedence=precedence,
                benchmark_gap=suggestion.benchmark_gap or 0.0,
                kind=suggestion.kind,
                title=suggestion.title,
                why=suggestion.why,
                baseline=suggestion.baseline,
                commit=plain_target(suggestion.commit_target),
                stretch=plain_target(suggestion.stretch_target),
                health=str(assessment.health),
                stale=assessment.stale,
                stagnating=suggestion.stagnation is not None,
                annual_direction=list(suggestion.annual_direction),
                draft_query=key_result_draft_query(suggestion),
                as_of=on,
            )
        )
    return rows


def suggestion_rank(suggestion: Suggestion) -> tuple[int, int]:
    """The band (0 red, 1 amber or an unfavourable signal, 2 behind its benchmark)
    and the precedence (a KPI an annual KR targets, then north star, then key,
    secondary) `suggest` ranks by."""
    assessment = suggestion.assessment
    if assessment.health is core.Health.RED:
        band = 0
    elif assessment.health is core.Health.AMBER or assessment.unfavourable_signal:
        band = 1
    else:
        band = 2
    kpi = suggestion.kpi
    tier = {core.Tier.KEY: 0, core.Tier.SECONDARY: 1}.get(kpi.tier, 2)
    annual = 0 if suggestion.annual_direction else 6
    return band, annual + (0 if kpi.north_star else 3) + tier


SUGGESTIONS_SHOWN = 50
"""Suggestions the plan page lists before "Show all": a cycle takes a handful."""


def stored_suggestions(cycle: Cycle, limit: int | None = None) -> list[PlanSuggestion]:
    """A cycle's stored suggestions with their KPIs, best first, the first `limit`
    of them (one query)."""
    rows = (
        PlanSuggestion.objects.filter(cycle=cycle)
        .select_related("kpi")
        .order_by(
            "band",
            "precedence",
            "-benchmark_gap",
            "kpi__position",
            "kpi__key",
        )
    )
    return list(rows if limit is None else rows[:limit])


def suggestions_for_cycle(
    cycle: Cycle, as_of: dt.date, limit: int | None = None
) -> list[PlanSuggestion]:
    """A cycle's suggestions, best first, the first `limit` of them: stored by the
    last refresh for a cycle running or to come (two queries), computed from one
    read of the database for a past one."""
    if cycles_with_stored_suggestions(as_of).filter(pk=cycle.pk).exists():
        return stored_suggestions(cycle, limit)
    return computed_suggestions(cycle, as_of)[:limit]


def plan_for_cycle(
    cycle: Cycle, as_of: dt.date, *, shown: int | None = SUGGESTIONS_SHOWN
) -> CyclePlan:
    """A cycle's first `shown` suggestions (all when None: stored by the last
    refresh for a cycle running or to come, computed from one read of the database
    for a past one) and the stored lint findings on the cycle, its objectives and
    their KRs."""
    suggestions = suggestions_for_cycle(
        cycle, as_of, None if shown is None else shown + 1
    )
    objectives = list(
        Objective.objects.filter(cycle=cycle)
        .select_related("team")
        .prefetch_related("key_results")
    )
    findings = cycle_findings(cycle)
    return CyclePlan(
        cycle=cycle,
        suggestions=suggestions[:shown],
        more_suggestions=shown is not None and len(suggestions) > shown,
        findings=findings,
        objectives=[
            PlannedObjective(objective, findings.by_objective.get(objective.key, []))
            for objective in objectives
        ],
    )


def computed_suggestions(cycle: Cycle, as_of: dt.date) -> list[PlanSuggestion]:
    """A cycle's suggestions computed now from the whole database, as unsaved rows
    with their KPIs (for a cycle whose suggestions are not stored)."""
    kpis = {kpi.pk: kpi for kpi in KPI.objects.all()}
    ids = {kpi.key: pk for pk, kpi in kpis.items()}
    rows = suggestion_rows(database_workspace(), cycle, as_of, ids)
    for row in rows:
        row.kpi = kpis[row.kpi_id]
    return rows


@dataclass(frozen=True)
class DraftCheck:
    """What the KR form's live check says of a draft: its lint findings, and its
    target as it would be kept (a percent change shown both ways, `+10 % → 16.5`;
    None for a target written as a level)."""

    findings: list[Finding]
    relative_target: str | None


def key_result_draft_findings(
    objective: Objective,
    draft: dict[str, Any],
    *,
    replacing: str | None,
    as_of: dt.date,
) -> DraftCheck:
    """The lint findings a draft KR would get, its own and its objective's, were it
    saved in its objective in the place of KR `replacing` (or added to it).

    Nothing is written. Raises WorkspaceError when the draft does not load.
    """
    data = workspace_data()
    for entry in data["objectives"]:
        if entry["key"] == objective.key:
            krs = entry["key_results"]
            keys = [kr["key"] for kr in krs]
            if replacing in keys:
                krs[keys.index(replacing)] = draft
            else:
                krs.append(draft)
    workspace = load_workspace_data(data, filename="draft")
    subjects = {objective.key, f"{objective.key}/{draft['key']}"}
    findings = [f for f in lint_workspace(workspace, as_of) if f.subject in subjects]
    loaded = next(
        kr
        for o in workspace.objectives
        if o.key == objective.key
        for kr in o.key_results
        if kr.key == draft["key"]
    )
    shown = (
        None
        if loaded.relative_target is None
        else format_key_result_target(loaded.target, loaded.relative_target)
    )
    return DraftCheck(findings, shown)


def key_result_hit_forecasts(
    cycles: Iterable[Cycle], as_of: dt.date | None = None
) -> dict[int, HitForecast | NoForecast]:
    """The hit forecast (`core.forecast.key_result_hit_forecast`: the KPI value
    expected at the deadline and the probability that the KR is hit) of each KR
    not archived of `cycles` that is active on `as_of` (default: today), by KR pk;
    the same number of queries for any number of KRs."""
    today = as_of or timezone.localdate()
    rows = list(
        KeyResult.objects.filter(
            objective__cycle__in=[cycle.pk for cycle in cycles],
            objective__cycle__start__lte=today,
            objective__cycle__end__gte=today,
            archived_at__isnull=True,
            objective__archived_at__isnull=True,
        ).select_related("objective")
    )
    if not rows:
        return {}
    kpi_keys = {kr.kpi_key for kr in rows}
    workspace = database_workspace(
        KPI.objects.filter(key__in=kpi_keys),
        readings_of=kpi_keys,
        objectives={kr.objective.key for kr in rows},
    )
    forecasts = workspace_forecasts(workspace, today)
    return {
        kr.pk: forecasts[kr.objective.key, kr.key]
        for kr in rows
        if (kr.objective.key, kr.key) in forecasts
    }


def active_key_result_hit_forecasts() -> dict[int, HitForecast | NoForecast]:
    """`key_result_hit_forecasts` of every cycle not archived running today."""
    today = timezone.localdate()
    running = Cycle.objects.filter(
        archived_at__isnull=True, start__lte=today, end__gte=today
    )
    return key_result_hit_forecasts(running, today)
