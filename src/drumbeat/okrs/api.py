"""Cycles, objectives, key results, check-ins, scores and lint findings in the
REST API (a cycle's suggestions are the scorecard's). Thin: parse, check scope and
role, call one service or selector, answer."""

import datetime as dt
from dataclasses import asdict
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from drumbeat.accounts.auth import scoped
from drumbeat.accounts.models import Team
from drumbeat.accounts.schemas import OwnedOut
from drumbeat.accounts.selectors import OWNER_HELP, can_edit_team_okrs, owner_values
from drumbeat.common.api import ERRORS, Pages
from drumbeat.common.guards import require_admin
from drumbeat.core.cycles import CycleStanding
from drumbeat.core.display import grade_text
from drumbeat.core.forecast import HitForecast
from drumbeat.okrs.grades import FrozenGrade, cycles_frozen_grades
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, LintFinding, Objective
from drumbeat.okrs.selectors import (
    active_hit_forecasts,
    cycles_standing,
    objectives_filtered,
)
from drumbeat.okrs.services import (
    check_in_archive,
    check_in_delete,
    check_in_restore,
    cycle_archive,
    cycle_restore,
    cycle_save,
    key_result_archive,
    key_result_check_in,
    key_result_restore,
    key_result_save,
    objective_archive,
    objective_restore,
    objective_save,
)
from drumbeat.workspace import WorkspaceError
from drumbeat.workspace.yamlio import LocatedError

router = Router(tags=["OKRs"])

Target = float | list[float]


def _cycle_seen(
    context: Any, item: Cycle | Objective | KeyResult
) -> tuple[CycleStanding, FrozenGrade | None]:
    """The state of the cycle `item` is in, and its frozen grade (None unless the
    cycle is closed); every cycle's read once a request, so that an answer's
    queries do not grow with its objectives, KRs or cycles."""
    request = context["request"]
    if not hasattr(request, "_drumbeat_cycles"):
        cycles = list(Cycle.objects.all())
        request._drumbeat_cycles = (
            cycles_standing(cycles),
            cycles_frozen_grades(cycles),
        )
    standing, grades = request._drumbeat_cycles
    if isinstance(item, KeyResult):
        cycle_id = item.objective.cycle_id
        frozen = grades[cycle_id].key_result(item.objective.key, item.key)
    elif isinstance(item, Objective):
        cycle_id = item.cycle_id
        frozen = grades[cycle_id].objective(item.key)
    else:
        cycle_id, frozen = item.pk, None
    return standing[cycle_id], frozen


class InCycle(Schema):
    """The state of the cycle an answer is in (computed, never typed)."""

    state: str = Field(description="planning, active, closing or closed")
    days_left: int | None = Field(description="while active; the end day counts")

    @staticmethod
    def resolve_state(item: Any, context: Any) -> str:
        return str(_cycle_seen(context, item)[0].state)

    @staticmethod
    def resolve_days_left(item: Any, context: Any) -> int | None:
        return _cycle_seen(context, item)[0].days_left


class FinalOut(Schema):
    """A closed cycle's grade, as its close froze it."""

    score: float | None
    grade: str | None
    outcome: str | None = Field(
        description="objectives: met, missed, success or fell_short"
    )
    frozen_at: dt.datetime


class RestatedOut(Schema):
    """The score computed now, when it differs from the final one, and why."""

    score: float | None
    grade: str | None
    because: str


class Frozen(InCycle):
    """For a closed cycle: `final`, and `restated` when it differs."""

    final: FinalOut | None = Field(None, description="closed cycles only")
    restated: RestatedOut | None = Field(
        None, description="when a later reading changed the score"
    )

    @staticmethod
    def resolve_final(item: Any, context: Any) -> FinalOut | None:
        frozen = _cycle_seen(context, item)[1]
        return None if frozen is None else FinalOut(**asdict(frozen.final))

    @staticmethod
    def resolve_restated(item: Any, context: Any) -> RestatedOut | None:
        frozen = _cycle_seen(context, item)[1]
        if frozen is None or frozen.restated is None:
            return None
        return RestatedOut(**asdict(frozen.restated))


