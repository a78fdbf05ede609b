"""Closes for the report's tests, until the close service lands (`cycle_close`):
the final grades of `core.close.close_cycle` stored as a close would store them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from drumbeat.core.close import close_cycle
from drumbeat.core.contract import plain_target
from drumbeat.core.display import grade_text
from drumbeat.okrs.models import Cycle, CycleClose, FinalGrade
from drumbeat.scorecard.selectors import database_workspace


def close_for_test(cycle: Cycle, by: User | None = None) -> CycleClose:
    """Close `cycle` now, its final grades frozen (no corrective choices)."""
    workspace = database_workspace()
    closed = close_cycle(workspace, workspace.cycle_by_key[cycle.key])
    close = CycleClose.objects.create(
        cycle=cycle,
        closed_at=timezone.now(),
        closed_by=by,
        graded_as_of=closed.cycle.end + dt.timedelta(days=1),
    )
    rows = []
    for status in closed.objectives:
        objective = status.objective
        common = {"close": close, "objective_key": objective.key}
        rows.append(
            FinalGrade(
                **common,
                title=objective.title,
                team_name=objective.team or "",
                commitment=str(objective.commitment),
                score=status.score,
                grade=grade_text(status.score) or "",
                outcome=str(status.outcome or ""),
            )
        )
        for scored in status.key_results:
            rows.append(
                FinalGrade(
                    **common,
                    key_result_key=scored.key,
                    title=scored.key,
                    kpi_key=scored.kpi,
                    kind=str(scored.kind),
                    baseline=scored.baseline,
                    target=plain_target(scored.target),
                    current=scored.current.value if scored.current else None,
                    progress=scored.progress,
                    score=scored.score,
                    grade=grade_text(scored.score) or "",
                )
            )
    for position, row in enumerate(rows):
        row.position = position
    FinalGrade.objects.bulk_create(rows)
    return close
