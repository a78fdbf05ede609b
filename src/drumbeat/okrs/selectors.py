"""Reads of cycles, objectives and key results, with stored scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from drumbeat.accounts.models import Team
from drumbeat.accounts.selectors import AnyUser, can_edit_team_okrs, person_display_name
from drumbeat.common.guards import is_admin
from drumbeat.core.attribution import CycleAttribution
from drumbeat.core.cycles import (
    CLOSE_OVERDUE_DAYS,
    CycleStanding,
    cycle_contains,
    cycle_score,
)
from drumbeat.core.cycles import cycle_standing as core_cycle_standing
from drumbeat.core.display import grade_text
from drumbeat.core.forecast import HitForecast, NoForecast
from drumbeat.core.model import CycleState, KeyResultKind
from drumbeat.okrs.grades import FrozenGrade, cycles_frozen_grades
from drumbeat.okrs.models import (
    CheckIn,
    CloseChoice,
    Cycle,
    CycleClose,
    FinalGrade,
    KeyResult,
    LintFinding,
    Objective,
)


def objectives_filtered(
    objectives: QuerySet[Objective],
    *,
    cycle: str | None = None,
    team: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Objective]:
    """`objectives` narrowed to a cycle's, a team's, or those of the cycles that
    overlap `since` to `until` (both included); a filter left empty narrows
    nothing."""
    if cycle:
        objectives = objectives.filter(cycle__key=cycle)
    if team:
        objectives = objectives.filter(team__key=team)
    if since:
        objectives = objectives.filter(cycle__end__gte=since)
    if until:
        objectives = objectives.filter(cycle__start__lte=until)
    return objectives


def cycle_objectives(cycle: Cycle, *, archived: bool = False) -> QuerySet[Objective]:
    """A cycle's objectives with their team, KRs and check-ins (constant queries);
    archived ones left out unless `archived`."""
    objectives = Objective.objects.filter(cycle=cycle)
    key_results = KeyResult.objects.all()
    checkins = CheckIn.objects.order_by("at", "pk")
    if not archived:
        objectives = objectives.filter(archived_at__isnull=True)
        key_results = key_results.filter(archived_at__isnull=True)
        checkins = checkins.filter(archived_at__isnull=True)
    return objectives.select_related("team", "parent").prefetch_related(
        Prefetch(
            "key_results",
            queryset=key_results.prefetch_related(
                Prefetch("checkins", queryset=checkins)
            ),
        )
    )


@dataclass
class AlignmentNode:
    """An objective in the alignment tree, with the team objectives under it."""

    objective: Objective
    children: list[AlignmentNode] = field(default_factory=list)


def alignment_tree(objectives: list[Objective]) -> list[AlignmentNode]:
    """Company objectives at the roots, each team objective under its parent."""
    nodes = {o.pk: AlignmentNode(o) for o in objectives}
    roots = []
    for objective in objectives:
        parent = nodes.get(objective.parent_id) if objective.parent_id else None
        if parent is None:
            roots.append(nodes[objective.pk])
        else:
            parent.children.append(nodes[objective.pk])
    return roots


@dataclass
class CycleFindings:
    """A cycle's stored lint findings, placed beside what they concern."""

    on_cycle: list[LintFinding] = field(default_factory=list)
    by_objective: dict[str, list[LintFinding]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """How many findings of each severity, errors first."""
        every = [*self.on_cycle, *(f for fs in self.by_objective.values() for f in fs)]
        return {
            severity: sum(1 for f in every if f.severity == severity)
            for severity in ("error", "warning", "info")
        }


def cycle_findings(cycle: Cycle) -> CycleFindings:
    """The lint findings on a cycle, its objectives and their KRs (one query)."""
    found = CycleFindings()
    for finding in LintFinding.objects.filter(cycle=cycle):
        if finding.objective_key:
            found.by_objective.setdefault(finding.objective_key, []).append(finding)
        else:
            found.on_cycle.append(finding)
    return found


# --- Cycle planning -------------------------------------------------------------


def okr_teams_editable_by(user: AnyUser) -> list[Team]:
    """The teams whose OKRs the person may write (`can_edit_team_okrs`), asking
    only about the teams the person belongs to (admins: every team), so that the
    queries grow with the person's memberships, not with the organisation."""
    if not user.is_authenticated:
        return []
    teams = (
        Team.objects.all()
        if is_admin(user)
        else Team.objects.filter(memberships__user_id=user.pk)
    )
    return [team for team in teams if can_edit_team_okrs(user, team)]


def cycles_closable_by(user: AnyUser, cycles: Iterable[Cycle]) -> set[int]:
    """The pks of those `cycles` whose close page lets `user` in: all of them for
    an admin, else those with an objective of a team whose OKRs the person edits
    (one query, whatever the number of cycles: the notice of overdue closes asks
    on every page)."""
    pks = [cycle.pk for cycle in cycles]
    if is_admin(user):
        return set(pks)
    editable = [team.pk for team in okr_teams_editable_by(user)]
    return set(
        Objective.objects.filter(cycle_id__in=pks, team_id__in=editable).values_list(
            "cycle_id", flat=True
        )
    )


def objectives_editable_by(
    user: AnyUser, objectives: Iterable[Objective], teams: Iterable[Team]
) -> list[Objective]:
    """Those of `objectives` whose OKRs the person may write, given the teams
    `okr_teams_editable_by` found for them."""
    team_ids = {team.pk for team in teams}
    return [
        objective
        for objective in objectives
        if (
            objective.team_id in team_ids
            if objective.team_id is not None
            else can_edit_team_okrs(user, None)
        )
    ]


def key_result_data(values: Mapping[str, Any]) -> dict[str, Any]:
    """A KR in the workspace file's shape, from a KR form's values (named as
    `KEY_RESULT_FIELDS`: `kpi_key`, `owner_name`, ...)."""
    optional = {
        "title": values.get("title"),
        "baseline": values.get("baseline"),
        "deadline": values.get("deadline"),
        "owner": values.get("owner_name"),
    }
    return {
        "key": values["key"],
        "kpi": values["kpi_key"],
        "kind": values["kind"],
        "target": values["target"],
        "weight": values["weight"],
        **{name: value for name, value in optional.items() if value not in (None, "")},
    }


def objective_findings(objective: Objective) -> QuerySet[LintFinding]:
    """The lint findings on an objective and its KRs."""
    return LintFinding.objects.filter(objective_key=objective.key)


# --- A cycle's state: planning, active, closing, closed ---------------------------


def cycle_standing_close(cycle: Cycle) -> CycleClose | None:
    """The close that stands (not reopened), with who closed it, or None."""
    return (
        CycleClose.objects.filter(cycle=cycle, reopened_at__isnull=True)
        .select_related("closed_by")
        .first()
    )


def cycle_standing(cycle: Cycle, today: dt.date | None = None) -> CycleStanding:
    """The cycle's state on `today` (the server's date by default)."""
    closed = CycleClose.objects.filter(cycle=cycle, reopened_at__isnull=True).exists()
    return core_cycle_standing(
        cycle.start, cycle.end, today or timezone.localdate(), closed=closed
    )


def cycles_standing(
    cycles: Iterable[Cycle], today: dt.date | None = None
) -> dict[int, CycleStanding]:
    """By cycle pk, each cycle's state, in one query whatever the number."""
    cycles = list(cycles)
    closed = set(
        CycleClose.objects.filter(
            cycle__in=cycles, reopened_at__isnull=True
        ).values_list("cycle_id", flat=True)
    )
    on = today or timezone.localdate()
    return {
        cycle.pk: core_cycle_standing(
            cycle.start, cycle.end, on, closed=cycle.pk in closed
        )
        for cycle in cycles
    }


def cycles_running(on: dt.date | None = None) -> QuerySet[Cycle]:
    """The cycles whose dates hold `on` (the server's date by default), archived
    ones left out: a quarter before the year containing it (by start, the
    shortest first), so `.first()` is the cycle worked in."""
    day = on or timezone.localdate()
    return Cycle.objects.filter(
        archived_at__isnull=True, start__lte=day, end__gte=day
    ).order_by("start", "end", "key")


def active_cycles(on: dt.date | None = None) -> list[Cycle]:
    """The cycles active on `on` (the server's date by default): started, not
    ended, not closed and not archived."""
    day = on or timezone.localdate()
    cycles = list(
        Cycle.objects.filter(archived_at__isnull=True, start__lte=day, end__gte=day)
    )
    standing = cycles_standing(cycles, day)
    return [c for c in cycles if standing[c.pk].state is CycleState.ACTIVE]


def last_reopened(cycle: Cycle) -> CycleClose | None:
    """The most recent reopened close of `cycle`, for "Reopened on … by …"."""
    return (
        CycleClose.objects.filter(cycle=cycle, reopened_at__isnull=False)
        .select_related("reopened_by")
        .order_by("-reopened_at")
        .first()
    )


def closed_cycle_refusal(cycle: Cycle) -> str | None:
    """Why the cycle's scores and structure may not change ("2026-Q3 was closed on
    2026-10-06 by Maya Chen"), or None while it is open."""
    close = cycle_standing_close(cycle)
    if close is None:
        return None
    who = person_display_name(close.closed_by, "someone")
    day = timezone.localtime(close.closed_at).date().isoformat()
    return f"{cycle.key} was closed on {day} by {who}"


def frozen_kpi_history(kpi_key: str) -> dict[str, list[FinalGrade]]:
    """By closed cycle's key: the frozen grades of its KRs on the KPI that its
    close recorded in the KPI's history (a history item skipped leaves its KR
    out), in the close's order (two queries)."""
    grades = list(
        FinalGrade.objects.filter(close__reopened_at__isnull=True, kpi_key=kpi_key)
        .exclude(key_result_key="")
        .select_related("close__cycle")
    )
    skipped = set(
        CloseChoice.objects.filter(
            close__reopened_at__isnull=True,
            kind=CloseChoice.Kind.HISTORY,
            choice=CloseChoice.Choice.SKIPPED,
            kpi_key=kpi_key,
        ).values_list("close_id", "objective_key", "key_result_key")
    )
    frozen: dict[str, list[FinalGrade]] = {}
    for grade in grades:
        kept = frozen.setdefault(grade.close.cycle.key, [])
        if (grade.close_id, grade.objective_key, grade.key_result_key) not in skipped:
            kept.append(grade)
    return frozen


def cycles_overdue_for_close(
    today: dt.date | None = None,
) -> list[tuple[Cycle, CycleStanding]]:
    """The cycles still `closing` more than CLOSE_OVERDUE_DAYS after their end,
    oldest first, each with its standing (two queries)."""
    on = today or timezone.localdate()
    ended = Cycle.objects.filter(
        end__lt=on - dt.timedelta(days=CLOSE_OVERDUE_DAYS), archived_at__isnull=True
    ).order_by("end", "key")
    standings = cycles_standing(ended, on)
    return [
        (cycle, standings[cycle.pk])
        for cycle in ended
        if standings[cycle.pk].overdue_for_close
    ]


def closed_cycle_notice(cycle: Cycle) -> str | None:
    """The refusal of a change to a closed cycle, as the pages and the API say it
    ("2026-Q3 was closed on 2026-10-06 by Maya Chen; an admin may reopen it."), or
    None while it is open."""
    refusal = closed_cycle_refusal(cycle)
    return None if refusal is None else f"{refusal}; an admin may reopen it."


def parents_allowed(cycle: Cycle, keep: Objective | None = None) -> QuerySet[Objective]:
    """The objectives an objective in `cycle` may contribute to: those of its own
    cycle or of a cycle containing it (`cycle_contains`), not closed; `keep`, a
    parent already chosen, stays offered."""
    closed = CycleClose.objects.filter(reopened_at__isnull=True).values("cycle")
    containing = [
        other.pk
        for other in Cycle.objects.exclude(pk__in=closed)
        if cycle_contains((other.start, other.end), (cycle.start, cycle.end))
    ]
    allowed = Objective.objects.filter(cycle__in=containing)
    if keep is not None:
        allowed = allowed | Objective.objects.filter(pk=keep.pk)
    return allowed.select_related("cycle")


# --- The cycle board's filters and sorting -------------------------------------

BOARD_SORTS = {
    "name": "name",
    "score": "score",
    "confidence": "lowest confidence",
    "forecast": "lowest forecast",
}

BOARD_GRADES = {
    "red": "red",
    "yellow": "yellow",
    "green": "green",
    "unscored": "not scored yet",
}
BOARD_KINDS = {kind.value: kind.value for kind in KeyResultKind}


AttributionOf = Callable[[Cycle, dt.date], CycleAttribution | None]
_attribution_of: list[AttributionOf] = []


def attribution_provided_by(provider: AttributionOf) -> None:
    """Set where an ended cycle's attribution comes from (`core.attribution` needs
    the whole workspace, which the scorecard app builds and provides)."""
    _attribution_of[:] = [provider]


def ended_cycle_attribution(cycle: Cycle, today: dt.date) -> CycleAttribution | None:
    """An ended cycle's KPIs in their groups; None while it runs, or with no
    provider."""
    if cycle.end >= today or not _attribution_of:
        return None
    return _attribution_of[0](cycle, today)


@dataclass(frozen=True)
class BoardFilters:
    """The cycle board's filters and sorting, as GET parameters."""

    team: str = ""
    owner: str = ""
    mine: bool = False
    grade: str = ""
    kind: str = ""
    sort: str = ""
    archived: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> BoardFilters:
        sort = query.get("sort", "")
        grade = query.get("grade", "")
        kind = query.get("kind", "")
        return cls(
            team=query.get("team", "").strip(),
            owner=query.get("owner", "").strip(),
            mine=query.get("mine") == "1",
            grade=grade if grade in BOARD_GRADES else "",
            kind=kind if kind in BOARD_KINDS else "",
            sort=sort if sort in BOARD_SORTS else "",
            archived=query.get("archived") == "1",
        )

    def query(self, **changes: Any) -> str:
        """The parameters as a query string (empty ones left out), with `changes`;
        so that links keep the filters."""
        values = {
            "team": self.team,
            "owner": self.owner,
            "mine": "1" if self.mine else "",
            "grade": self.grade,
            "kind": self.kind,
            "sort": self.sort,
            "archived": "1" if self.archived else "",
        } | changes
        return urlencode({name: value for name, value in values.items() if value})

    @property
    def with_archived(self) -> str:
        return self.query(archived="1")

    @property
    def without_archived(self) -> str:
        return self.query(archived="")


def board_objectives(
    objectives: QuerySet[Objective], filters: BoardFilters, user: AnyUser
) -> QuerySet[Objective]:
    """`objectives` of the team keyed `filters.team`, owned by (or with a KR
    owned by) the person `filters.owner` names (a username, or part of a name),
    or by `user` when `filters.mine`."""
    objectives = objectives_filtered(objectives, team=filters.team or None)
    if filters.owner:
        objectives = objectives.filter(
            Q(owner__username__iexact=filters.owner)
            | Q(owner_name__icontains=filters.owner)
            | Q(key_results__owner__username__iexact=filters.owner)
            | Q(key_results__owner_name__icontains=filters.owner)
        ).distinct()
    if filters.mine:
        objectives = objectives.filter(
            Q(owner_id=user.pk) | Q(key_results__owner_id=user.pk)
        ).distinct()
    return objectives


@dataclass(frozen=True)
class BoardObjective:
    """An objective on the board with the KRs its filters show."""

    objective: Objective
    key_results: list[KeyResult]
    findings: list[LintFinding]


def board_rows(
    objectives: Iterable[Objective],
    filters: BoardFilters,
    findings: Mapping[str, list[LintFinding]],
) -> dict[str, list[BoardObjective]]:
    """The board's objectives by team name (in their order), those of the grade
    `filters.grade`, each with its KRs of the kind `filters.kind` (an objective
    with none of that kind left out), from prefetched KRs: no query."""
    by_team: dict[str, list[BoardObjective]] = {}
    for objective in objectives:
        grade = grade_text(objective.score) or "unscored"
        if filters.grade and grade != filters.grade:
            continue
        key_results = [
            kr
            for kr in objective.key_results.all()
            if not filters.kind or kr.kind == filters.kind
        ]
        if filters.kind and not key_results:
            continue
        team = objective.team.name if objective.team else objective.team_name
        by_team.setdefault(team or "No team", []).append(
            BoardObjective(objective, key_results, findings.get(objective.key, []))
        )
    return by_team


def _lowest(values: Iterable[float | None]) -> float:
    known = [value for value in values if value is not None]
    return min(known) if known else float("inf")


def board_sorted(
    objectives: list[Objective], sort: str, forecasts: Mapping[int, float | None]
) -> list[Objective]:
    """`objectives` by title, lowest first by their score, their KRs' lowest last
    confidence, or their KRs' lowest forecast (unknown last); as they are for
    no sort."""

    def confidence(objective: Objective) -> float:
        lasts = [list(kr.checkins.all()) for kr in objective.key_results.all()]
        return _lowest(checkins[-1].confidence for checkins in lasts if checkins)

    def forecast(objective: Objective) -> float:
        return _lowest(forecasts.get(kr.pk) for kr in objective.key_results.all())

    keys: dict[str, Callable[[Objective], Any]] = {
        "name": lambda objective: objective.title.casefold(),
        "score": lambda objective: _lowest([objective.score]),
        "confidence": confidence,
        "forecast": forecast,
    }
    if sort not in keys:
        return objectives
    return sorted(objectives, key=keys[sort])


# --- The probability that each KR is hit ---------------------------------------

HitForecastsOf = Callable[[], Mapping[int, HitForecast | NoForecast]]
_hit_forecasts_of: list[HitForecastsOf] = []


def hit_forecasts_provided_by(provider: HitForecastsOf) -> None:
    """Set where the API's hit forecasts come from: the KRs of the running cycles,
    by pk (the scorecard app provides them, as it builds the core workspace)."""
    _hit_forecasts_of[:] = [provider]


def active_hit_forecasts() -> Mapping[int, HitForecast | NoForecast]:
    """Each running cycle's KRs' hit forecasts, by pk; empty with no provider."""
    return _hit_forecasts_of[0]() if _hit_forecasts_of else {}


CycleHitForecastsOf = Callable[[list[Cycle]], Mapping[int, HitForecast | NoForecast]]
_cycle_hit_forecasts_of: list[CycleHitForecastsOf] = []


def cycle_hit_forecasts_provided_by(provider: CycleHitForecastsOf) -> None:
    """Set where the pages' hit forecasts come from: the KRs of given cycles that
    are running today, by pk (the scorecard app provides them)."""
    _cycle_hit_forecasts_of[:] = [provider]


def cycle_hit_forecasts(
    cycles: Iterable[Cycle],
) -> Mapping[int, HitForecast | NoForecast]:
    """The hit forecasts of the KRs of `cycles` running today, by pk, in a constant
    number of queries; empty with no provider or no running cycle."""
    listed = list(cycles)
    if not listed or not _cycle_hit_forecasts_of:
        return {}
    return _cycle_hit_forecasts_of[0](listed)


def with_hit_forecasts(
    key_results: Iterable[KeyResult],
    forecasts: Mapping[int, HitForecast | NoForecast],
    cycle_end: dt.date,
) -> None:
    """Give each KR (of a cycle ending on `cycle_end`) its hit forecast
    (`kr.hit_forecast`, None outside a running cycle) and its deadline
    (`kr.forecast_deadline`), which `okrs/_forecast.html` shows; no query."""
    for kr in key_results:
        kr.hit_forecast = forecasts.get(kr.pk)  # type: ignore[attr-defined]
        kr.forecast_deadline = kr.deadline or cycle_end  # type: ignore[attr-defined]


def hit_chances(
    forecasts: Mapping[int, HitForecast | NoForecast],
) -> dict[int, float | None]:
    """Each KR's probability of being hit (None without a forecast), by pk: what
    the board's "lowest forecast" sorts by."""
    return {
        pk: forecast.p_hit if isinstance(forecast, HitForecast) else None
        for pk, forecast in forecasts.items()
    }


@dataclass(frozen=True)
class KeyResultOnKPI:
    """A KR that reads a KPI, for the KPI's page: with its cycle's standing, and
    its final grade as the close froze it when its cycle is closed."""

    key_result: KeyResult
    standing: CycleStanding
    frozen: FrozenGrade | None

    @property
    def active(self) -> bool:
        return self.standing.state is CycleState.ACTIVE


def key_results_on_kpi(
    kpi_key: str, today: dt.date | None = None
) -> list[KeyResultOnKPI]:
    """Every KR that reads the KPI, across cycles: those of the active cycle
    first, then by cycle start, newest first. Archived KRs, and those under an
    archived objective or cycle, are left out. Constant queries, whatever the
    number of KRs and cycles."""
    key_results = list(
        KeyResult.objects.filter(
            kpi_key=kpi_key,
            archived_at__isnull=True,
            objective__archived_at__isnull=True,
            objective__cycle__archived_at__isnull=True,
        )
        .select_related("objective__cycle")
        .order_by("-objective__cycle__start", "objective__position", "position")
    )
    cycles = {kr.objective.cycle.pk: kr.objective.cycle for kr in key_results}
    standings = cycles_standing(cycles.values(), today)
    grades = cycles_frozen_grades(cycles.values())
    rows = [
        KeyResultOnKPI(
            key_result=kr,
            standing=standings[kr.objective.cycle_id],
            frozen=grades[kr.objective.cycle_id].key_result(kr.objective.key, kr.key),
        )
        for kr in key_results
    ]
    # Stable: within each group the newest cycle first, as queried.
    return sorted(rows, key=lambda row: not row.active)


# --- A year and its quarters -------------------------------------------------------


@dataclass(frozen=True)
class QuarterOfYear:
    """A cycle a year contains, as the year's board lists it: its state, its
    objectives (not archived) and its score, the close's final grades once it is
    closed (`final`), else the live scores."""

    cycle: Cycle
    standing: CycleStanding
    objective_count: int
    score: float | None
    final: bool

    @property
    def grade(self) -> str | None:
        return grade_text(self.score)


@dataclass(frozen=True)
class AnnualObjective:
    """An objective of a year, with the quarterly objectives aligned to it (their
    `parent`), in the quarters' order."""

    objective: Objective
    aligned: list[Objective]


@dataclass(frozen=True)
class YearBoard:
    """What a year's board adds: its quarters, and its objectives with the
    quarterly objectives aligned to each."""

    quarters: list[QuarterOfYear]
    objectives: list[AnnualObjective]


def year_board(
    year: Cycle, objectives: Iterable[Objective], today: dt.date | None = None
) -> YearBoard | None:
    """The quarters of `year` (the cycles naming it as `parent`, not archived) and
    its `objectives` (those the board shows) with their aligned quarterly
    objectives; None when no cycle names it. Constant queries (nine at most),
    whatever the number of quarters and objectives."""
    quarters = list(year.contained.filter(archived_at__isnull=True))
    if not quarters:
        return None
    standing = cycles_standing(quarters, today)
    grades = cycles_frozen_grades(quarters)
    live: dict[int, list[float | None]] = {quarter.pk: [] for quarter in quarters}
    finals: dict[int, list[float | None]] = {quarter.pk: [] for quarter in quarters}
    for cycle_id, key, score in Objective.objects.filter(
        cycle__in=quarters, archived_at__isnull=True
    ).values_list("cycle_id", "key", "score"):
        live[cycle_id].append(score)
        frozen = grades[cycle_id].objective(key)
        finals[cycle_id].append(frozen.final.score if frozen else None)
    listed = [
        QuarterOfYear(
            cycle=quarter,
            standing=standing[quarter.pk],
            objective_count=len(live[quarter.pk]),
            score=cycle_score(
                finals[quarter.pk] if grades[quarter.pk].frozen else live[quarter.pk]
            ),
            final=grades[quarter.pk].frozen,
        )
        for quarter in quarters
    ]
    annual = list(objectives)
    aligned: dict[int, list[Objective]] = {objective.pk: [] for objective in annual}
    for child in (
        Objective.objects.filter(
            parent__in=annual, cycle__in=quarters, archived_at__isnull=True
        )
        .select_related("cycle", "team")
        .order_by("cycle__start", "cycle__key", "position", "key")
    ):
        assert child.parent_id is not None, "filtered on its parent"
        aligned[child.parent_id].append(child)
    return YearBoard(
        quarters=listed,
        objectives=[AnnualObjective(o, aligned[o.pk]) for o in annual],
    )