class CycleOut(InCycle):
    key: str
    start: dt.date
    end: dt.date
    parent: str | None = Field(description="the cycle that contains it (its year)")
    version: int
    archived_at: dt.datetime | None = Field(description="null: not archived")

    @staticmethod
    def resolve_parent(cycle: Cycle) -> str | None:
        return cycle.parent.key if cycle.parent else None


class ArchivedFilter(Schema):
    archived: bool = Field(False, description="archived ones too")


class CycleIn(Schema):
    key: str = Field(min_length=1, max_length=50, pattern=r"^[^/\s]+$")
    start: dt.date
    end: dt.date
    parent: str | None = Field(
        None, description="the key of the cycle that contains it (a year), if any"
    )


def _cycle_values(payload: CycleIn) -> dict[str, Any]:
    """The payload as `cycle_save` takes it: the containing cycle as a row."""
    values = payload.dict(exclude={"version"})
    if payload.parent is None:
        return values
    values["parent"] = Cycle.objects.filter(key=payload.parent).first()
    if values["parent"] is None:
        raise WorkspaceError(
            "cycle",
            [
                LocatedError(
                    None,
                    "parent",
                    f"refers to cycle '{payload.parent}', which is not defined",
                )
            ],
        )
    return values


class CycleChange(CycleIn):
    version: int


@router.get(
    "/cycles", response={200: list[CycleOut], **ERRORS}, summary="List the cycles"
)
def cycles_list(request: HttpRequest, shown: Query[ArchivedFilter]) -> QuerySet[Cycle]:
    scoped(request, "read")
    cycles = Cycle.objects.select_related("parent")
    return cycles if shown.archived else cycles.filter(archived_at__isnull=True)


@router.get("/cycles/{key}", response={200: CycleOut, **ERRORS}, summary="One cycle")
def cycle_get(request: HttpRequest, key: str) -> Cycle:
    scoped(request, "read")
    return get_object_or_404(Cycle, key=key)


CYCLES_REFUSAL = "Only admins set up cycles."


@router.post("/cycles", response={201: CycleOut, **ERRORS}, summary="Add a cycle")
def cycle_post(request: HttpRequest, payload: CycleIn) -> Status[Cycle]:
    user = require_admin(scoped(request, "admin"), CYCLES_REFUSAL)
    return Status(201, cycle_save(cycle=None, values=_cycle_values(payload), by=user))


@router.put(
    "/cycles/{key}", response={200: CycleOut, **ERRORS}, summary="Change a cycle"
)
def cycle_put(request: HttpRequest, key: str, payload: CycleChange) -> Cycle:
    user = require_admin(scoped(request, "admin"), CYCLES_REFUSAL)
    cycle = get_object_or_404(Cycle, key=key)
    values = _cycle_values(payload)
    return cycle_save(cycle=cycle, values=values, by=user, version=payload.version)


class CheckInOut(Schema):
    id: int
    at: dt.date
    by: str = Field(alias="by_name")
    confidence: float | None
    note: str
    blockers: str
    archived_at: dt.datetime | None


class ForecastOut(Schema):
    """Where a KR of a running cycle is heading (see docs/forecast.md)."""

    value: float = Field(description="the KPI's value expected at the deadline")
    p_hit: float = Field(
        description="the probability (0 to 1) that the final score reaches 1.0 "
        "(committed objective) or 0.7 (aspirational)"
    )


def _forecast_seen(context: Any, key_result: KeyResult) -> ForecastOut | None:
    """The KR's hit forecast; every running cycle's read once a request, so that
    an answer's queries do not grow with its KRs."""
    request = context["request"]
    if not hasattr(request, "_drumbeat_forecasts"):
        request._drumbeat_forecasts = active_hit_forecasts()
    forecast = request._drumbeat_forecasts.get(key_result.pk)
    if not isinstance(forecast, HitForecast):
        return None
    return ForecastOut(value=forecast.value, p_hit=forecast.p_hit)


