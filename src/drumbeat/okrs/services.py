"""Writes to OKRs: key results and check-ins."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from drumbeat.accounts.selectors import (
    can_edit_team_okrs,
    owner_assign,
    person_display_name,
)
from drumbeat.audit.models import Event
from drumbeat.audit.services import archived_set, change_record, event_record, values_of
from drumbeat.common.editing import lock_for_edit
from drumbeat.common.guards import is_admin
from drumbeat.common.locks import serialized_write
from drumbeat.core.cycles import cycle_contains
from drumbeat.core.model import Target
from drumbeat.core.scoring import parse_relative_target, relative_target_text
from drumbeat.core.values import note_problem
from drumbeat.kpis.models import KPI
from drumbeat.kpis.selectors import current_readings, kpi_data, readings_data
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


CHECK_IN_REPEATED = "You already checked in on this KR today with these words."


def check_in_repeated(
    key_result: KeyResult, by: User, note: str, blockers: str
) -> bool:
    """Whether `by` already checked in on the KR today with the same text (a
    form sent twice)."""
    return CheckIn.objects.filter(
        key_result=key_result,
        by=by,
        at=timezone.localdate(),
        note=note,
        blockers=blockers,
        archived_at__isnull=True,
    ).exists()


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
    if not problems and check_in_repeated(key_result, by, note, blockers):
        problems["note"] = CHECK_IN_REPEATED
    if problems:
        raise ValidationError(problems)
    return CheckIn.objects.create(
        key_result=key_result,
        at=timezone.localdate(),
        by=by,
        by_name=person_display_name(by),
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
    target only on a range KPI, a relative target "+10%" resolved against the
    baseline and stored resolved beside its percent, a unique key); an edit over
    someone else's newer change is refused. Its score is computed at once. A
    closed cycle's KRs are refused (CycleClosedError)."""
    ensure_cycle_open(objective.cycle)
    if key_result is None:
        row = KeyResult(objective=objective, position=objective.key_results.count())
        before = None
    else:
        row = lock_for_edit(KeyResult, key_result.pk, version)
        before = values_of(row, KEY_RESULT_FIELDS)
    kept = _kept_relative_target(row, values) if key_result is not None else None
    owner_assign(row, values)
    for name in KEY_RESULT_FIELDS:
        if name != "owner_name":
            setattr(row, name, values[name])
    row.updated_by = by
    clash = objective.key_results.filter(key=row.key).exclude(pk=row.pk).exists()
    if clash:
        raise WorkspaceError(
            "KR",
            [LocatedError(None, "key", f"this objective already has a KR '{row.key}'")],
        )
    # A relative target ("+10%") is checked and resolved by the format's rules,
    # and stored resolved, with the percent it was set as; an edit that leaves it
    # as it was keeps the stored level, even if the baseline has moved since.
    if kept is not None:
        row.target, row.relative_target = kept
    elif isinstance(row.target, str):
        row.relative_target = parse_relative_target(row.target)
    else:
        row.relative_target = values.get("relative_target")
    resolved = _validate(objective, row)
    if isinstance(row.target, str):
        row.target = resolved
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


def _kept_relative_target(
    stored: KeyResult, values: dict[str, Any]
) -> tuple[Target, float] | None:
    """The stored target and its percent when an edit leaves the relative target
    as it was: the same percent text (the form's "+25%") or the same level and
    percent (the API's GET body sent back), on the same KPI, kind and baseline.
    None when the target is to be resolved again (or is a level)."""
    percent = stored.relative_target
    if percent is None or any(
        values[name] != getattr(stored, name)
        for name in ("kpi_key", "kind", "baseline")
    ):
        return None
    target = values["target"]
    unchanged = (
        parse_relative_target(target) == percent
        if isinstance(target, str)
        else (target, values.get("relative_target")) == (stored.target, percent)
    )
    return (stored.target, percent) if unchanged else None


