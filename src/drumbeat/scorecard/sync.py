"""Apply a workspace file to the database, and export the database as one.

`workspace_apply` adds and updates, never deletes, and writes only what differs:
applying the same file twice changes nothing the second time (no new history, no
new readings). Readings go through the one reading service (`readings_ingest`),
as on every other way in: a reading whose value differs is a correction, and the
earlier value stays, superseded. Apply → export → apply is lossless.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth.models import User

from drumbeat.accounts.models import Organisation, Team
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.common.locks import serialized_write
from drumbeat.core.model import Band, Workspace
from drumbeat.core.model import KeyResult as CoreKeyResult
from drumbeat.core.model import Objective as CoreObjective
from drumbeat.core.moments import moment_text
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import (
    IngestError,
    ReadingIn,
    Refresh,
    readings_ingest,
)
from drumbeat.okrs.models import CheckIn, Cycle, CycleClose, KeyResult, Objective
from drumbeat.okrs.selectors import closed_cycle_notice
from drumbeat.scorecard.selectors import database_workspace, workspace_data
from drumbeat.scorecard.services import statuses_refresh
from drumbeat.workspace import (
    WorkspaceError,
    dump_workspace,
    load_workspace_data,
    workspace_to_data,
)
from drumbeat.workspace.yamlio import LocatedError


@dataclass
class ApplyResult:
    """What an apply changed, counted by kind: `created["kpi"]`, `updated[...]`."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "Nothing to change: the database already matches the file."
        parts = [
            f"{n} {kind}{'s' if n != 1 else ''} created"
            for kind, n in sorted((+self.created).items())
        ]
        parts += [
            f"{n} {kind}{'s' if n != 1 else ''} updated"
            for kind, n in sorted((+self.updated).items())
        ]
        return "Applied: " + ", ".join(parts) + "."


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, dict subclasses as dicts."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat()))


def _update(row: Any, values: dict[str, Any]) -> bool:
    """Set the fields that differ; True when any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


_LOOK_UP: Any = object()


def _upsert(
    model: Any,
    lookup: dict[str, Any],
    values: dict[str, Any],
    kind: str,
    result: ApplyResult,
    *,
    found: Any = _LOOK_UP,
    **save: Any,
) -> Any:
    """Create the row of `lookup` with `values`, or set those that differ on it
    (its history gains a record only then). `found` is the row when the caller
    read them all at once (None: there is none)."""
    row = model.objects.filter(**lookup).first() if found is _LOOK_UP else found
    if row is None:
        row = model(**lookup, **values, **save)
        row.save()
        result.created[kind] += 1
    elif _update(row, values):
        for name, value in save.items():
            setattr(row, name, value)
        if hasattr(row, "version"):
            row.version += 1
        row.save()
        result.updated[kind] += 1
    return row


def _link_parents(
    rows: dict[str, Any], parents: dict[str, str | None], kind: str, result: ApplyResult
) -> None:
    """Point each row at its parent (teams, objectives), once all rows exist."""
    for key, parent_key in parents.items():
        row, parent = rows[key], rows.get(parent_key) if parent_key else None
        if row.parent_id != (parent.pk if parent else None):
            row.parent = parent
            row.save()
            result.updated[f"{kind} parent"] += 1


@serialized_write
def workspace_apply(
    workspace: Workspace,
    *,
    by: User | None = None,
    source: str = Reading.Source.APPLY,
    source_detail: str = "",
) -> ApplyResult:
    """Make the database hold everything in `workspace`, all or nothing: each kind
    in turn, then every status, score and finding recomputed once."""
    result = ApplyResult()
    _organisation_apply(workspace, result)
    teams = _teams_apply(workspace, result)
    _kpis_apply(workspace, teams, result, by)
    _readings_apply(workspace, result, by, source, source_detail)
    cycles = _cycles_apply(workspace, result)
    _objectives_apply(workspace, teams, cycles, result)
    if result.changed:
        event_record(
            kind=Event.Kind.WORKSPACE,
            action="applied",
            subject=source_detail or "a workspace",
            by=by,
            summary=result.summary(),
        )
    if result.changed or not _statuses_complete():
        statuses_refresh()
    return result


def _organisation_apply(workspace: Workspace, result: ApplyResult) -> None:
    if not workspace.organisation:
        return
    organisation = Organisation.objects.first() or Organisation()
    if organisation.name != workspace.organisation:
        organisation.name = workspace.organisation
        organisation.save()
        result.updated["organisation"] += 1


def _teams_apply(workspace: Workspace, result: ApplyResult) -> dict[str, Team]:
    """The file's teams, linked to their parents; every team by key."""
    teams = {
        team.key: _upsert(Team, {"key": team.key}, {"name": team.name}, "team", result)
        for team in workspace.teams
    }
    _link_parents(teams, {t.key: t.parent for t in workspace.teams}, "team", result)
    return {t.key: t for t in Team.objects.all()}