class KeyResultOut(Frozen, OwnedOut):
    """A KR with its computed baseline, current value, progress, score and grade;
    in a running cycle, its forecast; in a closed cycle, its final grade (and
    restatement)."""

    key: str
    title: str
    kpi: str = Field(alias="kpi_key")
    kind: str
    baseline: float | None = Field(description="as set; null: the default")
    computed_baseline: float | None
    current: float | None
    target: Target
    relative_target: float | None = Field(
        description=(
            'the percent change the target was set as ("+10%": 10); null: a level'
        )
    )
    deadline: dt.date | None
    owner: str = Field(alias="owner_name")
    weight: float
    progress: float | None
    score: float | None
    grade: str | None
    confidence: float | None = Field(description="from the latest check-in")
    forecast: ForecastOut | None = Field(
        description="running cycles only; null with fewer than 3 readings since "
        "the cycle began"
    )
    version: int
    archived_at: dt.datetime | None

    @staticmethod
    def resolve_grade(kr: KeyResult) -> str | None:
        return grade_text(kr.score)

    @staticmethod
    def resolve_forecast(kr: KeyResult, context: Any) -> ForecastOut | None:
        return _forecast_seen(context, kr)

    @staticmethod
    def resolve_confidence(kr: KeyResult) -> float | None:
        checkins = [c for c in kr.checkins.all() if c.archived_at is None]
        return checkins[-1].confidence if checkins else None


class ObjectiveOut(Frozen, OwnedOut):
    key: str
    title: str
    cycle: str
    team: str | None
    owner: str = Field(alias="owner_name")
    commitment: str
    parent: str | None
    score: float | None
    grade: str | None
    version: int
    archived_at: dt.datetime | None
    key_results: list[KeyResultOut]

    @staticmethod
    def resolve_cycle(objective: Objective) -> str:
        return objective.cycle.key

    @staticmethod
    def resolve_team(objective: Objective) -> str | None:
        return objective.team.key if objective.team else (objective.team_name or None)

    @staticmethod
    def resolve_parent(objective: Objective) -> str | None:
        return objective.parent.key if objective.parent else None

    @staticmethod
    def resolve_grade(objective: Objective) -> str | None:
        return grade_text(objective.score)

    @staticmethod
    def resolve_key_results(objective: Objective) -> list[KeyResult]:
        return list(objective.key_results.all())


def _objectives(*, archived: bool = True) -> QuerySet[Objective]:
    """Objectives with everything their answer reads (a constant number of
    queries); their archived KRs and check-ins too unless not `archived`."""
    key_results = KeyResult.objects.all()
    checkins = CheckIn.objects.order_by("at", "pk")
    if not archived:
        key_results = key_results.filter(archived_at__isnull=True)
        checkins = checkins.filter(archived_at__isnull=True)
    return Objective.objects.select_related(
        "cycle", "team", "parent", "owner"
    ).prefetch_related(
        Prefetch(
            "key_results",
            queryset=key_results.select_related("owner").prefetch_related(
                Prefetch("checkins", queryset=checkins)
            ),
        )
    )


class ObjectiveFilters(Schema):
    cycle: str | None = None
    team: str | None = None
    archived: bool = Field(False, description="archived objectives and KRs too")


@router.get(
    "/objectives",
    response={200: list[ObjectiveOut], **ERRORS},
    summary="List objectives with their KRs and scores",
)
@paginate(Pages)
def objectives_list(
    request: HttpRequest, filters: Query[ObjectiveFilters]
) -> QuerySet[Objective]:
    scoped(request, "read")
    objectives = _objectives(archived=filters.archived)
    if not filters.archived:
        objectives = objectives.filter(
            archived_at__isnull=True, cycle__archived_at__isnull=True
        )
    return objectives_filtered(objectives, cycle=filters.cycle, team=filters.team)


@router.get(
    "/objectives/{key}",
    response={200: ObjectiveOut, **ERRORS},
    summary="One objective with its KRs and scores",
)
def objective_get(request: HttpRequest, key: str) -> Objective:
    scoped(request, "read")
    return get_object_or_404(_objectives(), key=key)


