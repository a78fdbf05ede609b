"""What a person owns (KPIs, objectives, KRs, open investigations assigned to
them) and its reassignment to someone else in one step: a person leaves, their
work moves on, kept in every row's history and the audit log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from drumbeat.accounts.selectors import person_display_name
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.common.guards import is_admin
from drumbeat.common.locks import serialized_write
from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import KeyResult, Objective
from drumbeat.review.models import Investigation


class Owned(StrEnum):
    """The kinds of things a person owns."""

    KPI = "kpi"
    OBJECTIVE = "objective"
    KEY_RESULT = "key-result"
    INVESTIGATION = "investigation"


@dataclass(frozen=True)
class OwnedItem:
    """One thing a person owns: its kind, row and how a page names it; `token`
    (`kind:pk`) ticks it in a form."""

    kind: Owned
    row: Any
    label: str

    @property
    def token(self) -> str:
        return f"{self.kind}:{self.row.pk}"


def ownership_of(person: User) -> list[OwnedItem]:
    """Everything `person` owns and is not archived or closed: KPIs, objectives,
    KRs (by objective), open investigations assigned to them (four queries)."""
    kpis = KPI.objects.filter(owner=person, archived_at=None).order_by("key")
    objectives = Objective.objects.filter(owner=person, archived_at=None).order_by(
        "key"
    )
    key_results = (
        KeyResult.objects.filter(owner=person, archived_at=None)
        .select_related("objective")
        .order_by("objective__key", "position")
    )
    investigations = (
        Investigation.objects.filter(assignee=person, closed_at=None)
        .select_related("kpi")
        .order_by("due", "pk")
    )
    return [
        *[OwnedItem(Owned.KPI, kpi, f"KPI {kpi.name} ({kpi.key})") for kpi in kpis],
        *[
            OwnedItem(Owned.OBJECTIVE, o, f"Objective {o.title} ({o.key})")
            for o in objectives
        ],
        *[
            OwnedItem(
                Owned.KEY_RESULT,
                kr,
                f"KR {kr.title or kr.key} ({kr.objective.key}/{kr.key})",
            )
            for kr in key_results
        ],
        *[
            OwnedItem(
                Owned.INVESTIGATION,
                i,
                f"Investigation of {i.kpi.name}, due {i.due:%Y-%m-%d}",
            )
            for i in investigations
        ],
    ]


REASSIGN_ADMINS_ONLY = "Only admins reassign what people own."
REASSIGN_TO_SELF = "Choose someone else to hand their work to."
REASSIGN_TO_INACTIVE = "{name} may not sign in: choose an active person."
REASSIGN_NOT_OWNED = "{name} no longer owns some of the ticked items: reload the page."


@serialized_write
def ownership_reassign(
    *,
    from_user: User,
    to_user: User,
    by: User,
    kinds: Iterable[Owned | str] | None = None,
    items: Iterable[str] | None = None,
) -> list[OwnedItem]:
    """Move what `from_user` owns to `to_user`, all or nothing: everything, or the
    `kinds` given, or the `items` ticked (`OwnedItem.token`). Each row's history
    keeps who moved it, the audit log one event; the items moved."""
    if not is_admin(by):
        raise PermissionDenied(REASSIGN_ADMINS_ONLY)
    if from_user.pk == to_user.pk:
        raise ValidationError({"to": REASSIGN_TO_SELF})
    if not to_user.is_active:
        raise ValidationError(
            {"to": REASSIGN_TO_INACTIVE.format(name=person_display_name(to_user))}
        )
    owned = ownership_of(from_user)
    if kinds is not None:
        wanted = {Owned(kind) for kind in kinds}
        owned = [item for item in owned if item.kind in wanted]
    if items is not None:
        ticked = set(items)
        if ticked - {item.token for item in owned}:
            name = person_display_name(from_user)
            raise ValidationError({"items": REASSIGN_NOT_OWNED.format(name=name)})
        owned = [item for item in owned if item.token in ticked]
    name = person_display_name(to_user)
    for item in owned:
        _handed_over(item, to_user, name, by)
    if owned:
        event_record(
            kind=Event.Kind.PERSON,
            action="ownership reassigned",
            subject=from_user.username,
            by=by,
            summary=(
                f"{len(owned)} moved from {person_display_name(from_user)} to "
                f"{name}: " + "; ".join(item.label for item in owned)
            ),
            changes={"to": to_user.username, "items": [i.token for i in owned]},
        )
    return owned


def _handed_over(item: OwnedItem, to_user: User, name: str, by: User) -> None:
    """One row handed to `to_user`: a new version of it in its history."""
    row = item.row
    setattr(row, "_history_user", by)  # noqa: B010
    setattr(row, "_change_reason", "ownership reassigned")  # noqa: B010
    if item.kind is Owned.INVESTIGATION:
        row.assignee = to_user
        row.save(update_fields=["assignee"])
        return
    row.owner = to_user
    row.owner_name = name
    row.version += 1
    row.updated_by = by
    row.save(
        update_fields=["owner", "owner_name", "version", "updated_by", "updated_at"]
    )