def _kpis_apply(
    workspace: Workspace, teams: dict[str, Team], result: ApplyResult, by: User | None
) -> None:
    """The file's KPI definitions, in the file's order (their readings apart)."""
    definitions = replace(
        workspace, kpis=tuple(replace(kpi, readings=()) for kpi in workspace.kpis)
    )
    plain = workspace_to_data(definitions).get("kpis", [])
    existing = {kpi.key: kpi for kpi in KPI.objects.all()}
    for position, (kpi, kpi_data) in enumerate(zip(workspace.kpis, plain, strict=True)):
        kpi_team = teams.get(kpi.team) if kpi.team else None
        values = {
            "name": kpi.name,
            "description": kpi.description or "",
            "unit": kpi.unit or "",
            "direction": str(kpi.direction),
            "cadence": str(kpi.cadence) if kpi.cadence else "",
            "owner_name": kpi.owner or "",
            "team": kpi_team,
            "team_name": "" if kpi_team else (kpi.team or ""),
            "perspective": str(kpi.perspective) if kpi.perspective else "",
            "tier": str(kpi.tier),
            "indicator": str(kpi.indicator) if kpi.indicator else "",
            "north_star": kpi.north_star,
            "financial": kpi.financial,
            "thresholds": _plain(kpi_data.get("thresholds", {})),
            "benchmarks": _plain(kpi_data.get("benchmarks", {})),
            "drives": list(kpi.drives),
            "source": _plain(kpi_data.get("source", {})),
            "spc_baseline_start": kpi.spc_baseline.start if kpi.spc_baseline else None,
            "spc_baseline_end": kpi.spc_baseline.end if kpi.spc_baseline else None,
        }
        row = _upsert(
            KPI,
            {"key": kpi.key},
            values,
            "KPI",
            result,
            found=existing.get(kpi.key),
            updated_by=by,
        )
        if row.position != position:
            KPI.objects.filter(pk=row.pk).update(position=position)


def _readings_apply(
    workspace: Workspace,
    result: ApplyResult,
    by: User | None,
    source: str,
    source_detail: str,
) -> None:
    """The file's readings, through the one reading service: new ones added, a
    changed value a correction that keeps the earlier one, the rest unchanged."""

    def readings() -> Iterator[ReadingIn]:
        for kpi in workspace.kpis:
            for reading in kpi.readings:
                yield ReadingIn(kpi.key, reading.at, reading.value, reading.note or "")

    try:
        ingested = readings_ingest(
            readings=readings,
            by=by,
            source=source,
            source_detail=source_detail,
            refresh=Refresh.CALLER,  # everything is recomputed once, at the end
        )
    except IngestError as error:
        raise _readings_refused(workspace, error) from None
    result.created["reading"] += ingested.created
    result.updated["reading"] += ingested.corrected


def _readings_refused(workspace: Workspace, error: IngestError) -> WorkspaceError:
    """The readings the service refused, named as a workspace file names them."""
    where = {}
    wanted = {problem.index for problem in error.problems}
    index = 0
    for kpi in workspace.kpis:
        for reading in kpi.readings:
            if index in wanted:
                where[index] = f"kpis[{kpi.key}].readings[{moment_text(reading.at)}]"
            index += 1
    return WorkspaceError(
        "workspace",
        [
            LocatedError(
                None, f"{where[problem.index]}.{problem.field}", problem.message
            )
            for problem in error.problems
        ],
    )


def _cycles_apply(workspace: Workspace, result: ApplyResult) -> dict[str, Cycle]:
    _closed_cycles_refused(workspace)
    return {
        cycle.key: _upsert(
            Cycle,
            {"key": cycle.key},
            {"start": cycle.start, "end": cycle.end},
            "cycle",
            result,
        )
        for cycle in workspace.cycles
    }


def _objectives_apply(
    workspace: Workspace,
    teams: dict[str, Team],
    cycles: dict[str, Cycle],
    result: ApplyResult,
) -> None:
    """The file's objectives with their KRs and check-ins, then their parents
    (what the database holds read in three queries, not three a KR)."""
    _closed_objectives_refused(workspace)
    existing = {row.key: row for row in Objective.objects.all()}
    key_results = {(row.objective_id, row.key): row for row in KeyResult.objects.all()}
    checkins: dict[int, list[CheckIn]] = defaultdict(list)
    for checkin in CheckIn.objects.order_by("at", "created_at"):
        checkins[checkin.key_result_id].append(checkin)
    objectives = {}
    for position, objective in enumerate(workspace.objectives):
        objective_team = teams.get(objective.team) if objective.team else None
        row = _upsert(
            Objective,
            {"key": objective.key},
            {
                "title": objective.title,
                "cycle": cycles[objective.cycle],
                "team": objective_team,
                "team_name": "" if objective_team else (objective.team or ""),
                "owner_name": objective.owner or "",
                "commitment": str(objective.commitment),
                "position": position,
            },
            "objective",
            result,
            found=existing.get(objective.key),
        )
        objectives[objective.key] = row
        for kr_position, kr in enumerate(objective.key_results):
            kr_row = _key_result_apply(
                row, kr, kr_position, result, key_results.get((row.pk, kr.key))
            )
            _checkins_apply(kr_row, kr, result, checkins.get(kr_row.pk, []))
    _link_parents(
        objectives,
        {o.key: o.parent for o in workspace.objectives},
        "objective",
        result,
    )


