"""Closes made in tests, until the close service lands: a `CycleClose` with its
`FinalGrade` rows from the core's close computation, as the close page freezes
them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from drumbeat.core.close import close_cycle
from drumbeat.core.display import grade_text
from drumbeat.okrs.models import Cycle, CycleClose, FinalGrade, Objective
from drumbeat.scorecard.selectors import database_workspace


def cycle_closed(
    key: str, *, by: User | None, at: dt.datetime | None = None
) -> CycleClose:
    """Close cycle `key` as `by`, at `at` (now by default), freezing its grades."""
    cycle = Cycle.objects.get(key=key)
    workspace = database_workspace()
    closed = close_cycle(workspace, workspace.cycle_by_key[key])
    close = CycleClose.objects.create(
        cycle=cycle,
        closed_at=at or timezone.now(),
        closed_by=by,
        graded_as_of=cycle.end + dt.timedelta(days=1),
    )
    rows = {o.key: o for o in Objective.objects.filter(cycle=cycle)}
    grades: list[FinalGrade] = []
    for status in closed.objectives:
        objective = rows[status.objective.key]
        grades.append(
            FinalGrade(
                close=close,
                objective=objective,
                objective_key=objective.key,
                title=objective.title,
                commitment=objective.commitment,
                score=status.score,
                grade=grade_text(status.score) or "",
                outcome=str(status.outcome or ""),
                position=len(grades),
            )
        )
        for scored in status.key_results:
            grades.append(
                FinalGrade(
                    close=close,
                    objective=objective,
                    key_result=objective.key_results.get(key=scored.key),
                    objective_key=objective.key,
                    key_result_key=scored.key,
                    title=scored.key,
                    kpi_key=scored.kpi,
                    kind=str(scored.kind),
                    baseline=scored.baseline,
                    current=scored.current.value if scored.current else None,
                    progress=scored.progress,
                    score=scored.score,
                    grade=grade_text(scored.score) or "",
                    position=len(grades),
                )
            )
    FinalGrade.objects.bulk_create(grades)
    return close
