"""Writes to the KPI dictionary's definitions: KPIs added, changed, their sources
and owners. Each is checked by the workspace format's own rules and kept in
history; each announces `kpis_changed`, so that statuses and findings follow."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from drumbeat.accounts.models import Team
from drumbeat.accounts.selectors import owner_assign
from drumbeat.audit.models import Event
from drumbeat.audit.services import (
    archived_set,
    changes_between,
    changes_text,
    event_record,
)
from drumbeat.common.editing import lock_for_edit
from drumbeat.common.guards import is_admin
from drumbeat.common.locks import serialized_write
from drumbeat.core.drives import drives_cycle, drives_cycle_text
from drumbeat.core.model import Direction, Tier
from drumbeat.kpis.models import KPI, SourceState
from drumbeat.kpis.selectors import (
    can_edit_definition,
    critical_success_factors_data,
    kpi_data,
)
from drumbeat.kpis.signals import KPIChange, kpis_changed
from drumbeat.workspace import WorkspaceError, load_workspace_data
from drumbeat.workspace.yamlio import LocatedError

DEFINITION_FIELDS = (
    "name",
    "description",
    "unit",
    "direction",
    "cadence",
    "review_cadence",
    "owner_name",
    "team",
    "perspective",
    "tier",
    "indicator",
    "north_star",
    "financial",
    "benchmarks",
    "drives",
    "ceo_attention",
    "corrective_action",
    "critical_success_factors",
    "dark_side",
    "guardrail",
    "spc_baseline_start",
    "spc_baseline_end",
)
"""A KPI's definition as `kpi_update` takes it (`team`: a Team or None), with
its thresholds beside it."""


CEO_ATTENTION_ADMINS_ONLY = (
    "ceo_attention: only an admin (leadership) sets or clears whether the CEO "
    "follows a KPI; ask an admin to change it."
)


@serialized_write
def kpi_update(
    *,
    kpi: KPI,
    values: dict[str, Any],
    thresholds: dict[str, Any],
    by: User | None,
    version: int,
    reason: str = "",
) -> KPI:
    """Change a KPI's definition (the DEFINITION_FIELDS in `values`; those left
    out stay as they are) and thresholds, checked by the workspace format's
    own rules (thresholds against direction, known drives and no cycle of them);
    refused if it changed since `version` was read. Kept in history, with
    `reason` when given (a cycle's close: "2026-Q3 close"). `ceo_attention` is
    leadership's call: changed by an admin only."""
    locked = lock_for_edit(KPI, kpi.pk, version)
    _ceo_attention_check(locked, values, by)
    before = _definition(locked)
    owner_assign(locked, {"owner_name": locked.owner_name, **values})
    for name in DEFINITION_FIELDS:
        if name in values and name not in ("owner_name", "team"):
            setattr(locked, name, values[name])
    if "team" in values:
        _team_assign(locked, values["team"])
    locked.thresholds = {k: v for k, v in thresholds.items() if v is not None}
    _definition_check(locked)
    locked.updated_by = by
    _history_note(locked, by, reason)
    locked.save()
    changes = changes_between(before, _definition(locked), DEFINITION_AUDITED)
    if changes:
        event_record(
            kind=Event.Kind.DEFINITION,
            action="changed",
            subject=locked.key,
            by=by,
            summary=changes_text(changes) + (f" ({reason})" if reason else ""),
            changes=changes,
        )
    # A definition moves the dictionary-wide and cycle-wide findings too: all the
    # findings on the KPI and the cycles that read it, refreshed once.
    kpis_changed.send(
        sender=KPI, kpi_keys=frozenset([locked.key]), change=KPIChange.DEFINITION
    )
    return locked


DEFINITION_AUDITED = (*DEFINITION_FIELDS, "thresholds")


def _ceo_attention_check(kpi: KPI, values: dict[str, Any], by: User | None) -> None:
    """Refuse anyone but an admin who sets or clears `ceo_attention`; the value
    given back unchanged passes."""
    wanted = values.get("ceo_attention", kpi.ceo_attention)
    if bool(wanted) != kpi.ceo_attention and not (by is not None and is_admin(by)):
        raise PermissionDenied(CEO_ATTENTION_ADMINS_ONLY)


def _team_assign(kpi: KPI, team: Team | None) -> None:
    """A team chosen, or none: a team named only in a file (`team_name`, no such
    team) stays until a team is chosen."""
    if team is not None or kpi.team_id is not None:
        kpi.team = team
        kpi.team_name = ""


def _definition_check(kpi: KPI) -> None:
    """The workspace file's rules on one KPI: its fields, the KPIs its `drives`
    and its `guardrail` name (in the dictionary), the critical success factors it
    names (defined, once any is), and no cycle of drives through the dictionary."""
    drives = dict(KPI.objects.exclude(pk=kpi.pk).values_list("key", "drives"))
    drives[kpi.key] = kpi.drives
    filename = f"KPI {kpi.key}"
    named = {*kpi.drives, kpi.guardrail}
    driven = [
        {"key": key, "name": key}
        for key in sorted(named)
        if key in drives and key != kpi.key
    ]
    load_workspace_data(
        {
            "critical_success_factors": critical_success_factors_data(),
            "kpis": [kpi_data(kpi, []), *driven],
        },
        filename=filename,
    )
    if cycle := drives_cycle(drives, kpi.key):
        problem = LocatedError(None, "drives", drives_cycle_text(cycle))
        raise WorkspaceError(filename, [problem])


def _history_note(kpi: KPI, by: User | None, reason: str) -> None:
    """The person and the reason simple_history keeps with the next version (in a
    request or not: a command, a task)."""
    if by is not None:
        setattr(kpi, "_history_user", by)  # noqa: B010
    if reason:
        setattr(kpi, "_change_reason", reason[:100])  # noqa: B010


@serialized_write
def kpi_tier_set(*, kpi: KPI, tier: Tier, by: User | None, reason: str = "") -> KPI:
    """Move a KPI to another tier (a transient KPI kept at a cycle's close becomes
    secondary). A new definition version, kept with who, when and why."""
    locked = lock_for_edit(KPI, kpi.pk, kpi.version)
    if locked.tier == tier.value:
        return locked
    before = locked.tier
    locked.tier = tier.value
    return _saved_with_reason(
        locked,
        by=by,
        reason=reason,
        action="changed",
        summary=f"tier: {before} → {tier.value}",
        changes={"tier": [before, tier.value]},
    )


def _saved_with_reason(
    locked: KPI,
    *,
    by: User | None,
    reason: str,
    action: str,
    summary: str,
    changes: dict[str, Any] | None = None,
) -> KPI:
    """Save a KPI's new definition version with who and why, in the audit log too,
    and announce it (statuses and findings follow)."""
    locked.updated_by = by
    _history_note(locked, by, reason)
    locked.save()
    event_record(
        kind=Event.Kind.DEFINITION,
        action=action,
        subject=locked.key,
        by=by,
        summary=summary + (f" ({reason})" if reason else ""),
        changes=changes,
    )
    kpis_changed.send(
        sender=KPI, kpi_keys=frozenset([locked.key]), change=KPIChange.DEFINITION
    )
    return locked


def _definition(kpi: KPI) -> dict[str, Any]:
    """The definition as the audit log keeps it: plain JSON values."""
    values = {name: getattr(kpi, name) for name in DEFINITION_AUDITED}
    values["team"] = kpi.team.key if kpi.team else kpi.team_name
    for name in ("spc_baseline_start", "spc_baseline_end"):
        values[name] = values[name] and values[name].isoformat()
    return values


SQL_SOURCE_ADMINS_ONLY = (
    "Only an admin sets, changes or removes an SQL source: its query runs on a "
    "company database."
)


SOURCE_FIELDS = ("type", "connection", "query", "schedule")


@serialized_write
def kpi_source_update(
    *, kpi: KPI, source: dict[str, Any], by: User, version: int
) -> KPI:
    """Change where a KPI's readings come from (`type`, and for `sql` a
    `connection`, a `query` and an optional cron `schedule`), checked by the
    workspace format's own rules; refused if the KPI changed since `version` was
    read. An SQL source is set, changed or removed by admins only; the other kinds
    by the KPI's owner too. The query is part of the definition: kept in history.
    """
    if not can_edit_definition(by, kpi):
        raise PermissionDenied("Only the KPI's owner or an admin edits its source.")
    locked = lock_for_edit(KPI, kpi.pk, version)
    wanted = {
        name: source[name].strip() if isinstance(source[name], str) else source[name]
        for name in SOURCE_FIELDS
        if source.get(name) not in (None, "")
    }
    wanted.setdefault("type", "manual")
    if "sql" in (locked.source.get("type"), wanted["type"]) and not is_admin(by):
        raise PermissionDenied(SQL_SOURCE_ADMINS_ONLY)
    if wanted == locked.source:
        return locked
    changes = changes_between(locked.source, wanted, SOURCE_FIELDS)
    locked.source = wanted
    # The same validation as a workspace file: an sql source's connection, query
    # and schedule; `connection` and `query` only for sql.
    load_workspace_data(
        {"kpis": [kpi_data(locked, [], known=set())]}, filename=f"KPI {locked.key}"
    )
    locked.updated_by = by
    setattr(locked, "_history_user", by)  # noqa: B010
    locked.save()
    if wanted["type"] != "sql":
        SourceState.objects.filter(kpi=locked).delete()
    event_record(
        kind=Event.Kind.SOURCE,
        action="changed",
        subject=locked.key,
        by=by,
        summary=changes_text(changes),
        changes=changes,
    )
    # Lint compares source queries (`kpi-duplicate`); statuses do not move.
    kpis_changed.send(
        sender=KPI, kpi_keys=frozenset([locked.key]), change=KPIChange.SOURCE
    )
    return locked


RESERVED_KPI_KEYS = frozenset({"new", "lint"})
"""Keys that would be hidden by the dictionary's own pages (/kpis/new/)."""


@serialized_write
def kpi_create(*, values: dict[str, Any], by: User) -> KPI:
    """Add a KPI to the dictionary, at its end, checked by the workspace format's
    own rules (a new key, thresholds against direction); its status is computed at
    once, and its history starts with who created it.

    `values` are the KPI's field values: `key`, `name`, and any of `description`,
    `unit`, `direction`, `cadence`, `review_cadence`, `owner`, `owner_name`, `team`,
    `perspective`, `tier`, `indicator`, `north_star`, `financial`, `thresholds`,
    `benchmarks`, `drives`, `ceo_attention`, `corrective_action`,
    `critical_success_factors`, `dark_side`, `guardrail`, `spc_baseline_start`,
    `spc_baseline_end`, `source` (an `sql` source by admins only).
    """
    key = values["key"]
    if (values.get("source") or {}).get("type") == "sql" and not is_admin(by):
        raise PermissionDenied(SQL_SOURCE_ADMINS_ONLY)
    if key in RESERVED_KPI_KEYS:
        raise WorkspaceError(
            f"KPI {key}",
            [
                LocatedError(
                    None,
                    "key",
                    f"'{key}' names a page of the dictionary: choose another key",
                )
            ],
        )
    if KPI.objects.filter(key=key).exists():
        raise WorkspaceError(
            f"KPI {key}",
            [
                LocatedError(
                    None, "key", f"a KPI '{key}' already exists: choose another key"
                )
            ],
        )
    # The workspace format's defaults for what `values` leaves out.
    kpi = KPI(
        **{"direction": Direction.UP.value, "tier": Tier.SECONDARY.value, **values}
    )
    if "owner" not in values:  # an owner by name or e-mail: its account, if any
        owner_assign(kpi, {"owner_name": kpi.owner_name, **values})
    # The same validation as a workspace file: key, thresholds against direction.
    _definition_check(kpi)
    last = KPI.objects.order_by("-position").values_list("position", flat=True).first()
    kpi.position = 0 if last is None else last + 1
    kpi.updated_by = by
    # simple_history records this user, in a request or not (a command, a task).
    setattr(kpi, "_history_user", by)  # noqa: B010
    kpi.save()
    event_record(
        kind=Event.Kind.DEFINITION,
        action="created",
        subject=key,
        by=by,
        summary=f"{kpi.name} added to the dictionary",
    )
    kpis_changed.send(
        sender=KPI, kpi_keys=frozenset([key]), change=KPIChange.DEFINITION
    )
    return kpi


def kpis_owner_assign(*, owner_name: str, username: str) -> int:
    """Make the person `username` the owner account of every KPI whose owner is
    named `owner_name` (who may then edit them and record their readings); the
    number of KPIs."""
    person = User.objects.get(username=username)
    owned = KPI.objects.filter(owner_name=owner_name)
    keys = sorted(owned.values_list("key", flat=True))
    count = owned.update(owner=person)
    if count:
        event_record(
            kind=Event.Kind.DEFINITION,
            action="owner assigned",
            subject=", ".join(keys),
            by=None,
            summary=f"{username} owns the KPIs of {owner_name}",
        )
    return count


ARCHIVE_REFUSAL = "Only the KPI's owner or an admin archives or restores it."


@serialized_write
def kpi_archive(*, kpi: KPI, by: User | None, reason: str = "") -> KPI:
    """Take a KPI off the dashboard, the dictionary, lint and suggestions, its
    readings and history kept and its page still reachable (`by` None: a command).
    The snapshots of closed cycles that read it stay as they were."""
    return _kpi_archived(kpi, True, by, reason)


@serialized_write
def kpi_restore(*, kpi: KPI, by: User | None) -> KPI:
    """Bring an archived KPI back where it was."""
    return _kpi_archived(kpi, False, by, "")


def _kpi_archived(kpi: KPI, archived: bool, by: User | None, reason: str) -> KPI:
    if by is not None and not can_edit_definition(by, kpi):
        raise PermissionDenied(ARCHIVE_REFUSAL)
    if archived_set(
        row=kpi,
        archived=archived,
        by=by,
        kind=Event.Kind.DEFINITION,
        subject=kpi.key,
        reason=reason,
    ):
        kpis_changed.send(
            sender=KPI, kpi_keys=frozenset([kpi.key]), change=KPIChange.DEFINITION
        )
    return kpi
