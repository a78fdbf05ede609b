"""What an export holds: the rows of readings, KPI statuses, scores or check-ins
for a filter, read in a constant number of queries and yielded lazily, so that
the writers can stream them (a few hundred thousand readings or more).

Everyone signed in may export: everyone signed in reads everything.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from drumbeat.accounts.models import Team
from drumbeat.core.display import grade_text
from drumbeat.core.model import Tier
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.selectors import (
    PERSPECTIVES,
    ModelRow,
    kpis_filtered,
    readings_filtered,
)
from drumbeat.okrs.grades import FrozenGrade, cycles_frozen_grades
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective
from drumbeat.okrs.selectors import cycles_standing, objectives_filtered

KINDS = ("readings", "scores", "statuses", "checkins")
FORMATS = ("csv", "xlsx", "json")
SCHEMA = 1
CHUNK_SIZE = 2000

Row = tuple[Any, ...]


class ExportError(ValueError):
    """A filter that cannot be exported, with the field it concerns."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ExportFilter:
    """Which rows an export holds; built (and checked) by `export_filter`.

    - `team`: readings and statuses of the team's KPIs; scores and check-ins of
      the team's objectives.
    - `tier`, `perspective`, `kpi_keys`: those KPIs; for scores and check-ins, the
      key results on them (and their objectives).
    - `cycle`: readings dated in the cycle, of the KPIs its key results measure;
      the statuses of those KPIs; the cycle's objectives and check-ins.
    - `since`, `until` (inclusive): readings by day, check-ins by date, scores of
      the cycles that overlap those dates. Statuses are as of their last refresh.
    - `superseded`: readings only; corrected values too, with when they were.
    """

    kind: str
    team: str | None = None
    tier: str | None = None
    perspective: str | None = None
    kpi_keys: tuple[str, ...] = ()
    cycle: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    superseded: bool = False

    def as_json(self) -> dict[str, Any]:
        """The filters that are set, for the JSON export's header."""
        values = {
            "team": self.team,
            "tier": self.tier,
            "perspective": self.perspective,
            "kpi": list(self.kpi_keys) or None,
            "cycle": self.cycle,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "superseded": self.superseded or None,
        }
        return {name: value for name, value in values.items() if value is not None}


@dataclass(frozen=True)
class ExportTable:
    """An export's column names and its rows, read when iterated."""

    kind: str
    columns: tuple[str, ...]
    rows: Iterable[Row] = field(repr=False)


def export_filter(
    *,
    kind: str,
    team: str | None = None,
    tier: str | None = None,
    perspective: str | None = None,
    kpi_keys: Sequence[str] = (),
    cycle: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    superseded: bool = False,
) -> ExportFilter:
    """The filter, checked: raises ExportError naming the first bad field."""
    if kind not in KINDS:
        raise ExportError("kind", f"Choose one of {', '.join(KINDS)}, not {kind!r}.")
    tiers = [t.value for t in Tier]
    if tier and tier not in tiers:
        raise ExportError("tier", f"No tier {tier!r}: choose {', '.join(tiers)}.")
    if perspective and perspective not in PERSPECTIVES:
        raise ExportError(
            "perspective",
            f"No perspective {perspective!r}: choose {', '.join(PERSPECTIVES)}.",
        )
    if team and not Team.objects.filter(key=team).exists():
        raise ExportError("team", f"No team {team!r}.")
    if cycle and not Cycle.objects.filter(key=cycle).exists():
        raise ExportError("cycle", f"No cycle {cycle!r}.")
    keys = tuple(dict.fromkeys(k for k in kpi_keys if k))
    if keys:
        known = set(KPI.objects.filter(key__in=keys).values_list("key", flat=True))
        unknown = [k for k in keys if k not in known]
        if unknown:
            raise ExportError(
                "kpi_keys",
                f"No KPI {', '.join(repr(k) for k in unknown)} in the dictionary.",
            )
    if since and until and until < since:
        raise ExportError("until", f"{until} is before {since}: swap the dates.")
    if kind == "statuses" and (since or until):
        raise ExportError(
            "since" if since else "until",
            "KPI statuses are as of their last refresh: leave the dates empty.",
        )
    if superseded and kind != "readings":
        raise ExportError("superseded", "Only readings have superseded values.")
    return ExportFilter(
        kind=kind,
        team=team or None,
        tier=tier or None,
        perspective=perspective or None,
        kpi_keys=keys,
        cycle=cycle or None,
        since=since,
        until=until,
        superseded=superseded,
    )


