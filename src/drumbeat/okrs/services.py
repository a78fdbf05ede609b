"""Writes to OKRs: key results and check-ins."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone

from drumbeat.audit.models import Event
from drumbeat.audit.services import change_record, values_of
from drumbeat.common.editing import lock_for_edit
from drumbeat.common.locks import serialized_write
from drumbeat.core.cycles import cycle_contains
from drumbeat.core.values import note_problem
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import kpi_data
from drumbeat.okrs.models import CheckIn, Cycle, KeyResult, Objective
from drumbeat.okrs.selectors import closed_cycle_notice
from drumbeat.okrs.signals import okrs_changed
from drumbeat.workspace import WorkspaceError, load_workspace_data
from drumbeat.workspace.yamlio import LocatedError


class CycleClosedError(Exception):
    """A change to a closed cycle's scores or structure (a 409 in the API); the
    message says who closed it and when."""


def ensure_cycle_open(cycle: Cycle) -> None:
    """Raise CycleClosedError when `cycle` is closed: its scores and structure are
    read-only until an admin reopens it."""
    if notice := closed_cycle_notice(cycle):
        raise CycleClosedError(notice)


def parent_ensure_allowed(cycle: Cycle, parent: Objective) -> None:
    """Refuse a "contributes to" from an objective in `cycle` to `parent`: into a
    closed cycle (CycleClosedError), or to a cycle that does not contain `cycle`
    (WorkspaceError on `parent`)."""
    ensure_cycle_open(parent.cycle)
    if not cycle_contains(
        (parent.cycle.start, parent.cycle.end), (cycle.start, cycle.end)
    ):
        raise WorkspaceError(
            "objective",
            [
                LocatedError(
                    None,
                    "parent",
                    f"'{parent.key}' is in {parent.cycle.key}, which does not "
                    f"contain {cycle.key}: an objective contributes to one in its "
                    "own cycle or in a cycle containing it",
                )
            ],
        )


def key_result_check_in(
    *,
    key_result: KeyResult,
    by: User,
    confidence: float,
    note: str = "",
    blockers: str = "",
) -> CheckIn:
    """Record a person's check-in on a KR today. Raises ValidationError naming
    the field that cannot be kept."""
    problems: dict[str, str] = {}
    ensure_cycle_open(key_result.objective.cycle)
    if not 0.0 <= confidence <= 1.0:
        problems["confidence"] = "Confidence is between 0 and 1."
    for name, text in (("note", note), ("blockers", blockers)):
        if wrong := note_problem(text):
            problems[name] = f"The {name} {wrong}."
    if problems:
        raise ValidationError(problems)
    return CheckIn.objects.create(
        key_result=key_result,
        at=timezone.localdate(),
        by=by,
        by_name=by.get_full_name() or by.get_username(),
        confidence=confidence,
        note=note,
        blockers=blockers,
    )


KEY_RESULT_FIELDS = (
    "key",
    "title",
    "kpi_key",
    "kind",
    "baseline",
    "target",
    "deadline",
    "owner_name",
    "weight",
)


@serialized_write
def key_result_save(
    *,
    objective: Objective,
    key_result: KeyResult | None,
    values: dict[str, Any],
    by: User,
    version: int | None = None,
) -> KeyResult:
    """Create or change a KR, checked by the workspace format's own rules (a band
    target only for a sustain KR on a range KPI, a unique key); an edit over
    someone else's newer change is refused. Its score is computed at once. A
    closed cycle's KRs are refused (CycleClosedError)."""
    ensure_cycle_open(objective.cycle)
    if key_result is None:
        row = KeyResult(objective=objective, position=objective.key_results.count())
        before = None
    else:
        row = lock_for_edit(KeyResult, key_result.pk, version)
        before = values_of(row, KEY_RESULT_FIELDS)
    for name in KEY_RESULT_FIELDS:
        setattr(row, name, values[name])
    row.updated_by = by
    clash = objective.key_results.filter(key=row.key).exclude(pk=row.pk).exists()
    if clash:
        raise WorkspaceError(
            "KR",
            [LocatedError(None, "key", f"this objective already has a KR '{row.key}'")],
        )
    _validate(objective, row)
    row.save()
    change_record(
        kind=Event.Kind.TARGET,
        subject=f"{objective.key}/{row.key}",
        by=by,
        before=before,
        after=values_of(row, KEY_RESULT_FIELDS),
    )
    okrs_changed.send(
        sender=KeyResult,
        kpi_keys=frozenset([row.kpi_key]),
        cycle_keys=frozenset([objective.cycle.key]),
    )
    return row