def _closed_cycles_refused(workspace: Workspace) -> None:
    """Refuse a file that moves a closed cycle's dates (they would move its
    scores): WorkspaceError at the cycle, naming who closed it and when."""
    closed = _closed_cycles()
    problems = [
        LocatedError(
            None,
            f"cycles[{cycle.key}]",
            f"changes the dates of a closed cycle: {closed_cycle_notice(stored)}",
        )
        for cycle in workspace.cycles
        if (stored := closed.get(cycle.key)) is not None
        and (stored.start, stored.end) != (cycle.start, cycle.end)
    ]
    if problems:
        raise WorkspaceError("workspace", problems)


def _closed_objectives_refused(workspace: Workspace) -> None:
    """Refuse a file that adds, changes or moves a closed cycle's objectives, KRs
    or check-ins (as the services do): WorkspaceError at each, naming the cycle
    and who closed it; what the file leaves as it is passes."""
    closed = _closed_cycles()
    if not closed:
        return
    stored_cycle = dict(
        Objective.objects.filter(
            key__in=[objective.key for objective in workspace.objectives]
        ).values_list("key", "cycle__key")
    )
    concerned = {
        objective.key: closed.get(objective.cycle)
        or closed[stored_cycle[objective.key]]
        for objective in workspace.objectives
        if objective.cycle in closed or stored_cycle.get(objective.key) in closed
    }
    if not concerned:
        return
    data = workspace_data(KPI.objects.none(), readings_of=(), objectives=concerned)
    stored = {
        objective.key: objective
        for objective in load_workspace_data(data, filename="<database>").objectives
    }
    problems = []
    for objective in workspace.objectives:
        cycle = concerned.get(objective.key)
        if cycle is None:
            continue
        for where, what in _objective_changes(objective, stored.get(objective.key)):
            message = f"changes {what} of a closed cycle: {closed_cycle_notice(cycle)}"
            problems.append(LocatedError(None, where, message))
    if problems:
        raise WorkspaceError("workspace", problems)


def _closed_cycles() -> dict[str, Cycle]:
    return {
        cycle.key: cycle
        for cycle in Cycle.objects.filter(
            pk__in=CycleClose.objects.filter(reopened_at__isnull=True).values("cycle")
        )
    }


def _objective_changes(
    objective: CoreObjective, stored: CoreObjective | None
) -> Iterator[tuple[str, str]]:
    """Where and what a file's objective changes of the one stored: the
    objective itself, else each KR (with its check-ins) that differs."""
    where = f"objectives[{objective.key}]"
    if stored is None or replace(objective, key_results=()) != replace(
        stored, key_results=()
    ):
        yield where, "an objective"
        return
    stored_key_results = {kr.key: kr for kr in stored.key_results}
    for kr in objective.key_results:
        if stored_key_results.get(kr.key) != kr:
            yield f"{where}.key_results[{kr.key}]", "a key result"


def _key_result_apply(
    objective: Objective,
    kr: CoreKeyResult,
    position: int,
    result: ApplyResult,
    found: KeyResult | None,
) -> KeyResult:
    target = (
        [kr.target.low, kr.target.high] if isinstance(kr.target, Band) else kr.target
    )
    row: KeyResult = _upsert(
        KeyResult,
        {"objective": objective, "key": kr.key},
        {
            "title": kr.title or "",
            "kpi_key": kr.kpi,
            "kind": str(kr.kind),
            "baseline": kr.baseline,
            "target": target,
            "deadline": kr.deadline,
            "owner_name": kr.owner or "",
            "weight": kr.weight,
            "position": position,
        },
        "key result",
        result,
        found=found,
    )
    return row


def _checkins_apply(
    row: KeyResult, kr: CoreKeyResult, result: ApplyResult, stored: list[CheckIn]
) -> None:
    """A KR's check-ins as the file lists them (a file's list replaces the
    database's, `stored`, when they differ)."""
    wanted = [
        (c.at, c.by or "", c.confidence, c.note or "", c.blockers or "")
        for c in kr.checkins
    ]
    have = [(c.at, c.by_name, c.confidence, c.note, c.blockers) for c in stored]
    if wanted == have:
        return
    row.checkins.all().delete()
    CheckIn.objects.bulk_create(
        CheckIn(
            key_result=row,
            at=at,
            by_name=by_name,
            confidence=confidence,
            note=note,
            blockers=blockers,
        )
        for at, by_name, confidence, note, blockers in wanted
    )
    if have:
        result.updated["check-in list"] += 1
    else:
        result.created["check-in"] += len(wanted)


def _statuses_complete() -> bool:
    return not KPI.objects.filter(status__isnull=True).exists()


def workspace_export() -> str:
    """The database as a workspace file (YAML)."""
    return dump_workspace(database_workspace())