def export_table(export: ExportFilter) -> ExportTable:
    """The columns and (lazy) rows of an export."""
    build = {
        "readings": _readings,
        "statuses": _statuses,
        "scores": _scores,
        "checkins": _checkins,
    }[export.kind]
    columns, rows = build(export)
    return ExportTable(export.kind, columns, rows)


def _kpis_chosen(
    rows: QuerySet[ModelRow], export: ExportFilter, *, with_team: bool, via: str = ""
) -> QuerySet[ModelRow]:
    """`rows` narrowed to the KPIs that the filter's KPI fields choose: KPIs, or
    with `via` "kpi__" rows that point at a KPI (see `kpis_filtered`)."""
    rows = kpis_filtered(
        rows,
        via=via,
        team=export.team if with_team else None,
        tier=export.tier,
        perspective=export.perspective,
        keys=export.kpi_keys,
    )
    if export.cycle:
        measured = KeyResult.objects.filter(objective__cycle__key=export.cycle)
        rows = rows.filter(**{f"{via}key__in": measured.values("kpi_key")})
    return rows


READING_COLUMNS = (
    "kpi",
    "kpi_name",
    "unit",
    "at",
    "day",
    "value",
    "note",
    "source",
    "source_detail",
    "recorded_by",
    "recorded_at",
    "superseded_at",
)


def _readings(export: ExportFilter) -> tuple[tuple[str, ...], Iterator[Row]]:
    """Current readings (and corrected ones, on request), with provenance, by KPI
    in dictionary order, then date; one query, read in chunks."""
    readings = _kpis_chosen(
        readings_filtered(
            Reading.objects.all(),
            superseded=export.superseded,
            since=export.since,
            until=export.until,
        ),
        export,
        with_team=True,
        via="kpi__",
    )
    if export.cycle:
        cycle = Cycle.objects.filter(key=export.cycle)
        readings = readings.filter(
            day__gte=cycle.values("start"), day__lte=cycle.values("end")
        )
    rows = readings.order_by(
        "kpi__position", "kpi__key", "day", "at", "recorded_at"
    ).values_list(
        "kpi__key",
        "kpi__name",
        "kpi__unit",
        "at",
        "day",
        "value",
        "note",
        "source",
        "source_detail",
        "recorded_by__username",
        "recorded_at",
        "superseded_at",
    )
    return READING_COLUMNS, rows.iterator(chunk_size=CHUNK_SIZE)


STATUS_COLUMNS = (
    "kpi",
    "kpi_name",
    "team",
    "perspective",
    "tier",
    "unit",
    "as_of",
    "health",
    "threshold_health",
    "stale",
    "lifecycle",
    "latest_day",
    "latest_value",
    "signals",
    "computed_at",
)


def _statuses(export: ExportFilter) -> tuple[tuple[str, ...], Iterator[Row]]:
    """Each chosen KPI's stored status, in dictionary order (one query); a KPI
    with no status yet has empty status columns."""
    kpis = (
        _kpis_chosen(KPI.objects.all(), export, with_team=True)
        .order_by("position", "key")
        .values_list(
            "key",
            "name",
            "team__key",
            "team_name",
            "perspective",
            "tier",
            "unit",
            "status__as_of",
            "status__health",
            "status__threshold_health",
            "status__stale",
            "status__lifecycle",
            "status__latest_day",
            "status__latest_value",
            "status__signals",
            "status__computed_at",
        )
    )

    def rows() -> Iterator[Row]:
        for key, name, team, team_name, *rest in kpis.iterator(chunk_size=CHUNK_SIZE):
            yield (key, name, team or team_name, *rest)

    return STATUS_COLUMNS, rows()


SCORE_COLUMNS = (
    "cycle",
    "level",
    "objective",
    "key_result",
    "title",
    "team",
    "owner",
    "commitment",
    "kpi",
    "kind",
    "weight",
    "baseline",
    "current",
    "target",
    "progress",
    "score",
    "grade",
    "state",
    "outcome",
    "restated_score",
    "restated_grade",
    "restated_because",
)
"""A closed cycle's rows carry the final grades its close froze (`score`,
`grade`, `outcome`) and, when a later reading changed a score, the restatement."""


def _frozen_columns(
    score: float | None, frozen: FrozenGrade | None, state: str
) -> tuple[Any, ...]:
    """`score`, `grade`, `state`, `outcome` and the restatement's columns: the
    final grade in a closed cycle, else the live score."""
    if frozen is None:
        return (score, grade_text(score), state, None, None, None, None)
    restated = frozen.restated
    return (
        frozen.final.score,
        frozen.final.grade,
        state,
        frozen.final.outcome,
        *(
            (None, None, None)
            if restated is None
            else (restated.score, restated.grade, restated.because)
        ),
    )


