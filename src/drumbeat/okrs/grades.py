"""Frozen grades: a closed cycle's final grades as its close froze them
(`FinalGrade`), each with its restatement when the score computed now from the
readings differs, and why (a reading corrected, or a late one, after the close).

One selector for every surface (the pages, the exports, the API, the board report):
`frozen_grades(cycle)`, or `cycles_frozen_grades(cycles)` for several, each in a
constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from drumbeat.core.display import format_frozen_score, grade_text, score_restated
from drumbeat.kpis.models import Reading
from drumbeat.okrs.models import Cycle, CycleClose, FinalGrade, KeyResult, Objective


@dataclass(frozen=True, slots=True)
class FinalScore:
    """A score as the close froze it."""

    score: float | None
    grade: str | None
    outcome: str | None
    """An objective's: met or missed (committed), success or fell_short."""
    frozen_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Restatement:
    """The score computed now, when it differs from the final one, and why."""

    score: float | None
    grade: str | None
    because: str
    """"nps corrected on 2026-11-30 by admin", "a late nps reading on ..."."""


@dataclass(frozen=True, slots=True)
class FrozenGrade:
    """An objective's or a KR's final grade, and its restatement or None."""

    final: FinalScore
    restated: Restatement | None = None

    def describe(self) -> str:
        """`final 35 %`, or `final 35 % · restated 70 % (nps corrected on
        2026-11-30 by admin)`."""
        restated = self.restated
        return format_frozen_score(
            self.final.score,
            None if restated is None else (restated.score, restated.because),
        )


@dataclass(frozen=True)
class FrozenGrades:
    """A cycle's frozen grades: empty (`close` None) unless the cycle is closed.
    Objectives by key; KRs by (objective key, KR key)."""

    close: CycleClose | None = None
    objectives: Mapping[str, FrozenGrade] = field(default_factory=dict)
    key_results: Mapping[tuple[str, str], FrozenGrade] = field(default_factory=dict)

    @property
    def frozen(self) -> bool:
        return self.close is not None

    def objective(self, key: str) -> FrozenGrade | None:
        return self.objectives.get(key)

    def key_result(self, objective_key: str, key: str) -> FrozenGrade | None:
        return self.key_results.get((objective_key, key))


RECOMPUTED = "recomputed since the close"
"""Why a score moved when no reading changed after the close (its definition
did before closed cycles became read-only)."""


def frozen_grades(cycle: Cycle) -> FrozenGrades:
    """The cycle's frozen grades and restatements (five queries at most)."""
    return cycles_frozen_grades([cycle])[cycle.pk]


def cycles_frozen_grades(cycles: Iterable[Cycle]) -> dict[int, FrozenGrades]:
    """By cycle pk, each cycle's frozen grades: five queries whatever the number
    of cycles, objectives and KRs (one when none is closed)."""
    cycles = list(cycles)
    closes = {
        close.cycle_id: close
        for close in CycleClose.objects.filter(
            cycle__in=cycles, reopened_at__isnull=True
        ).select_related("cycle")
    }
    found = {cycle.pk: FrozenGrades() for cycle in cycles}
    if not closes:
        return found
    grades = list(
        FinalGrade.objects.filter(close__in=closes.values()).order_by("position")
    )
    closed = [close.cycle_id for close in closes.values()]
    live_objectives = dict(
        Objective.objects.filter(cycle__in=closed).values_list("key", "score")
    )
    live_key_results = {
        (objective, key): score
        for objective, key, score in KeyResult.objects.filter(
            objective__cycle__in=closed
        ).values_list("objective__key", "key", "score")
    }
    because = _changes_since_close(list(closes.values()))
    by_close: dict[
        int, tuple[dict[str, FrozenGrade], dict[tuple[str, str], FrozenGrade]]
    ]
    by_close = {close.pk: ({}, {}) for close in closes.values()}
    kpis_of: dict[tuple[int, str], list[str]] = {}
    for grade in grades:
        if grade.key_result_key:
            kpis_of.setdefault((grade.close_id, grade.objective_key), []).append(
                grade.kpi_key
            )
    closes_by_pk = {close.pk: close for close in closes.values()}
    for grade in grades:
        close = closes_by_pk[grade.close_id]
        reasons = {
            kpi: because[(close.pk, kpi)]
            for kpi in kpis_of.get((close.pk, grade.objective_key), [])
            if (close.pk, kpi) in because
        }
        objectives, key_results = by_close[close.pk]
        if grade.key_result_key:
            ident = (grade.objective_key, grade.key_result_key)
            live = live_key_results.get(ident, grade.score)
            mine = [reasons[grade.kpi_key]] if grade.kpi_key in reasons else []
            key_results[ident] = _frozen_grade(grade, close, live, mine)
        else:
            live = live_objectives.get(grade.objective_key, grade.score)
            objectives[grade.objective_key] = _frozen_grade(
                grade, close, live, list(reasons.values())
            )
    for cycle_id, close in closes.items():
        objectives, key_results = by_close[close.pk]
        found[cycle_id] = FrozenGrades(close, objectives, key_results)
    return found


def _frozen_grade(
    grade: FinalGrade, close: CycleClose, live: float | None, reasons: list[str]
) -> FrozenGrade:
    """A final grade, restated when the `live` score differs, because of
    `reasons` (the KPIs' changes since the close)."""
    final = FinalScore(
        grade.score, grade.grade or None, grade.outcome or None, close.closed_at
    )
    if not score_restated(grade.score, live):
        return FrozenGrade(final)
    because = "; ".join(dict.fromkeys(reasons)) or RECOMPUTED
    return FrozenGrade(final, Restatement(live, grade_text(live), because))


def _changes_since_close(closes: list[CycleClose]) -> dict[tuple[int, str], str]:
    """By (close pk, KPI key), why the KPI's readings up to the cycle's end changed
    after the close: the latest such reading, a correction when it superseded one
    recorded before the close, else a late reading (one query)."""
    measured = FinalGrade.objects.filter(close__in=closes).exclude(kpi_key="")
    touched = Q()
    for close in closes:
        touched |= Q(
            kpi__key__in=measured.filter(close=close).values("kpi_key"),
            day__lte=close.cycle.end,
        ) & (Q(recorded_at__gt=close.closed_at) | Q(superseded_at__gt=close.closed_at))
    readings = list(
        Reading.objects.filter(touched)
        .select_related("kpi", "recorded_by")
        .order_by("recorded_at", "pk")
    )
    found: dict[tuple[int, str], str] = {}
    for close in closes:
        corrected = {
            (r.kpi_id, r.at)
            for r in readings
            if r.recorded_at <= close.closed_at
            and r.superseded_at is not None
            and r.superseded_at > close.closed_at
        }
        for reading in readings:
            if (
                reading.superseded_at is not None
                or reading.recorded_at <= close.closed_at
            ):
                continue
            if reading.day > close.cycle.end:
                continue
            who = (
                reading.recorded_by.get_full_name()
                or reading.recorded_by.get_username()
                if reading.recorded_by
                else reading.source
            )
            day = timezone.localtime(reading.recorded_at).date().isoformat()
            kpi = reading.kpi.key
            found[(close.pk, kpi)] = (
                f"{kpi} corrected on {day} by {who}"
                if (reading.kpi_id, reading.at) in corrected
                else f"a late {kpi} reading on {day} by {who}"
            )
    return found