def _validate(objective: Objective, row: KeyResult) -> None:
    kpi = KPI.objects.filter(key=row.kpi_key).first()
    cycle = objective.cycle
    kr: dict[str, Any] = {
        "key": row.key,
        "kpi": row.kpi_key,
        "kind": row.kind,
        "target": row.target,
        "weight": row.weight,
    }
    if row.baseline is not None:
        kr["baseline"] = row.baseline
    if row.deadline is not None:
        kr["deadline"] = row.deadline
    load_workspace_data(
        {
            "kpis": [kpi_data(kpi, [], known=set())] if kpi else [],
            "cycles": [{"key": cycle.key, "start": cycle.start, "end": cycle.end}],
            "objectives": [
                {
                    "key": objective.key,
                    "title": objective.title,
                    "cycle": cycle.key,
                    "key_results": [kr],
                }
            ],
        },
        filename="KR",
    )


OBJECTIVE_FIELDS = ("key", "title", "team", "owner_name", "commitment", "parent")
CYCLE_FIELDS = ("key", "start", "end")


@serialized_write
def objective_save(
    *,
    cycle: Cycle,
    objective: Objective | None,
    values: dict[str, Any],
    by: User,
    version: int | None = None,
) -> Objective:
    """Create or change an objective; an edit over someone else's newer change is
    refused. Keys are unique across cycles, as in workspace files. Nothing is
    written in or aligned to a closed cycle (CycleClosedError); the parent is in
    the same cycle or one containing it (`parents_allowed`)."""
    ensure_cycle_open(cycle)
    if objective is None:
        row = Objective(cycle=cycle, position=cycle.objectives.count())
        before = None
    else:
        row = lock_for_edit(Objective, objective.pk, version)
        before = values_of(row, OBJECTIVE_FIELDS)
    parent_before = row.parent_id
    for name in OBJECTIVE_FIELDS:
        setattr(row, name, values[name])
    row.updated_by = by
    if Objective.objects.filter(key=row.key).exclude(pk=row.pk).exists():
        raise WorkspaceError(
            "objective",
            [LocatedError(None, "key", f"an objective '{row.key}' already exists")],
        )
    if row.parent_id is not None and row.parent_id == row.pk:
        raise WorkspaceError(
            "objective", [LocatedError(None, "parent", "cannot be its own parent")]
        )
    if row.parent is not None and row.parent_id != parent_before:
        parent_ensure_allowed(cycle, row.parent)
    row.save()
    change_record(
        kind=Event.Kind.OBJECTIVE,
        subject=row.key,
        by=by,
        before=before,
        after=values_of(row, OBJECTIVE_FIELDS),
    )
    okrs_changed.send(sender=Objective, cycle_keys=frozenset([cycle.key]))
    return row


@serialized_write
def cycle_save(
    *,
    cycle: Cycle | None,
    values: dict[str, Any],
    by: User,
    version: int | None = None,
) -> Cycle:
    """Create or change a cycle, checked by the workspace format's own rules (it
    ends after it starts; keys are unique). KR scores and lint findings in it are
    recomputed, since both read its dates. Kept in history. A closed cycle's
    dates are refused (CycleClosedError): they would move its scores."""
    if cycle is not None:
        ensure_cycle_open(cycle)
    row = Cycle() if cycle is None else lock_for_edit(Cycle, cycle.pk, version)
    before = None if cycle is None else values_of(row, CYCLE_FIELDS)
    for name in CYCLE_FIELDS:
        setattr(row, name, values[name])
    if Cycle.objects.filter(key=row.key).exclude(pk=row.pk).exists():
        raise WorkspaceError(
            "cycle",
            [LocatedError(None, "key", f"a cycle '{row.key}' already exists")],
        )
    load_workspace_data(
        {"cycles": [{"key": row.key, "start": row.start, "end": row.end}]},
        filename="cycle",
    )
    row.updated_by = by
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    change_record(
        kind=Event.Kind.CYCLE,
        subject=row.key,
        by=by,
        before=before,
        after=values_of(row, CYCLE_FIELDS),
    )
    reading = KeyResult.objects.filter(objective__cycle=row).values_list(
        "kpi_key", flat=True
    )
    okrs_changed.send(
        sender=Cycle, kpi_keys=frozenset(reading), cycle_keys=frozenset([row.key])
    )
    return row
