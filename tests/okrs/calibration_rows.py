"""A closed cycle built row by row for the calibration tests: `count` KRs of the
support team's committed objective, each checked in on by `by`, graded by a
standing close (the first `hits` of them hit, at 1.0; the others at 0.5)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from drumbeat.accounts.models import Team
from drumbeat.okrs.models import (
    CheckIn,
    Cycle,
    CycleClose,
    FinalGrade,
    KeyResult,
    Objective,
)


def closed_cycle_with_check_ins(
    *, count: int, hits: int, by: User, confidence: float = 0.8, key: str = "2026-Q3"
) -> Cycle:
    team, _ = Team.objects.get_or_create(key="support", defaults={"name": "Support"})
    cycle = Cycle.objects.create(
        key=key, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30)
    )
    objective = Objective.objects.create(
        key=f"{key}-happier",
        title="Happier customers",
        cycle=cycle,
        team=team,
        team_name=team.name,
        commitment="committed",
    )
    close = CycleClose.objects.create(
        cycle=cycle, closed_at=timezone.now(), graded_as_of=dt.date(2026, 10, 1)
    )
    for index in range(count):
        kr = KeyResult.objects.create(
            objective=objective, key=f"kr{index}", kpi_key="csat", target=95
        )
        CheckIn.objects.create(
            key_result=kr,
            at=dt.date(2026, 8, 1),
            by=by,
            by_name=by.username,
            confidence=confidence,
        )
        # A check-in after the cycle's end does not count.
        CheckIn.objects.create(
            key_result=kr, at=dt.date(2026, 10, 2), by=by, confidence=0.0
        )
        FinalGrade.objects.create(
            close=close,
            objective=objective,
            key_result=kr,
            objective_key=objective.key,
            key_result_key=kr.key,
            title=kr.key,
            team_name=team.name,
            commitment="committed",
            kpi_key="csat",
            score=1.0 if index < hits else 0.5,
        )
    return cycle
