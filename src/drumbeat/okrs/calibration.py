"""Confidence calibration read from the database: each check-in's stated
confidence on a KR of a closed cycle against whether the close graded it hit
(`core.calibration`; docs/calibration.md), and who may see a person's.

Everyone signed in sees a cycle's and a team's calibration. A person's is seen by
the person, by admins, and by the editors (the leads) of a team whose KRs the
person checked in on."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q

from drumbeat.accounts.models import Membership
from drumbeat.accounts.selectors import AnyUser, person_display_name
from drumbeat.common.guards import is_admin
from drumbeat.core.calibration import (
    Calibration,
    CheckInConfidence,
    TooFewResolved,
    calibration,
    statements,
)
from drumbeat.core.forecast import hit_level
from drumbeat.core.model import Commitment
from drumbeat.core.scoring import reaches
from drumbeat.okrs.models import CheckIn, FinalGrade

EVERYONE = "Everyone"


@dataclass(frozen=True, slots=True)
class ResolvedCheckIn:
    """A check-in's confidence on a KR whose cycle's close graded it."""

    key_result: str
    confidence: float
    hit: bool
    cycle: str
    team: str
    """The team's key ("" when the objective has no team)."""
    team_name: str
    person: str
    """The person's username, or the name written on the check-in."""
    person_name: str


@dataclass(frozen=True, slots=True)
class Group:
    """A cycle, team or person and its calibration."""

    key: str
    name: str
    found: Calibration | TooFewResolved

    @property
    def shown(self) -> Calibration | None:
        """The calibration, or None while there are too few resolved KRs."""
        return self.found if isinstance(self.found, Calibration) else None

    @property
    def chart(self) -> str:
        """The reliability chart's data for `calibration.js` (a data-* attribute):
        per band its label, count, mean stated confidence and share hit."""
        shown = self.shown
        return json.dumps(
            {
                "name": self.name,
                "bands": [
                    {
                        "label": band.label,
                        "low": band.low,
                        "high": band.high,
                        "count": band.count,
                        "confidence": band.mean_confidence,
                        "hit": band.share_hit,
                    }
                    for band in (shown.bands if shown else ())
                ],
            }
        )


@dataclass(frozen=True)
class CalibrationReport:
    """The calibration of the chosen scope (cycle, team and person, each optional),
    and within it one per cycle, team and person (the people the reader may see)."""

    overall: Group
    cycles: list[Group]
    teams: list[Group]
    people: list[Group]
    cycle_choices: list[tuple[str, str]]
    team_choices: list[tuple[str, str]]
    person_choices: list[tuple[str, str]]


def resolved_check_ins(
    cycle_keys: Iterable[str] | None = None,
) -> list[ResolvedCheckIn]:
    """Every check-in with a confidence on a KR graded by a standing close (of
    `cycle_keys` when given), stated by the end of its cycle; two queries."""
    grades = FinalGrade.objects.filter(
        close__reopened_at__isnull=True,
        key_result__isnull=False,
        score__isnull=False,
    ).exclude(key_result_key="")
    if cycle_keys is not None:
        grades = grades.filter(close__cycle__key__in=list(cycle_keys))
    graded = {
        row["key_result_id"]: row
        for row in grades.values(
            "key_result_id",
            "score",
            "commitment",
            "team_name",
            "objective__team__key",
            "close__cycle__key",
            "close__cycle__end",
        )
    }
    if not graded:
        return []
    check_ins = (
        CheckIn.objects.filter(
            key_result_id__in=list(graded),
            archived_at__isnull=True,
            confidence__isnull=False,
        )
        .select_related("by")
        .order_by("at", "pk")
    )
    found = []
    for check_in in check_ins:
        grade = graded[check_in.key_result_id]
        if check_in.at > grade["close__cycle__end"] or check_in.confidence is None:
            continue
        commitment = Commitment(grade["commitment"] or Commitment.ASPIRATIONAL)
        person = check_in.by.get_username() if check_in.by else check_in.by_name
        found.append(
            ResolvedCheckIn(
                key_result=str(check_in.key_result_id),
                confidence=check_in.confidence,
                hit=reaches(grade["score"], hit_level(commitment)),
                cycle=grade["close__cycle__key"],
                team=grade["objective__team__key"] or "",
                team_name=grade["team_name"] or grade["objective__team__key"] or "",
                person=person,
                person_name=person_display_name(check_in.by, check_in.by_name),
            )
        )
    return found


