"""Apply a workspace file to the database, and export the database as one.

`workspace_apply` adds and updates, never deletes, and writes only what differs
(what the database holds and the file does not is listed, and archived only when
asked; a reading recorded outside a file is overwritten only when asked):
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
from drumbeat.accounts.selectors import PersonIndex, owner_values
from drumbeat.audit.models import Event
from drumbeat.audit.services import archived_set, event_record
from drumbeat.common.locks import serialized_write
from drumbeat.core.model import Band, Workspace
from drumbeat.core.model import KeyResult as CoreKeyResult
from drumbeat.core.model import Objective as CoreObjective
from drumbeat.core.moments import moment_text
from drumbeat.kpis.models import KPI, CriticalSuccessFactor, Reading
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
    """What an apply changed, counted by kind (`created["KPI"]`, `updated[...]`),
    and what it found in the database but not in the file (`not_in_file`, left
    alone, or `archived` with prune), and the values recorded outside the file
    that it overwrote or would (`would_overwrite`)."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    not_in_file: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    would_overwrite: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or self.archived)

    @property
    def matches(self) -> bool:
        """Whether the database holds exactly what the file says (live rows)."""
        return not self.changed and not self.not_in_file

    def summary(self) -> str:
        if self.matches:
            return "Nothing to change: the database already matches the file."
        lines = []
        parts = [
            f"{n} {kind}{'s' if n != 1 else ''} created"
            for kind, n in sorted((+self.created).items())
        ]
        parts += [
            f"{n} {kind}{'s' if n != 1 else ''} updated"
            for kind, n in sorted((+self.updated).items())
        ]
        if self.archived:
            parts.append(f"{len(self.archived)} archived (--prune)")
        if parts:
            verb = "Would apply" if self.dry_run else "Applied"
            lines.append(f"{verb}: " + ", ".join(parts) + ".")
        else:
            lines.append("Nothing in the file to change.")
        if self.would_overwrite:
            lines.append(
                "Recorded outside the file and overwritten by it"
                if not self.dry_run
                else "Recorded outside the file, to be overwritten by it"
            )
            lines[-1] += f" ({len(self.would_overwrite)}):"
            lines += [f"  {item}" for item in self.would_overwrite]
        if self.archived:
            lines.append(f"Archived, not in the file ({len(self.archived)}):")
            lines += [f"  {item}" for item in self.archived]
        elif self.not_in_file:
            lines.append(
                f"Not in the file, left alone ({len(self.not_in_file)}; "
                "--prune archives them):"
            )
            lines += [f"  {item}" for item in self.not_in_file]
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """The contract's JSON of an apply: additive keys only."""
        return {
            "changed": self.changed,
            "created": dict(+self.created),
            "updated": dict(+self.updated),
            "not_in_file": self.not_in_file,
            "archived": self.archived,
            "would_overwrite": self.would_overwrite,
            "dry_run": self.dry_run,
        }


class OverwriteRefusedError(Exception):
    """Applying would overwrite values recorded outside the file (on the web,
    through the API, an import or a pull): refused without `overwrite`."""

    def __init__(self, would_overwrite: list[str]) -> None:
        self.would_overwrite = would_overwrite
        listed = "\n".join(f"  {item}" for item in would_overwrite)
        super().__init__(
            f"The file would overwrite {len(would_overwrite)} value"
            f"{'s' if len(would_overwrite) != 1 else ''} recorded outside it; "
            f"nothing was written. Apply with --overwrite to replace them:\n{listed}"
        )


class _DryRunError(Exception):
    """Raised to roll a dry run back, carrying its result."""

    def __init__(self, result: ApplyResult) -> None:
        self.result = result


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


