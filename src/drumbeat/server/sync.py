"""Apply a workspace file to the database, and export the database as one.

`workspace_apply` adds and updates, never deletes, and writes only what differs:
applying the same file twice changes nothing the second time (no new history, no
new readings). A reading whose value differs is a correction: the earlier value
stays, superseded. Apply → export → apply is lossless.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from drumbeat.accounts.models import Organisation, Team
from drumbeat.core.model import Band, Workspace
from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.selectors import database_workspace
from drumbeat.kpis.services import statuses_refresh
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective
from drumbeat.workspace import dump_workspace, workspace_to_data


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
            for kind, n in sorted(self.created.items())
        ]
        parts += [
            f"{n} {kind}{'s' if n != 1 else ''} updated"
            for kind, n in sorted(self.updated.items())
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


def _upsert(
    model: Any,
    lookup: dict[str, Any],
    values: dict[str, Any],
    kind: str,
    result: ApplyResult,
    **save: Any,
) -> Any:
    row = model.objects.filter(**lookup).first()
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


@transaction.atomic
def workspace_apply(
    workspace: Workspace,
    *,
    by: User | None = None,
    source: str = Reading.Source.APPLY,
    source_detail: str = "",
) -> ApplyResult:
    """Make the database hold everything in `workspace`, all or nothing."""
    result = ApplyResult()
    data = workspace_to_data(workspace)
    if workspace.organisation:
        organisation = Organisation.objects.first() or Organisation()
        if organisation.name != workspace.organisation:
            organisation.name = workspace.organisation
            organisation.save()
            result.updated["organisation"] += 1

    teams = {}
    for team in workspace.teams:
        teams[team.key] = _upsert(
            Team, {"key": team.key}, {"name": team.name}, "team", result
        )
    _link_parents(teams, {t.key: t.parent for t in workspace.teams}, "team", result)
    all_teams = {t.key: t for t in Team.objects.all()}

    now = timezone.now()
    for position, (kpi, kpi_data) in enumerate(
        zip(workspace.kpis, data.get("kpis", []), strict=True)
    ):
        kpi_team = all_teams.get(kpi.team) if kpi.team else None
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
        row = _upsert(KPI, {"key": kpi.key}, values, "KPI", result, updated_by=by)
        if row.position != position:
            KPI.objects.filter(pk=row.pk).update(position=position)

        current = {
            r.at: r for r in Reading.objects.filter(kpi=row, superseded_at__isnull=True)
        }
        new_readings = []
        for reading in kpi.readings:
            at = reading.at.isoformat()
            note = reading.note or ""
            existing = current.get(at)
            if existing is not None:
                if existing.value == reading.value and existing.note == note:
                    continue
                existing.superseded_at = now
                existing.save(update_fields=["superseded_at"])
                result.updated["reading"] += 1
            else:
                result.created["reading"] += 1
            new_readings.append(
                Reading(
                    kpi=row,
                    at=at,
                    day=reading.day,
                    value=reading.value,
                    note=note,
                    source=source,
                    source_detail=source_detail,
                    recorded_by=by,
                )
            )
        Reading.objects.bulk_create(new_readings, batch_size=2000)

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
    objectives = {}
    for position, objective in enumerate(workspace.objectives):
        objective_team = all_teams.get(objective.team) if objective.team else None
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
        )
        objectives[objective.key] = row
        for kr_position, kr in enumerate(objective.key_results):
            target = (
                [kr.target.low, kr.target.high]
                if isinstance(kr.target, Band)
                else kr.target
            )
            kr_row = _upsert(
                KeyResult,
                {"objective": row, "key": kr.key},
                {
                    "title": kr.title or "",
                    "kpi_key": kr.kpi,
                    "kind": str(kr.kind),
                    "baseline": kr.baseline,
                    "target": target,
                    "deadline": kr.deadline,
                    "owner_name": kr.owner or "",
                    "weight": kr.weight,
                    "position": kr_position,
                },
                "key result",
                result,
            )
            wanted = [
                (c.at, c.by or "", c.confidence, c.note or "", c.blockers or "")
                for c in kr.checkins
            ]
            have = [
                (c.at, c.by_name, c.confidence, c.note, c.blockers)
                for c in kr_row.checkins.order_by("at", "created_at")
            ]
            if wanted != have:
                kr_row.checkins.all().delete()
                CheckIn.objects.bulk_create(
                    CheckIn(
                        key_result=kr_row,
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
    _link_parents(
        objectives,
        {o.key: o.parent for o in workspace.objectives},
        "objective",
        result,
    )

    if result.changed or not _statuses_complete():
        statuses_refresh()
    return result


def _statuses_complete() -> bool:
    return not KPI.objects.filter(status__isnull=True).exists()


def workspace_export() -> str:
    """The database as a workspace file (YAML)."""
    return dump_workspace(database_workspace())