def _validate(objective: Objective, row: KeyResult) -> Target:
    """Check the KR by the workspace format's rules; its target as loaded (a
    relative one resolved against the baseline)."""
    kpi = KPI.objects.filter(key=row.kpi_key).first()
    cycle = objective.cycle
    kr: dict[str, Any] = {
        "key": row.key,
        "kpi": row.kpi_key,
        "kind": row.kind,
        "target": row.target,
        "weight": row.weight,
    }
    if row.relative_target is not None and not isinstance(row.target, str):
        kr["relative_target"] = relative_target_text(row.relative_target)
    if row.baseline is not None:
        kr["baseline"] = row.baseline
    if row.deadline is not None:
        kr["deadline"] = row.deadline
    # The reading a relative target resolves against, when no baseline is set.
    before: list[dict[str, Any]] = []
    if kpi is not None and isinstance(row.target, str) and row.baseline is None:
        latest = (
            current_readings([kpi])
            .filter(day__lte=cycle.start)
            .order_by("-day", "-at")
            .values_list("pk", flat=True)[:1]
        )
        before = readings_data(current_readings([kpi]).filter(pk__in=list(latest))).get(
            kpi.pk, []
        )
    workspace = load_workspace_data(
        {
            "kpis": [kpi_data(kpi, before, known=set())] if kpi else [],
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
    return workspace.objectives[0].key_results[0].target


OBJECTIVE_FIELDS = ("key", "title", "team", "owner_name", "commitment", "parent")
CYCLE_FIELDS = ("key", "start", "end", "parent")


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
    owner_assign(row, values)
    for name in OBJECTIVE_FIELDS:
        if name != "owner_name":
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
        if name in values:  # `parent` may be left out: it stays as it is
            setattr(row, name, values[name])
    if Cycle.objects.filter(key=row.key).exclude(pk=row.pk).exists():
        raise WorkspaceError(
            "cycle",
            [LocatedError(None, "key", f"a cycle '{row.key}' already exists")],
        )
    _containing_cycle_check(row)
    load_workspace_data({"cycles": _cycle_with_parent(row)}, filename="cycle")
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


def _cycle_with_parent(row: Cycle) -> list[dict[str, Any]]:
    """The cycle, and the one containing it, as the workspace format checks them
    (a year holds its quarter's dates)."""
    cycle = {"key": row.key, "start": row.start, "end": row.end}
    parent = row.parent
    if parent is None:
        return [cycle]
    outer = {"key": parent.key, "start": parent.start, "end": parent.end}
    return [outer, cycle | {"parent": parent.key}]


def _containing_cycle_check(row: Cycle) -> None:
    """Cycles contain others one level deep: a year, its quarters (WorkspaceError
    on `parent`)."""
    parent = row.parent
    if parent is None:
        return
    if parent.pk == row.pk:
        message = "a cycle cannot contain itself"
    elif parent.parent_id is not None:
        message = f"'{parent.key}' is itself inside another cycle: choose a year"
    elif row.pk is not None and Cycle.objects.filter(parent=row).exists():
        message = f"'{row.key}' contains other cycles: it cannot be inside one"
    else:
        return
    raise WorkspaceError("cycle", [LocatedError(None, "parent", message)])


# --- Archive and restore ------------------------------------------------------------

OKRS_ARCHIVE_REFUSAL = "Only the team's editors and admins archive or restore its OKRs."
CYCLE_ARCHIVE_REFUSAL = "Only admins archive or restore cycles."
CHECK_IN_ARCHIVE_REFUSAL = (
    "Only the check-in's author, the team's editors and admins archive or restore it."
)


@serialized_write
def objective_archive(
    *, objective: Objective, by: User | None, reason: str = ""
) -> Objective:
    """Take an objective off its cycle's board, lint and the review agenda, its
    KRs, check-ins and history kept and its page still reachable."""
    return _okr_archived(objective, True, by, reason)


@serialized_write
def objective_restore(*, objective: Objective, by: User | None) -> Objective:
    """Bring an archived objective back to its cycle's board."""
    return _okr_archived(objective, False, by)


@serialized_write
def key_result_archive(
    *, key_result: KeyResult, by: User | None, reason: str = ""
) -> KeyResult:
    """Take a KR out of its objective's score, the board and lint, its
    check-ins and history kept."""
    return _okr_archived(key_result, True, by, reason)


@serialized_write
def key_result_restore(*, key_result: KeyResult, by: User | None) -> KeyResult:
    """Bring an archived KR back into its objective."""
    return _okr_archived(key_result, False, by)


@serialized_write
def cycle_archive(*, cycle: Cycle, by: User | None, reason: str = "") -> Cycle:
    """Take a cycle off the cycle lists, lint and suggestions. Nothing else is
    archived with it, and a closed cycle keeps its final grades."""
    return _okr_archived(cycle, True, by, reason)


@serialized_write
def cycle_restore(*, cycle: Cycle, by: User | None) -> Cycle:
    """Bring an archived cycle back."""
    return _okr_archived(cycle, False, by)


@serialized_write
def check_in_archive(*, checkin: CheckIn, by: User | None, reason: str = "") -> CheckIn:
    """Take a check-in off its KR (its confidence no longer the latest), kept."""
    return _okr_archived(checkin, True, by, reason)


@serialized_write
def check_in_restore(*, checkin: CheckIn, by: User | None) -> CheckIn:
    """Bring an archived check-in back."""
    return _okr_archived(checkin, False, by)


@serialized_write
def okr_archived_set(
    *, row: Objective | KeyResult | Cycle | CheckIn, archived: bool, by: User
) -> None:
    """Archive (`archived`) or restore a cycle, an objective, a KR or a check-in
    for a person, whichever it is: the pages' Archive and Restore buttons."""
    _okr_archived(row, archived, by)


def can_change_check_in(user: User, checkin: CheckIn) -> bool:
    """A check-in's author changes it; so do its team's editors and admins."""
    return checkin.by_id == user.pk or can_edit_team_okrs(
        user, checkin.key_result.objective.team
    )


def _check_in_subject(checkin: CheckIn) -> str:
    key_result = checkin.key_result
    return f"{key_result.objective.key}/{key_result.key} check-in of {checkin.at}"


ArchivedRow = TypeVar("ArchivedRow", bound=Objective | KeyResult | Cycle | CheckIn)


def _okr_archived(
    row: ArchivedRow, archived: bool, by: User | None, reason: str = ""
) -> ArchivedRow:
    """Archive or restore `row` for `by` (None: a command) if they may edit it;
    the scores and findings it moves are refreshed. A closed cycle's snapshot is
    not touched."""
    kpi_keys: frozenset[str] = frozenset()
    cycle: Cycle
    if isinstance(row, Cycle):
        cycle, subject, kind = row, row.key, Event.Kind.CYCLE
        allowed = by is None or is_admin(by)
        refusal = CYCLE_ARCHIVE_REFUSAL
    elif isinstance(row, Objective):
        cycle, subject, kind = row.cycle, row.key, Event.Kind.OBJECTIVE
        allowed = by is None or can_edit_team_okrs(by, row.team)
        refusal = OKRS_ARCHIVE_REFUSAL
        kpi_keys = frozenset(row.key_results.values_list("kpi_key", flat=True))
    elif isinstance(row, KeyResult):
        objective = row.objective
        cycle, kind = objective.cycle, Event.Kind.TARGET
        subject = f"{objective.key}/{row.key}"
        allowed = by is None or can_edit_team_okrs(by, objective.team)
        refusal = OKRS_ARCHIVE_REFUSAL
        kpi_keys = frozenset([row.kpi_key])
    else:
        cycle, kind = row.key_result.objective.cycle, Event.Kind.TARGET
        subject = _check_in_subject(row)
        allowed = by is None or can_change_check_in(by, row)
        refusal = CHECK_IN_ARCHIVE_REFUSAL
    if not allowed:
        raise PermissionDenied(refusal)
    if archived_set(
        row=row, archived=archived, by=by, kind=kind, subject=subject, reason=reason
    ):
        okrs_changed.send(
            sender=type(row), kpi_keys=kpi_keys, cycle_keys=frozenset([cycle.key])
        )
    return row


CHECK_IN_DELETE_REFUSAL = "Only the check-in's author deletes it."
CHECK_IN_DELETE_TOO_LATE = (
    "A check-in can be deleted only on the day it was made ({day}); archive it instead."
)


@serialized_write
def check_in_delete(*, checkin: CheckIn, by: User) -> None:
    """Delete a check-in its author made today (a slip of the hand); later it is
    part of the record and can only be archived. Kept in the log."""
    if checkin.by_id != by.pk:
        raise PermissionDenied(CHECK_IN_DELETE_REFUSAL)
    made = timezone.localdate(checkin.created_at)
    if made != timezone.localdate():
        raise ValidationError(CHECK_IN_DELETE_TOO_LATE.format(day=made.isoformat()))
    ensure_cycle_open(checkin.key_result.objective.cycle)
    event_record(
        kind=Event.Kind.TARGET,
        action="deleted",
        subject=_check_in_subject(checkin),
        by=by,
        summary=checkin.note,
    )
    checkin.delete()