class ObjectiveIn(Schema):
    key: str = Field(min_length=1, max_length=100, pattern=r"^[^/\s]+$")
    title: str = Field(min_length=1, max_length=300)
    cycle: str
    team: str
    owner: str = Field("", description=OWNER_HELP)
    commitment: Literal["aspirational", "committed"] = "aspirational"
    parent: str | None = None


class ObjectiveChange(ObjectiveIn):
    version: int


def _objective_values(user: Any, payload: ObjectiveIn) -> dict[str, Any]:
    """An objective's values from a request body, for a team `user` writes."""
    team = get_object_or_404(Team, key=payload.team)
    if not can_edit_team_okrs(user, team):
        raise PermissionDenied(
            f"Only the editors of team '{team.key}' and admins write its OKRs."
        )
    parent = (
        get_object_or_404(Objective, key=payload.parent) if payload.parent else None
    )
    return {
        "key": payload.key,
        "title": payload.title,
        "team": team,
        **owner_values(payload.owner, field="owner"),
        "commitment": payload.commitment,
        "parent": parent,
    }


@router.post(
    "/objectives",
    response={201: ObjectiveOut, **ERRORS},
    summary="Add an objective (the team's editors, admins)",
)
def objective_post(request: HttpRequest, payload: ObjectiveIn) -> Status[Objective]:
    user = scoped(request, "admin")
    values = _objective_values(user, payload)
    cycle = get_object_or_404(Cycle, key=payload.cycle)
    saved = objective_save(cycle=cycle, objective=None, values=values, by=user)
    return Status(201, _objectives().get(pk=saved.pk))


@router.put(
    "/objectives/{key}",
    response={200: ObjectiveOut, **ERRORS},
    summary="Change an objective (the team's editors, admins)",
)
def objective_put(
    request: HttpRequest, key: str, payload: ObjectiveChange
) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("team"), key=key)
    user = scoped(request, "admin")
    if not can_edit_team_okrs(user, objective.team):
        raise PermissionDenied("Only the team's editors and admins change its OKRs.")
    values = _objective_values(user, payload)
    saved = objective_save(
        cycle=objective.cycle,
        objective=objective,
        values=values,
        by=user,
        version=payload.version,
    )
    return _objectives().get(pk=saved.pk)


class KeyResultIn(Schema):
    key: str = Field(min_length=1, max_length=100, pattern=r"^[^/\s]+$")
    title: str = ""
    kpi: str = Field(
        max_length=100, pattern=r"^[a-z0-9-]+$", description="a dictionary KPI's key"
    )
    kind: Literal["change", "sustain", "cumulative"] = "change"
    baseline: float | None = None
    target: Target | str = Field(
        description=(
            'a number, [low, high], or a percent change of the baseline such as "+10%"'
        )
    )
    relative_target: float | None = Field(
        None,
        description=(
            "beside a number target: the percent change it was set as, as a GET "
            'gives it (10 for "+10%"); sent back unchanged with the same target, '
            "the target stays put even if the baseline has moved; ignored when "
            "`target` is a percent change"
        ),
    )
    deadline: dt.date | None = None
    owner: str = Field("", description=OWNER_HELP)
    weight: float = Field(1.0, gt=0)


class KeyResultChange(KeyResultIn):
    version: int


def _editable_objective(request: HttpRequest, key: str) -> tuple[Any, Objective]:
    user = scoped(request, "admin")
    objective = get_object_or_404(
        Objective.objects.select_related("cycle", "team"), key=key
    )
    if not can_edit_team_okrs(user, objective.team):
        raise PermissionDenied("Only the team's editors and admins change its OKRs.")
    return user, objective


def _key_result_values(payload: KeyResultIn) -> dict[str, Any]:
    return {
        "key": payload.key,
        "title": payload.title,
        "kpi_key": payload.kpi,
        "kind": payload.kind,
        "baseline": payload.baseline,
        "target": payload.target,
        "relative_target": payload.relative_target,
        "deadline": payload.deadline,
        **owner_values(payload.owner, field="owner"),
        "weight": payload.weight,
    }