def _calibrated(name: str, rows: list[ResolvedCheckIn]) -> Calibration | TooFewResolved:
    hits = {row.key_result: row.hit for row in rows}
    said = statements(
        (CheckInConfidence(row.key_result, row.person, row.confidence) for row in rows),
        hits,
    )
    return calibration(name, said)


def _groups(
    rows: list[ResolvedCheckIn],
    key: Callable[[ResolvedCheckIn], str],
    name: Callable[[ResolvedCheckIn], str],
) -> list[Group]:
    by_key: dict[str, list[ResolvedCheckIn]] = {}
    for row in rows:
        by_key.setdefault(key(row), []).append(row)
    return [
        Group(k, name(members[0]), _calibrated(name(members[0]), members))
        for k, members in sorted(by_key.items())
        if k
    ]


def people_led_by(user: AnyUser, rows: Iterable[ResolvedCheckIn]) -> set[str]:
    """The people among `rows` whose calibration `user` may see: everyone for an
    admin; else the user, and those who checked in on KRs of a team the user
    edits (one query)."""
    people = {row.person for row in rows}
    if is_admin(user):
        return people
    if not user.is_authenticated:
        return set()
    led = set(
        Membership.objects.filter(
            user_id=user.pk, role=Membership.Role.EDITOR
        ).values_list("team__key", flat=True)
    )
    return {
        row.person
        for row in rows
        if row.person == user.get_username() or (row.team and row.team in led)
    }


def can_see_person_calibration(user: AnyUser, person: str) -> bool:
    """Whether `user` may see the calibration of `person` (a username or the name
    on check-ins): the person, admins and the leads of the person's teams."""
    if is_admin(user):
        return True
    if not user.is_authenticated:
        return False
    if person == user.get_username():
        return True
    return (
        CheckIn.objects.filter(
            key_result__objective__team__memberships__user_id=user.pk,
            key_result__objective__team__memberships__role=Membership.Role.EDITOR,
        )
        .filter(Q(by__username=person) | Q(by__isnull=True, by_name=person))
        .exists()
    )


def calibration_report(
    user: AnyUser, *, cycle: str = "", team: str = "", person: str = ""
) -> CalibrationReport:
    """The calibration of the check-ins in `cycle`, `team` and of `person` (each
    blank for all), with one per cycle, team and visible person within them. The
    caller checks `can_see_person_calibration` for `person` first. Three queries
    whatever the number of check-ins."""
    everything = resolved_check_ins()
    visible = people_led_by(user, everything)
    rows = [
        row
        for row in everything
        if (not cycle or row.cycle == cycle)
        and (not team or row.team == team)
        and (not person or row.person == person)
    ]
    name = next(
        (
            found
            for found in (
                next((r.person_name for r in rows if r.person == person), ""),
                next((r.team_name for r in rows if r.team == team), ""),
                cycle,
            )
            if found
        ),
        EVERYONE,
    )
    return CalibrationReport(
        overall=Group("", name, _calibrated(name, rows)),
        cycles=_groups(rows, lambda r: r.cycle, lambda r: r.cycle),
        teams=_groups(rows, lambda r: r.team, lambda r: r.team_name),
        people=[
            group
            for group in _groups(rows, lambda r: r.person, lambda r: r.person_name)
            if group.key in visible
        ],
        cycle_choices=sorted({(r.cycle, r.cycle) for r in everything}),
        team_choices=sorted({(r.team, r.team_name) for r in everything if r.team}),
        person_choices=sorted(
            {(r.person, r.person_name) for r in everything if r.person in visible},
            key=lambda choice: choice[1],
        ),
    )


@dataclass(frozen=True)
class CycleCalibration:
    """A closed cycle's calibration and its teams' (for its close page and its
    board report; people are on the calibration page, where who sees whom is
    checked)."""

    overall: Group
    teams: list[Group]


def cycle_calibration(cycle_key: str) -> CycleCalibration:
    """The calibration of the check-ins on the cycle's KRs graded by its standing
    close, and per team (two queries; nothing resolved before it is closed)."""
    rows = resolved_check_ins([cycle_key])
    return CycleCalibration(
        overall=Group(cycle_key, cycle_key, _calibrated(cycle_key, rows)),
        teams=_groups(rows, lambda r: r.team, lambda r: r.team_name),
    )
