"""Owners as people: the owner names of KPIs, objectives and KRs matched to
accounts (`drumbeat.accounts.selectors.PersonIndex` holds the matching rules),
and the finding beside an owner that is only a name."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from drumbeat.accounts.selectors import PersonIndex, owner_values
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import KeyResult, LintFinding, Objective

OWNER_NOT_A_PERSON = "owner-not-a-person"
OWNER_NOT_A_PERSON_MESSAGE = (
    "owner '{name}' is not a person with an account here: add them on the people "
    "page, or write their e-mail address or full name as the owner"
)


OWNED = ((KPI, "KPI"), (Objective, "objective"), (KeyResult, "key result"))


def owned_subject(row: KPI | Objective | KeyResult) -> str:
    """What an owned thing is called in the audit log and the findings: a KPI's
    or objective's key, a KR's `objective/kr`."""
    if isinstance(row, KeyResult):
        return f"{row.objective.key}/{row.key}"
    return row.key


@transaction.atomic
def owners_link(*, by: User | None = None) -> int:
    """Link every owner name without an account to the account it names (a KPI
    loaded from a file before its owner had one; rows from before owners were
    people), kept in the rows' history and the audit log; the number linked."""
    people = PersonIndex()
    linked = 0
    for model, kind in OWNED:
        for row in model.objects.filter(owner=None).exclude(owner_name=""):
            values = owner_values(row.owner_name, people)
            if values["owner_id"] is None:
                continue
            for name, value in values.items():
                setattr(row, name, value)
            setattr(row, "_history_user", by)  # noqa: B010
            row.save(update_fields=["owner", "owner_name"])
            event_record(
                kind=Event.Kind.DEFINITION if model is KPI else Event.Kind.OBJECTIVE,
                action="owner linked",
                subject=owned_subject(row),
                by=by,
                summary=f"the {kind}'s owner is the person {row.owner_name}",
            )
            linked += 1
    return linked


def owner_findings(on: dt.date) -> list[tuple[LintFinding, str | None]]:
    """A finding beside each KPI, objective and KR (not archived) whose owner is a
    name with no account, with its cycle's key (None for a KPI)."""
    placed: list[tuple[LintFinding, str | None]] = []

    def finding(subject: str, name: str, **where: str) -> LintFinding:
        return LintFinding(
            rule=OWNER_NOT_A_PERSON,
            severity="info",
            subject=subject,
            message=OWNER_NOT_A_PERSON_MESSAGE.format(name=name),
            as_of=on,
            **where,
        )

    for kpi in KPI.objects.filter(owner=None, archived_at=None).exclude(owner_name=""):
        placed.append((finding(kpi.key, kpi.owner_name, kpi_key=kpi.key), None))
    objectives = (
        Objective.objects.filter(owner=None, archived_at=None)
        .exclude(owner_name="")
        .select_related("cycle")
    )
    for objective in objectives:
        placed.append(
            (
                finding(
                    objective.key, objective.owner_name, objective_key=objective.key
                ),
                objective.cycle.key,
            )
        )
    key_results = (
        KeyResult.objects.filter(
            owner=None, archived_at=None, objective__archived_at=None
        )
        .exclude(owner_name="")
        .select_related("objective__cycle")
    )
    for kr in key_results:
        placed.append(
            (
                finding(
                    f"{kr.objective.key}/{kr.key}",
                    kr.owner_name,
                    objective_key=kr.objective.key,
                    key_result_key=kr.key,
                ),
                kr.objective.cycle.key,
            )
        )
    return placed
