"""The state of a whole workspace on a date: every KPI's status, every OKR's score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from drumbeat.core.forecast import KeyResultForecasts, workspace_forecasts
from drumbeat.core.health import KPIAssessment, assess_kpi
from drumbeat.core.lifecycle import (
    Completion,
    active_cycles,
    completions,
    kpi_lifecycle,
    targeted_kpis,
)
from drumbeat.core.model import Cycle, Grade, Lifecycle, Objective, Workspace
from drumbeat.core.scoring import (
    KeyResultScore,
    Outcome,
    grade,
    key_result_score,
    objective_outcome,
    objective_score,
)


@dataclass(frozen=True, slots=True)
class KPIStatus:
    assessment: KPIAssessment
    lifecycle: Lifecycle
    completion: Completion | None
    """Set when the KPI is `completed`: the KR that reached its target."""


@dataclass(frozen=True, slots=True)
class ObjectiveStatus:
    objective: Objective
    cycle: Cycle
    key_results: tuple[KeyResultScore, ...]
    score: float | None
    outcome: Outcome | None

    @property
    def grade(self) -> Grade | None:
        return grade(self.score)


@dataclass(frozen=True, slots=True)
class WorkspaceStatus:
    as_of: dt.date
    kpis: tuple[KPIStatus, ...]
    objectives: tuple[ObjectiveStatus, ...]
    forecasts: KeyResultForecasts = field(default_factory=dict)
    """The hit forecasts of the active cycles' KRs, by (objective, KR) key."""


def kpi_statuses(workspace: Workspace, as_of: dt.date) -> tuple[KPIStatus, ...]:
    """Health, staleness, signals and lifecycle of every KPI, in dictionary order."""
    targeted = targeted_kpis(workspace, active_cycles(workspace, as_of))
    completed = completions(workspace, as_of)
    statuses = []
    for kpi in workspace.kpis:
        completion = None if kpi.key in targeted else completed.get(kpi.key)
        assessment = assess_kpi(kpi, as_of)
        lifecycle = kpi_lifecycle(
            assessment, targeted_now=kpi.key in targeted, completed=bool(completion)
        )
        statuses.append(KPIStatus(assessment, lifecycle, completion))
    return tuple(statuses)


def objective_status(
    workspace: Workspace, objective: Objective, as_of: dt.date
) -> ObjectiveStatus:
    cycle = workspace.cycle_by_key[objective.cycle]
    scores = tuple(
        key_result_score(kr, workspace.kpi_by_key.get(kr.kpi), cycle, as_of)
        for kr in objective.key_results
    )
    score = objective_score(scores)
    return ObjectiveStatus(
        objective=objective,
        cycle=cycle,
        key_results=scores,
        score=score,
        outcome=objective_outcome(objective, score, cycle, as_of),
    )


def workspace_status(workspace: Workspace, as_of: dt.date) -> WorkspaceStatus:
    return WorkspaceStatus(
        as_of=as_of,
        kpis=kpi_statuses(workspace, as_of),
        objectives=tuple(
            objective_status(workspace, objective, as_of)
            for objective in workspace.objectives
        ),
        forecasts=workspace_forecasts(workspace, as_of),
    )