def _owner_fields(text: str | None, found: Any, people: PersonIndex) -> dict[str, Any]:
    """The owner fields of a row written in a file (`owner_values`), except that a
    row whose owner the file names as the database already does keeps its account:
    an account given by hand (`drumbeat manage demo_users`, a form) whose display
    name is not that text survives a file exported and applied again, as
    `owner_assign` keeps it on a form."""
    if (
        found is not None
        and found.owner_id is not None
        and (text or "").strip() == found.owner_name
    ):
        return {"owner_id": found.owner_id, "owner_name": found.owner_name}
    return owner_values(text, people)


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


def workspace_apply(
    workspace: Workspace,
    *,
    by: User | None = None,
    source: str = Reading.Source.APPLY,
    source_detail: str = "",
    prune: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
) -> ApplyResult:
    """Make the database hold everything in `workspace`, all or nothing: each kind
    in turn, then every status, score and finding recomputed once.

    What the database holds and the file does not is listed (`not_in_file`) and
    left alone, or archived with `prune`, in the same transaction. A reading
    recorded outside a file (on the web, the API, an import, a pull) that the file
    would change is refused (`OverwriteRefusedError`) unless `overwrite`. A `dry_run`
    does it all and rolls it back: the plan, nothing written."""
    try:
        return _workspace_apply(
            workspace,
            by=by,
            source=source,
            source_detail=source_detail,
            prune=prune,
            overwrite=overwrite,
            dry_run=dry_run,
        )
    except _DryRunError as rolled_back:
        return rolled_back.result


@serialized_write
def _workspace_apply(
    workspace: Workspace,
    *,
    by: User | None,
    source: str,
    source_detail: str,
    prune: bool,
    overwrite: bool,
    dry_run: bool,
) -> ApplyResult:
    result = ApplyResult(dry_run=dry_run)
    result.would_overwrite = _readings_overwritten(workspace)
    if result.would_overwrite and not (overwrite or dry_run):
        raise OverwriteRefusedError(result.would_overwrite)
    _organisation_apply(workspace, result)
    teams = _teams_apply(workspace, result)
    _critical_success_factors_apply(workspace, result)
    _kpis_apply(workspace, teams, result, by)
    _readings_apply(workspace, result, by, source, source_detail)
    cycles = _cycles_apply(workspace, result)
    unmatched = _objectives_apply(workspace, teams, cycles, result)
    _not_in_file(workspace, unmatched, result, by=by, prune=prune)
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
    if dry_run:
        raise _DryRunError(result)  # the transaction rolls everything back
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


def _critical_success_factors_apply(workspace: Workspace, result: ApplyResult) -> None:
    """The file's critical success factors, in the file's order."""
    for position, factor in enumerate(workspace.critical_success_factors):
        _upsert(
            CriticalSuccessFactor,
            {"key": factor.key},
            {"name": factor.name, "position": position},
            "critical success factor",
            result,
        )