@router.post(
    "/objectives/{key}/key-results",
    response={201: KeyResultOut, **ERRORS},
    summary="Add a KR on a dictionary KPI (the team's editors, admins)",
)
def key_result_post(
    request: HttpRequest, key: str, payload: KeyResultIn
) -> Status[KeyResult]:
    user, objective = _editable_objective(request, key)
    saved = key_result_save(
        objective=objective,
        key_result=None,
        values=_key_result_values(payload),
        by=user,
    )
    return Status(201, KeyResult.objects.prefetch_related("checkins").get(pk=saved.pk))


@router.put(
    "/objectives/{key}/key-results/{kr}",
    response={200: KeyResultOut, **ERRORS},
    summary="Change a KR (the team's editors, admins)",
)
def key_result_put(
    request: HttpRequest, key: str, kr: str, payload: KeyResultChange
) -> KeyResult:
    user, objective = _editable_objective(request, key)
    existing = get_object_or_404(KeyResult, objective=objective, key=kr)
    saved = key_result_save(
        objective=objective,
        key_result=existing,
        values=_key_result_values(payload),
        by=user,
        version=payload.version,
    )
    return KeyResult.objects.prefetch_related("checkins").get(pk=saved.pk)


@router.get(
    "/objectives/{key}/key-results/{kr}/check-ins",
    response={200: list[CheckInOut], **ERRORS},
    summary="A KR's check-ins, oldest first",
)
def check_ins_list(
    request: HttpRequest, key: str, kr: str, shown: Query[ArchivedFilter]
) -> QuerySet[CheckIn]:
    scoped(request, "read")
    key_result = get_object_or_404(KeyResult, objective__key=key, key=kr)
    checkins = key_result.checkins.order_by("at", "pk")
    return checkins if shown.archived else checkins.filter(archived_at__isnull=True)


class CheckInIn(Schema):
    confidence: float = Field(ge=0, le=1, description="0 to 1")
    note: str = Field("", description="what changed")
    blockers: str = ""


@router.post(
    "/objectives/{key}/key-results/{kr}/check-ins",
    response={201: CheckInOut, **ERRORS},
    summary="Check in on a KR today (the team's editors, admins)",
)
def check_in_post(
    request: HttpRequest, key: str, kr: str, payload: CheckInIn
) -> Status[CheckIn]:
    user, objective = _editable_objective(request, key)
    key_result = get_object_or_404(KeyResult, objective=objective, key=kr)
    checked_in = key_result_check_in(
        key_result=key_result,
        by=user,
        confidence=payload.confidence,
        note=payload.note,
        blockers=payload.blockers,
    )
    return Status(201, checked_in)


# --- Archive and restore ------------------------------------------------------------


@router.post(
    "/cycles/{key}/archive",
    response={200: CycleOut, **ERRORS},
    summary="Archive a cycle (admins)",
)
def cycle_archive_post(request: HttpRequest, key: str) -> Cycle:
    cycle = get_object_or_404(Cycle, key=key)
    return cycle_archive(cycle=cycle, by=scoped(request, "admin"))


@router.post(
    "/cycles/{key}/restore",
    response={200: CycleOut, **ERRORS},
    summary="Restore a cycle (admins)",
)
def cycle_restore_post(request: HttpRequest, key: str) -> Cycle:
    cycle = get_object_or_404(Cycle, key=key)
    return cycle_restore(cycle=cycle, by=scoped(request, "admin"))


@router.post(
    "/objectives/{key}/archive",
    response={200: ObjectiveOut, **ERRORS},
    summary="Archive an objective (the team's editors, admins)",
)
def objective_archive_post(request: HttpRequest, key: str) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("team"), key=key)
    objective_archive(objective=objective, by=scoped(request, "admin"))
    return _objectives().get(pk=objective.pk)


@router.post(
    "/objectives/{key}/restore",
    response={200: ObjectiveOut, **ERRORS},
    summary="Restore an objective (the team's editors, admins)",
)
def objective_restore_post(request: HttpRequest, key: str) -> Objective:
    objective = get_object_or_404(Objective.objects.select_related("team"), key=key)
    objective_restore(objective=objective, by=scoped(request, "admin"))
    return _objectives().get(pk=objective.pk)


