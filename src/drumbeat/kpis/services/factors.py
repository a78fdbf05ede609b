"""Writes to the organisation's critical success factors (Parmenter's sixth
characteristic): added, renamed, deleted by admins, each checked by the workspace
format's own rules and kept in the audit log. A factor a KPI names is never
deleted from under it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError

from drumbeat.audit.models import Event
from drumbeat.audit.services import changes_text, event_record
from drumbeat.common.guards import require_admin
from drumbeat.common.locks import serialized_write
from drumbeat.kpis.models import CriticalSuccessFactor
from drumbeat.kpis.selectors import (
    critical_success_factors_data,
    kpis_naming_factors,
)
from drumbeat.workspace import WorkspaceError, load_workspace_data
from drumbeat.workspace.yamlio import LocatedError

FACTORS_ADMINS_ONLY = (
    "Only admins add, rename or delete critical success factors: they are the "
    "whole organisation's."
)


@serialized_write
def critical_success_factor_create(
    *, key: str, name: str, by: User | AnonymousUser
) -> CriticalSuccessFactor:
    """Add a critical success factor at the end of the list: admins only, a new
    key, checked by the workspace format's rules. Refused while KPIs name factors
    that are not defined (the format allows that only while none is defined):
    they would break the dictionary."""
    user = require_admin(by, FACTORS_ADMINS_ONLY)
    key, name = key.strip(), name.strip()
    if CriticalSuccessFactor.objects.filter(key=key).exists():
        raise _refused(key, "key", f"'{key}' already exists: choose another key")
    factors = [*critical_success_factors_data(), {"key": key, "name": name}]
    _factors_check(factors)
    defined = {f["key"] for f in factors}
    undefined = {
        factor: kpis
        for factor, kpis in kpis_naming_factors().items()
        if factor not in defined
    }
    if undefined:
        named = "; ".join(
            f"'{factor}' by {', '.join(kpi_key for kpi_key, _ in kpis)}"
            for factor, kpis in undefined.items()
        )
        raise _refused(
            key,
            "key",
            f"KPIs name critical success factors that are not defined ({named}): "
            "remove them from those KPIs first, or apply a workspace file that "
            "defines them all",
        )
    last = CriticalSuccessFactor.objects.order_by("-position").first()
    factor = CriticalSuccessFactor.objects.create(
        key=key, name=name, position=0 if last is None else last.position + 1
    )
    _factor_event(factor, "created", user, f"critical success factor '{name}' added")
    return factor


@serialized_write
def critical_success_factor_rename(
    *, factor: CriticalSuccessFactor, name: str, by: User | AnonymousUser
) -> CriticalSuccessFactor:
    """Give a critical success factor another name (its key stays: KPIs name
    it by its key): admins only."""
    user = require_admin(by, FACTORS_ADMINS_ONLY)
    name = name.strip()
    _factors_check([{"key": factor.key, "name": name}])
    if name == factor.name:
        return factor
    changes = {"name": [factor.name, name]}
    factor.name = name
    factor.save(update_fields=["name"])
    _factor_event(factor, "changed", user, changes_text(changes), changes)
    return factor


@serialized_write
def critical_success_factor_delete(
    *, factor: CriticalSuccessFactor, by: User | AnonymousUser
) -> None:
    """Delete a critical success factor no KPI names: admins only. While KPIs
    name it, refused, naming them (they would lose a characteristic silently)."""
    user = require_admin(by, FACTORS_ADMINS_ONLY)
    naming = kpis_naming_factors().get(factor.key, [])
    if naming:
        raise ValidationError(
            f"'{factor.name}' is named by the KPIs "
            f"{', '.join(kpi_key for kpi_key, _ in naming)}: take it off "
            "their definitions first, then delete it."
        )
    factor.delete()
    summary = f"critical success factor '{factor.name}' deleted"
    _factor_event(factor, "deleted", user, summary)


def _factor_event(
    factor: CriticalSuccessFactor,
    action: str,
    by: User,
    summary: str,
    changes: dict[str, list[str]] | None = None,
) -> None:
    """The audit log's record of a change to a factor, among the definitions'."""
    event_record(
        kind=Event.Kind.DEFINITION,
        action=action,
        subject=f"critical success factor {factor.key}",
        by=by,
        summary=summary,
        changes=changes,
    )


def _factors_check(factors: list[dict[str, str]]) -> None:
    """The workspace format's rules on the factors: keys and names, problems
    located at the field they are about (`key`, `name`)."""
    try:
        load_workspace_data(
            {"critical_success_factors": factors}, filename="critical success factors"
        )
    except WorkspaceError as error:
        raise WorkspaceError(
            error.filename,
            [
                LocatedError(
                    None, (problem.field or "").rsplit(".", 1)[-1], problem.message
                )
                for problem in error.problems
            ],
        ) from None


def _refused(key: str, field: str, message: str) -> WorkspaceError:
    return WorkspaceError(
        f"critical success factor {key}", [LocatedError(None, field, message)]
    )