def _kpis_apply(
    workspace: Workspace, teams: dict[str, Team], result: ApplyResult, by: User | None
) -> None:
    """The file's KPI definitions, in the file's order (their readings apart)."""
    definitions = replace(
        workspace, kpis=tuple(replace(kpi, readings=()) for kpi in workspace.kpis)
    )
    plain = workspace_to_data(definitions).get("kpis", [])
    existing = {kpi.key: kpi for kpi in KPI.objects.all()}
    people = PersonIndex()
    for position, (kpi, kpi_data) in enumerate(zip(workspace.kpis, plain, strict=True)):
        kpi_team = teams.get(kpi.team) if kpi.team else None
        values = {
            "name": kpi.name,
            "description": kpi.description or "",
            "unit": kpi.unit or "",
            "direction": str(kpi.direction),
            "cadence": str(kpi.cadence) if kpi.cadence else "",
            "review_cadence": str(kpi.review_cadence) if kpi.review_cadence else "",
            **_owner_fields(kpi.owner, existing.get(kpi.key), people),
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
            "ceo_attention": kpi.ceo_attention,
            "corrective_action": kpi.corrective_action or "",
            "critical_success_factors": list(kpi.critical_success_factors),
            "dark_side": kpi.dark_side or "",
            "guardrail": kpi.guardrail or "",
            "source": _plain(kpi_data.get("source", {})),
            "spc_baseline_start": kpi.spc_baseline.start if kpi.spc_baseline else None,
            "spc_baseline_end": kpi.spc_baseline.end if kpi.spc_baseline else None,
            "spc_periods": _plain(kpi_data.get("spc", {}).get("periods", [])),
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
    """The file's cycles, then which contains which (a year, its quarters)."""
    _closed_cycles_refused(workspace)
    cycles = {
        cycle.key: _upsert(
            Cycle,
            {"key": cycle.key},
            {"start": cycle.start, "end": cycle.end},
            "cycle",
            result,
        )
        for cycle in workspace.cycles
    }
    _link_parents(cycles, {c.key: c.parent for c in workspace.cycles}, "cycle", result)
    return cycles


def _objectives_apply(
    workspace: Workspace,
    teams: dict[str, Team],
    cycles: dict[str, Cycle],
    result: ApplyResult,
) -> list[CheckIn]:
    """The file's objectives with their KRs and check-ins, then their parents
    (what the database holds read in three queries, not three a KR); the live
    check-ins of their KRs that the file does not hold."""
    _closed_objectives_refused(workspace)
    existing = {row.key: row for row in Objective.objects.all()}
    key_results = {(row.objective_id, row.key): row for row in KeyResult.objects.all()}
    checkins: dict[int, list[CheckIn]] = defaultdict(list)
    for checkin in CheckIn.objects.filter(archived_at__isnull=True).order_by(
        "at", "created_at"
    ):
        checkins[checkin.key_result_id].append(checkin)
    unmatched: list[CheckIn] = []
    objectives = {}
    people = PersonIndex()
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
                **_owner_fields(objective.owner, existing.get(objective.key), people),
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
                row, kr, kr_position, result, key_results.get((row.pk, kr.key)), people
            )
            unmatched += _checkins_apply(
                kr_row, kr, result, checkins.get(kr_row.pk, [])
            )
    _link_parents(
        objectives,
        {o.key: o.parent for o in workspace.objectives},
        "objective",
        result,
    )
    return unmatched


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
    people: PersonIndex,
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
            "relative_target": kr.relative_target,
            "deadline": kr.deadline,
            **_owner_fields(kr.owner, found, people),
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
) -> list[CheckIn]:
    """The file's check-ins on a KR that the database does not hold yet, added;
    those of `stored` (live) that the file does not hold, returned: kept, as a
    check-in made on the web or through the API is."""
    unmatched = list(stored)
    missing = []
    for checkin in kr.checkins:
        wanted = (
            checkin.at,
            checkin.by or "",
            checkin.confidence,
            checkin.note or "",
            checkin.blockers or "",
        )
        held = next((c for c in unmatched if _checkin_values(c) == wanted), None)
        if held is None:
            missing.append(wanted)
        else:
            unmatched.remove(held)
    CheckIn.objects.bulk_create(
        CheckIn(
            key_result=row,
            at=at,
            by_name=by_name,
            confidence=confidence,
            note=note,
            blockers=blockers,
        )
        for at, by_name, confidence, note, blockers in missing
    )
    result.created["check-in"] += len(missing)
    return unmatched


def _checkin_values(checkin: CheckIn) -> tuple[Any, ...]:
    return (
        checkin.at,
        checkin.by_name,
        checkin.confidence,
        checkin.note,
        checkin.blockers,
    )


def _readings_overwritten(workspace: Workspace) -> list[str]:
    """The file's readings that would correct a current reading recorded outside
    a file (on the web, the API, an import, a pull), one line each."""
    held = {
        (kpi_key, at): (value, note, source, who)
        for kpi_key, at, value, note, source, who in Reading.objects.current()
        .filter(kpi__key__in=[kpi.key for kpi in workspace.kpis])
        .exclude(source=Reading.Source.APPLY)
        .values_list(
            "kpi__key", "at", "value", "note", "source", "recorded_by__username"
        )
    }
    lines = []
    for kpi in workspace.kpis:
        for reading in kpi.readings:
            at = moment_text(reading.at)
            found = held.get((kpi.key, at))
            if found is None:
                continue
            value, note, source, who = found
            if (value, note) != (reading.value, reading.note or ""):
                lines.append(
                    f"reading {kpi.key} {at}: {value:g} ({source}"
                    f"{' by ' + who if who else ''}) → {reading.value:g} in the file"
                )
    return lines


