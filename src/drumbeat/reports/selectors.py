"""The board report of a cycle, read from the same definitions as every page: the
KPIs assessed by `drumbeat.core` on the workspace the database holds, the frozen
final grades of a closed cycle (`FinalGrade`), else the scores as they stand.

A closed cycle's report reads what stood at its close: the grades frozen then and
the readings known then (`ReadingQuerySet.known_at`), so that it says the same
whenever it is made, whatever was corrected since."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Q
from django.utils import timezone

from drumbeat.core import model as core
from drumbeat.core.attribution import (
    KPICycleAttribution,
    Movement,
    cycle_verdicts,
    moved_beyond_noise,
    year_movement,
)
from drumbeat.core.contract import plain_target
from drumbeat.core.cycles import CycleStanding
from drumbeat.core.display import grade_text, measure_decimals
from drumbeat.core.health import assess_kpi
from drumbeat.core.status import objective_status
from drumbeat.kpis.models import KPI
from drumbeat.okrs.calibration import CycleCalibration, cycle_calibration
from drumbeat.okrs.models import Cycle, CycleClose, Objective, Retrospective
from drumbeat.okrs.selectors import cycle_standing, cycle_standing_close
from drumbeat.reports.charts import Sparkline, sparkline
from drumbeat.reports.models import ReportCommentary
from drumbeat.scorecard.selectors import core_cycle as core_cycle_of
from drumbeat.scorecard.selectors import database_workspace

SPARKLINE_DAYS = 366
"""A sparkline shows the year to the report's date."""


@dataclass(frozen=True)
class KPIRow:
    """A KPI as the report shows it on its date."""

    key: str
    name: str
    unit: str
    owner: str
    perspective: str
    tier: str
    north_star: bool
    value: float | None
    health: str
    stale: bool
    over_cycle: KPICycleAttribution
    """Its movement over the cycle and attribution's verdict on it."""
    year: Movement
    chart: Sparkline | None
    decimals: int | None = None
    """Those of its readings, which its value shows."""


@dataclass(frozen=True)
class GradeRow:
    """A key result's grade: final (frozen at close) or as it stands."""

    objective_key: str
    key: str
    title: str
    kpi_key: str
    baseline: float | None
    achieved: float | None
    target: Any
    score: float | None
    grade: str
    decimals: int | None = None
    """Those of its KPI's readings, which its baseline, achieved value and target
    show."""
    relative_target: float | None = None
    """The percent change the target was set as (shown `+10 % → 16.5`); None for
    a level, and in a closed cycle's frozen grades, which keep the level only."""


@dataclass(frozen=True)
class ObjectiveRow:
    key: str
    title: str
    team: str
    commitment: str
    score: float | None
    grade: str
    outcome: str
    key_results: list[GradeRow]
    retrospective: str
    """One line: the first of what happened (else of what was learned)."""


@dataclass(frozen=True)
class KPIWithOKRs:
    """A KPI and the cycle's key results on it: the OKRs behind a movement beyond
    its noise, or what is being done about a red KPI."""

    kpi: KPIRow
    key_results: list[GradeRow]


@dataclass(frozen=True)
class BoardReport:
    cycle: Cycle
    standing: CycleStanding
    close: CycleClose | None
    as_of: dt.date
    """The day the KPIs are read as of: the cycle end, or today while it runs."""
    dated: dt.date
    """The report's date: the close's day for a closed cycle, else today."""
    north_star: list[KPIRow]
    perspectives: list[tuple[str, list[KPIRow]]]
    objectives: list[ObjectiveRow]
    summary: str
    moved: list[KPIWithOKRs]
    """The KPIs that moved beyond their noise during the cycle, by attribution's
    rule (`core.attribution.moved_beyond_noise`)."""
    exceptions: list[KPIWithOKRs]
    """The red KPIs."""
    commentary: dict[str, ReportCommentary] = field(default_factory=dict)
    calibration: CycleCalibration | None = None
    """A closed cycle's confidence calibration (None while it runs)."""

    @property
    def final(self) -> bool:
        """The grades are the frozen final ones."""
        return self.close is not None


