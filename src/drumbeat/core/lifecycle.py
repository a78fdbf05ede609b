"""The KPI lifecycle: where a KPI stands between monitoring and improvement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drumbeat.core.health import KPIAssessment
from drumbeat.core.model import Cycle, CycleStatus, Health, Lifecycle, Workspace
from drumbeat.core.scoring import KeyResultScore, key_result_score, reaches


def active_cycles(workspace: Workspace, as_of: dt.date) -> list[Cycle]:
    return [c for c in workspace.cycles if c.status(as_of) is CycleStatus.ACTIVE]


def most_recently_closed(workspace: Workspace, as_of: dt.date) -> list[Cycle]:
    """The closed cycles with the latest end date (several may end together)."""
    closed = [c for c in workspace.cycles if c.status(as_of) is CycleStatus.CLOSED]
    if not closed:
        return []
    last_end = max(c.end for c in closed)
    return [c for c in closed if c.end == last_end]


def targeted_kpis(workspace: Workspace, cycles: list[Cycle]) -> set[str]:
    """Keys of the KPIs that a KR of one of `cycles` measures."""
    keys = {c.key for c in cycles}
    return {
        kr.kpi
        for objective in workspace.objectives
        if objective.cycle in keys
        for kr in objective.key_results
    }


@dataclass(frozen=True, slots=True)
class Completion:
    """A KR that reached its target in the last closed cycle, and the level reached.

    The level is the proposed new maintenance threshold of the KPI.
    """

    cycle: str
    objective: str
    key_result: KeyResultScore

    @property
    def level_reached(self) -> float | None:
        current = self.key_result.current
        return current.value if current else None


def completions(workspace: Workspace, as_of: dt.date) -> dict[str, Completion]:
    """By KPI key: a KR of the most recently closed cycle that scored 1.0."""
    found: dict[str, Completion] = {}
    for cycle in most_recently_closed(workspace, as_of):
        for objective in workspace.objectives_in(cycle.key):
            for kr in objective.key_results:
                kpi = workspace.kpi_by_key.get(kr.kpi)
                if kpi is None or kr.kpi in found:
                    continue
                scored = key_result_score(kr, kpi, cycle, as_of)
                if reaches(scored.score, 1.0):
                    found[kr.kpi] = Completion(cycle.key, objective.key, scored)
    return found


def kpi_lifecycle(
    assessment: KPIAssessment, *, targeted_now: bool, completed: bool
) -> Lifecycle:
    """`okr_target`, else `completed`, else `at_risk` on amber, red or an
    unfavourable signal, else `watch`."""
    if targeted_now:
        return Lifecycle.OKR_TARGET
    if completed:
        return Lifecycle.COMPLETED
    if (
        assessment.health in (Health.AMBER, Health.RED)
        or assessment.unfavourable_signal
    ):
        return Lifecycle.AT_RISK
    return Lifecycle.WATCH
