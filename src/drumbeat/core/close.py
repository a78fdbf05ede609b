"""The corrective flow (OKR → KPI): what a cycle's close hands back to the KPIs.

At close each KR is graded for good, from the readings up to its deadline. Its KPI
gets a new baseline (the latest reading by the cycle end); a KPI whose KR reached
its target returns to monitoring with a proposed maintenance threshold at the level
reached; a transient KPI waits for a keep-or-retire decision. Each KPI keeps the
cycle in its history (baseline → target → achieved), so that movements over
several cycles can be traced to the OKRs behind them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from drumbeat.core.model import Cycle, Target, Tier, Workspace
from drumbeat.core.scoring import KeyResultScore, key_result_score, reaches
from drumbeat.core.status import ObjectiveStatus, objective_status


@dataclass(frozen=True, slots=True)
class KeyResultClose:
    """One KR at its cycle's close, and what it hands back to its KPI."""

    cycle: str
    objective: str
    score: KeyResultScore
    new_baseline: float | None
    """The KPI's latest reading on or before the cycle end."""

    @property
    def kpi(self) -> str:
        return self.score.kpi

    @property
    def target(self) -> Target:
        return self.score.target

    @property
    def achieved(self) -> float | None:
        return self.score.current.value if self.score.current else None

    @property
    def reached(self) -> bool:
        return reaches(self.score.score, 1.0)

    @property
    def proposed_threshold(self) -> float | None:
        """A completed KPI's new maintenance threshold: the level reached."""
        return self.achieved if self.reached else None


@dataclass(frozen=True, slots=True)
class CycleClose:
    cycle: Cycle
    objectives: tuple[ObjectiveStatus, ...]
    """Final grades, frozen as of the day after the cycle end."""
    key_results: tuple[KeyResultClose, ...]
    transient_kpis: tuple[str, ...]
    """Transient KPIs the cycle measured: keep them in the KPI system or retire."""

    @property
    def completed_kpis(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(kr.kpi for kr in self.key_results if kr.reached))


def close_cycle(workspace: Workspace, cycle: Cycle) -> CycleClose:
    """The close of `cycle`: final grades and each KR's hand-back to its KPI."""
    closed_on = (
        cycle.end + dt.timedelta(days=1) if cycle.end < dt.date.max else cycle.end
    )
    objectives = tuple(
        objective_status(workspace, objective, closed_on)
        for objective in workspace.objectives_in(cycle.key)
    )
    key_results = []
    transient: dict[str, None] = {}
    for status in objectives:
        for scored in status.key_results:
            kpi = workspace.kpi_by_key.get(scored.kpi)
            if kpi is not None and kpi.tier is Tier.TRANSIENT:
                transient[kpi.key] = None
            latest = kpi.latest_until(cycle.end) if kpi else None
            key_results.append(
                KeyResultClose(
                    cycle=cycle.key,
                    objective=status.objective.key,
                    score=scored,
                    new_baseline=latest.value if latest else None,
                )
            )
    return CycleClose(cycle, objectives, tuple(key_results), tuple(transient))


def kpi_cycle_history(
    workspace: Workspace, kpi_key: str, as_of: dt.date
) -> list[KeyResultClose]:
    """Every KR on a KPI in cycles that have started by `as_of`, oldest first:
    baseline → target → achieved (so far, for a cycle still running)."""
    history = []
    for cycle in sorted(workspace.cycles, key=lambda c: c.start):
        if cycle.start > as_of:
            continue
        kpi = workspace.kpi_by_key.get(kpi_key)
        for objective in workspace.objectives_in(cycle.key):
            for kr in objective.key_results:
                if kr.kpi != kpi_key:
                    continue
                latest = kpi.latest_until(min(cycle.end, as_of)) if kpi else None
                history.append(
                    KeyResultClose(
                        cycle=cycle.key,
                        objective=objective.key,
                        score=key_result_score(kr, kpi, cycle, as_of),
                        new_baseline=latest.value if latest else None,
                    )
                )
    return history