def _not_in_file(
    workspace: Workspace,
    checkins: list[CheckIn],
    result: ApplyResult,
    *,
    by: User | None,
    prune: bool,
) -> None:
    """List what the database holds live and the file does not; with `prune`,
    archive it (readings are never archived: they are the record)."""
    live: list[tuple[str, Any, str]] = []
    teams = {team.key for team in workspace.teams}
    live += [
        (f"team {row.key}", row, Event.Kind.TEAM)
        for row in Team.objects.filter(archived_at__isnull=True).exclude(key__in=teams)
    ]
    kpis = {kpi.key for kpi in workspace.kpis}
    live += [
        (f"KPI {row.key}", row, Event.Kind.DEFINITION)
        for row in KPI.objects.filter(archived_at__isnull=True).exclude(key__in=kpis)
    ]
    cycles = {cycle.key for cycle in workspace.cycles}
    live += [
        (f"cycle {row.key}", row, Event.Kind.CYCLE)
        for row in Cycle.objects.filter(archived_at__isnull=True).exclude(
            key__in=cycles
        )
    ]
    objectives = {o.key: {kr.key for kr in o.key_results} for o in workspace.objectives}
    live += [
        (f"objective {row.key}", row, Event.Kind.OBJECTIVE)
        for row in Objective.objects.filter(archived_at__isnull=True).exclude(
            key__in=objectives
        )
    ]
    live += [
        (f"key result {row.objective.key}/{row.key}", row, Event.Kind.TARGET)
        for row in KeyResult.objects.filter(
            archived_at__isnull=True, objective__key__in=objectives
        ).select_related("objective")
        if row.key not in objectives[row.objective.key]
    ]
    live += [
        (_checkin_text(checkin), checkin, Event.Kind.TARGET) for checkin in checkins
    ]
    for text, row, kind in live:
        result.not_in_file.append(text)
        if prune:
            archived_set(
                row=row,
                archived=True,
                by=by,
                kind=kind,
                subject=text,
                reason="not in the applied file (--prune)",
            )
            result.archived.append(text)
    result.not_in_file += _readings_not_in_file(workspace)


def _checkin_text(checkin: CheckIn) -> str:
    key_result = checkin.key_result
    made = "on the web or the API" if checkin.by_id else "from a file"
    return (
        f"check-in on {key_result.objective.key}/{key_result.key} of {checkin.at} "
        f"by {checkin.by_name or 'someone'} ({made})"
    )


def _readings_not_in_file(workspace: Workspace) -> list[str]:
    """The current readings of the file's KPIs that the file does not hold, by
    KPI: left alone, even with prune."""
    in_file = {
        (kpi.key, moment_text(reading.at))
        for kpi in workspace.kpis
        for reading in kpi.readings
    }
    missing: Counter[str] = Counter()
    for kpi_key, at in (
        Reading.objects.current()
        .filter(kpi__key__in=[kpi.key for kpi in workspace.kpis])
        .values_list("kpi__key", "at")
    ):
        if (kpi_key, at) not in in_file:
            missing[kpi_key] += 1
    return [
        f"{n} reading{'s' if n != 1 else ''} of {kpi_key} (kept: readings are never"
        " archived)"
        for kpi_key, n in sorted(missing.items())
    ]


def _statuses_complete() -> bool:
    return not KPI.objects.filter(status__isnull=True).exists()


def workspace_export() -> str:
    """The database as a workspace file (YAML)."""
    return dump_workspace(database_workspace())