def _key_result(key: str, kr: str) -> KeyResult:
    return get_object_or_404(
        KeyResult.objects.select_related("objective__team", "objective__cycle"),
        objective__key=key,
        key=kr,
    )


@router.post(
    "/objectives/{key}/key-results/{kr}/archive",
    response={200: KeyResultOut, **ERRORS},
    summary="Archive a KR (the team's editors, admins)",
)
def key_result_archive_post(request: HttpRequest, key: str, kr: str) -> KeyResult:
    key_result = _key_result(key, kr)
    key_result_archive(key_result=key_result, by=scoped(request, "admin"))
    return KeyResult.objects.prefetch_related("checkins").get(pk=key_result.pk)


@router.post(
    "/objectives/{key}/key-results/{kr}/restore",
    response={200: KeyResultOut, **ERRORS},
    summary="Restore a KR (the team's editors, admins)",
)
def key_result_restore_post(request: HttpRequest, key: str, kr: str) -> KeyResult:
    key_result = _key_result(key, kr)
    key_result_restore(key_result=key_result, by=scoped(request, "admin"))
    return KeyResult.objects.prefetch_related("checkins").get(pk=key_result.pk)


def _check_in(key: str, kr: str, pk: int) -> CheckIn:
    return get_object_or_404(
        CheckIn.objects.select_related(
            "key_result__objective__team", "key_result__objective__cycle"
        ),
        key_result__objective__key=key,
        key_result__key=kr,
        pk=pk,
    )


@router.post(
    "/objectives/{key}/key-results/{kr}/check-ins/{pk}/archive",
    response={200: CheckInOut, **ERRORS},
    summary="Archive a check-in (its author, the team's editors, admins)",
)
def check_in_archive_post(request: HttpRequest, key: str, kr: str, pk: int) -> CheckIn:
    checkin = _check_in(key, kr, pk)
    return check_in_archive(checkin=checkin, by=scoped(request, "admin"))


@router.post(
    "/objectives/{key}/key-results/{kr}/check-ins/{pk}/restore",
    response={200: CheckInOut, **ERRORS},
    summary="Restore a check-in (its author, the team's editors, admins)",
)
def check_in_restore_post(request: HttpRequest, key: str, kr: str, pk: int) -> CheckIn:
    checkin = _check_in(key, kr, pk)
    return check_in_restore(checkin=checkin, by=scoped(request, "admin"))


@router.delete(
    "/objectives/{key}/key-results/{kr}/check-ins/{pk}",
    response={204: None, **ERRORS},
    summary="Delete a check-in (its author, on the day it was made)",
)
def check_in_delete_call(
    request: HttpRequest, key: str, kr: str, pk: int
) -> Status[None]:
    checkin = _check_in(key, kr, pk)
    check_in_delete(checkin=checkin, by=scoped(request, "admin"))
    return Status(204, None)


class FindingOut(Schema):
    rule: str
    severity: str = Field(description="error, warning or info")
    subject: str
    message: str
    cycle: str | None
    objective: str | None = Field(alias="objective_key")
    key_result: str | None = Field(alias="key_result_key")
    kpi: str | None = Field(alias="kpi_key")
    as_of: dt.date

    @staticmethod
    def resolve_cycle(finding: LintFinding) -> str | None:
        return finding.cycle.key if finding.cycle else None


class FindingFilters(Schema):
    cycle: str | None = None
    objective: str | None = None
    kpi: str | None = None
    rule: str | None = None
    severity: Literal["error", "warning", "info"] | None = None


@router.get(
    "/findings",
    response={200: list[FindingOut], **ERRORS},
    summary="Lint findings, as of the last refresh",
)
@paginate(Pages)
def findings_list(
    request: HttpRequest, filters: Query[FindingFilters]
) -> QuerySet[LintFinding]:
    scoped(request, "read")
    findings = LintFinding.objects.select_related("cycle")
    wanted = {
        "cycle__key": filters.cycle,
        "objective_key": filters.objective,
        "kpi_key": filters.kpi,
        "rule": filters.rule,
        "severity": filters.severity,
    }
    return findings.filter(**{name: v for name, v in wanted.items() if v})