def board_report(cycle: Cycle, today: dt.date | None = None) -> BoardReport:
    """Everything the report of `cycle` shows, in a number of queries that does
    not grow with the KPIs, the objectives or the readings."""
    today = today or timezone.localdate()
    close = cycle_standing_close(cycle)
    known_at = close.closed_at if close else None
    dated = timezone.localdate(close.closed_at) if close else today
    as_of = min(cycle.end, dated)
    objective_keys = set(
        Objective.objects.filter(cycle=cycle, archived_at__isnull=True).values_list(
            "key", flat=True
        )
    )
    workspace = database_workspace(
        _kpis_standing(known_at),
        objectives=objective_keys,
        known_at=known_at,
        archived_kpis=True,  # those archived after the close, chosen here
    )
    core_cycle = core_cycle_of(workspace, cycle)
    decimals = {
        kpi.key: measure_decimals(reading.value for reading in kpi.readings)
        for kpi in workspace.kpis
    }
    verdicts = cycle_verdicts(workspace, core_cycle, as_of)
    kpi_rows = {
        kpi.key: replace(
            _kpi_row(kpi, core_cycle, as_of, verdicts[kpi.key]),
            decimals=decimals[kpi.key],
        )
        for kpi in workspace.kpis
    }
    retrospectives = _retrospectives(cycle)
    objectives = (
        _final_objectives(close, retrospectives, decimals)
        if close
        else _current_objectives(workspace, core_cycle, today, retrospectives, decimals)
    )
    by_kpi: dict[str, list[GradeRow]] = defaultdict(list)
    for objective in objectives:
        for kr in objective.key_results:
            by_kpi[kr.kpi_key].append(kr)
    key_rows = [row for row in kpi_rows.values() if row.north_star or _is_key(row)]
    perspectives: dict[str, list[KPIRow]] = {p.value: [] for p in core.Perspective}
    for row in key_rows:
        if not row.north_star:
            perspectives.setdefault(row.perspective or "other", []).append(row)
    moved_keys = [key for key in kpi_rows if key in by_kpi or _is_key(kpi_rows[key])]
    return BoardReport(
        calibration=cycle_calibration(cycle.key) if close else None,
        cycle=cycle,
        standing=cycle_standing(cycle, today),
        close=close,
        as_of=as_of,
        dated=dated,
        north_star=[row for row in key_rows if row.north_star],
        perspectives=[(name, rows) for name, rows in perspectives.items() if rows],
        objectives=objectives,
        summary=retrospectives.get(None, ""),
        moved=[
            KPIWithOKRs(kpi_rows[key], by_kpi.get(key, []))
            for key in moved_keys
            if moved_beyond_noise(kpi_rows[key].over_cycle.outcome)
        ],
        exceptions=[
            KPIWithOKRs(row, by_kpi.get(row.key, []))
            for row in kpi_rows.values()
            if row.health == str(core.Health.RED)
        ],
        commentary={
            c.section: c
            for c in ReportCommentary.objects.filter(cycle=cycle).select_related(
                "updated_by"
            )
        },
    )


def _kpis_standing(known_at: dt.datetime | None) -> Any:
    """The KPIs the report reads: those not archived (by `known_at`, for a closed
    cycle: archiving after the close leaves its report as it was)."""
    if known_at is None:
        return KPI.objects.filter(archived_at__isnull=True)
    return KPI.objects.filter(Q(archived_at__isnull=True) | Q(archived_at__gt=known_at))


def _is_key(row: KPIRow) -> bool:
    return row.tier == str(core.Tier.KEY)