def _objectives_chosen(export: ExportFilter) -> QuerySet[Objective]:
    return objectives_filtered(
        Objective.objects.all(),
        cycle=export.cycle,
        team=export.team,
        since=export.since,
        until=export.until,
    )


def _key_results_chosen(export: ExportFilter) -> Q:
    """The key results on the KPIs the filter chooses (all, without KPI fields)."""
    if not (export.tier or export.perspective or export.kpi_keys):
        return Q()
    kpis = _kpis_chosen(KPI.objects.all(), export, with_team=False).values("key")
    return Q(kpi_key__in=kpis)


def _scores(export: ExportFilter) -> tuple[tuple[str, ...], Iterator[Row]]:
    """Each chosen objective's row (its stored score and grade), then its key
    results' rows (baseline, current, target, progress, score, grade), by cycle;
    two queries."""
    chosen = _key_results_chosen(export)
    objectives = _objectives_chosen(export)
    if chosen:
        objectives = objectives.filter(
            pk__in=KeyResult.objects.filter(chosen).values("objective")
        )
    objectives = objectives.select_related("cycle", "team").order_by(
        "cycle__start", "cycle__key", "position", "key"
    )

    def rows() -> Iterator[Row]:
        listed = list(objectives)
        cycles = list({objective.cycle for objective in listed})
        states = {pk: str(s.state) for pk, s in cycles_standing(cycles).items()}
        grades = cycles_frozen_grades(cycles)
        by_objective: dict[int, list[KeyResult]] = defaultdict(list)
        for kr in KeyResult.objects.filter(chosen, objective__in=listed).order_by(
            "objective", "position", "key"
        ):
            by_objective[kr.objective_id].append(kr)
        for objective in listed:
            team = objective.team.key if objective.team else objective.team_name
            frozen = grades[objective.cycle_id]
            state = states[objective.cycle_id]
            yield (
                objective.cycle.key,
                "objective",
                objective.key,
                None,
                objective.title,
                team,
                objective.owner_name,
                objective.commitment,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                *_frozen_columns(
                    objective.score, frozen.objective(objective.key), state
                ),
            )
            for kr in by_objective[objective.pk]:
                yield (
                    objective.cycle.key,
                    "key_result",
                    objective.key,
                    kr.key,
                    kr.title,
                    team,
                    kr.owner_name or objective.owner_name,
                    objective.commitment,
                    kr.kpi_key,
                    kr.kind,
                    kr.weight,
                    kr.computed_baseline,
                    kr.current,
                    kr.target,
                    kr.progress,
                    *_frozen_columns(
                        kr.score, frozen.key_result(objective.key, kr.key), state
                    ),
                )

    return SCORE_COLUMNS, rows()


CHECKIN_COLUMNS = (
    "cycle",
    "objective",
    "key_result",
    "kpi",
    "team",
    "at",
    "by",
    "confidence",
    "note",
    "blockers",
    "recorded_at",
)


def _checkins(export: ExportFilter) -> tuple[tuple[str, ...], Iterator[Row]]:
    """Check-ins on the chosen objectives' key results, by cycle, objective, key
    result and date (one query)."""
    checkins = CheckIn.objects.filter(
        key_result__objective__in=_objectives_chosen(export)
    )
    chosen = _key_results_chosen(export)
    if chosen:
        checkins = checkins.filter(
            key_result__in=KeyResult.objects.filter(chosen).values("pk")
        )
    if export.since:
        checkins = checkins.filter(at__gte=export.since)
    if export.until:
        checkins = checkins.filter(at__lte=export.until)
    values = checkins.order_by(
        "key_result__objective__cycle__start",
        "key_result__objective__cycle__key",
        "key_result__objective__position",
        "key_result__objective__key",
        "key_result__position",
        "key_result__key",
        "at",
        "created_at",
    ).values_list(
        "key_result__objective__cycle__key",
        "key_result__objective__key",
        "key_result__key",
        "key_result__kpi_key",
        "key_result__objective__team__key",
        "key_result__objective__team_name",
        "at",
        "by_name",
        "by__username",
        "confidence",
        "note",
        "blockers",
        "created_at",
    )

    def rows() -> Iterator[Row]:
        for row in values.iterator(chunk_size=CHUNK_SIZE):
            cycle, objective, kr, kpi, team, team_name, at, by_name, username = row[:9]
            yield (
                cycle,
                objective,
                kr,
                kpi,
                team or team_name,
                at,
                by_name or username,
                *row[9:],
            )

    return CHECKIN_COLUMNS, rows()