def _kpi_row(
    kpi: core.KPI, cycle: core.Cycle, as_of: dt.date, over_cycle: KPICycleAttribution
) -> KPIRow:
    assessment = assess_kpi(kpi, as_of)
    year = [
        r
        for r in kpi.readings_until(as_of)
        if r.day > as_of - dt.timedelta(days=SPARKLINE_DAYS)
    ]
    return KPIRow(
        key=kpi.key,
        name=kpi.name,
        unit=kpi.unit or "",
        owner=kpi.owner or "",
        perspective=str(kpi.perspective or ""),
        tier=str(kpi.tier),
        north_star=kpi.north_star,
        value=assessment.latest.value if assessment.latest else None,
        health=str(assessment.health),
        stale=assessment.stale,
        over_cycle=over_cycle,
        year=year_movement(kpi, as_of),
        chart=sparkline(year, cycle.start),
    )


def _retrospectives(cycle: Cycle) -> dict[str | None, str]:
    """By objective key (None: the cycle's summary), one line of each."""
    return {
        objective_key: _first_line(happened) or _first_line(learned)
        for objective_key, happened, learned in Retrospective.objects.filter(
            cycle=cycle
        ).values_list("objective__key", "happened", "learned")
    }


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _final_objectives(
    close: CycleClose,
    retrospectives: dict[str | None, str],
    decimals: dict[str, int],
) -> list[ObjectiveRow]:
    """The objectives as frozen at the close, in the snapshot's order."""
    rows: dict[str, dict[str, Any]] = {}
    key_results: dict[str, list[GradeRow]] = defaultdict(list)
    for grade in close.grades.all():
        if grade.key_result_key:
            key_results[grade.objective_key].append(
                GradeRow(
                    objective_key=grade.objective_key,
                    key=grade.key_result_key,
                    title=grade.title,
                    kpi_key=grade.kpi_key,
                    baseline=grade.baseline,
                    achieved=grade.current,
                    target=grade.target,
                    score=grade.score,
                    grade=grade.grade,
                    decimals=decimals.get(grade.kpi_key),
                )
            )
        else:
            rows[grade.objective_key] = {
                "key": grade.objective_key,
                "title": grade.title,
                "team": grade.team_name,
                "commitment": grade.commitment,
                "score": grade.score,
                "grade": grade.grade,
                "outcome": grade.outcome,
            }
    return [
        ObjectiveRow(
            **row,
            key_results=key_results[key],
            retrospective=retrospectives.get(key, ""),
        )
        for key, row in rows.items()
    ]


def _current_objectives(
    workspace: core.Workspace,
    cycle: core.Cycle,
    today: dt.date,
    retrospectives: dict[str | None, str],
    decimals: dict[str, int],
) -> list[ObjectiveRow]:
    """The objectives scored as they stand today, by the core's rules."""
    teams = {team.key: team.name for team in workspace.teams}
    rows = []
    for objective in workspace.objectives_in(cycle.key):
        status = objective_status(workspace, objective, today)
        titles = {kr.key: kr.title or kr.key for kr in objective.key_results}
        rows.append(
            ObjectiveRow(
                key=objective.key,
                title=objective.title,
                team=teams.get(objective.team or "", objective.team or ""),
                commitment=str(objective.commitment),
                score=status.score,
                grade=grade_text(status.score) or "",
                outcome=str(status.outcome or ""),
                key_results=[
                    GradeRow(
                        objective_key=objective.key,
                        key=scored.key,
                        title=titles[scored.key],
                        kpi_key=scored.kpi,
                        baseline=scored.baseline,
                        achieved=scored.current.value if scored.current else None,
                        target=plain_target(scored.target),
                        score=scored.score,
                        grade=grade_text(scored.score) or "",
                        decimals=decimals.get(scored.kpi),
                        relative_target=scored.relative_target,
                    )
                    for scored in status.key_results
                ],
                retrospective=retrospectives.get(objective.key, ""),
            )
        )
    return rows
