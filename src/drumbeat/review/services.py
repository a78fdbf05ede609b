"""Writes of the KPI review: a KPI acknowledged with a note, an investigation
opened (assigned to a person, due by a date) and closed with its finding. Each is
kept with who and when, in the audit log too."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from drumbeat.accounts.selectors import person_display_name
from drumbeat.audit.models import Event
from drumbeat.audit.services import event_record
from drumbeat.core.values import note_problem
from drumbeat.kpis.models import KPI, KPIStatus
from drumbeat.review.models import Investigation, ReviewNote
from drumbeat.review.selectors import REVIEW_REFUSAL, can_close, can_review

INVESTIGATION_CLOSED = "This investigation was closed on {on} by {by}."
CLOSE_REFUSAL = (
    "Only the assignee, admins, the KPI's owner and editors of its team close an "
    "investigation."
)
FINDING_MISSING = "Say what the investigation found."
ASSIGNEE_INACTIVE = "{name} cannot be assigned: the account is deactivated."
DUE_IN_PAST = "The due date {due} is in the past: choose today or later."


def _refuse_unless_reviewer(user: User, kpi: KPI) -> None:
    if not can_review(user, kpi):
        raise PermissionDenied(REVIEW_REFUSAL)


def _text_problems(**texts: str) -> dict[str, str]:
    return {
        name: f"The {name} {wrong}."
        for name, text in texts.items()
        if (wrong := note_problem(text))
    }


def _name(user: User | None) -> str:
    return person_display_name(user, "someone")


@transaction.atomic
def review_note_record(
    *,
    kpi: KPI,
    by: User,
    note: str = "",
    action: str = ReviewNote.Action.ACKNOWLEDGED,
) -> ReviewNote:
    """Keep what a review said of a KPI, with the health it has now (stored
    status). Raises PermissionDenied or ValidationError naming the field."""
    _refuse_unless_reviewer(by, kpi)
    problems = _text_problems(note=note)
    if action not in ReviewNote.Action.values:
        problems["action"] = (
            f"'{action}' is not an action: use "
            + " or ".join(ReviewNote.Action.values)
            + "."
        )
    if problems:
        raise ValidationError(problems)
    status = KPIStatus.objects.filter(kpi=kpi).first()
    review_note = ReviewNote.objects.create(
        kpi=kpi,
        action=action,
        note=note,
        health=status.health if status else "unknown",
        by=by,
        at=timezone.now(),
    )
    event_record(
        kind=Event.Kind.REVIEW,
        action=action,
        subject=kpi.key,
        by=by,
        summary=note,
        changes={"health": [None, review_note.health]},
    )
    return review_note


@transaction.atomic
def investigation_open(
    *,
    kpi: KPI,
    by: User,
    assignee: User,
    due: dt.date,
    question: str = "",
) -> Investigation:
    """Hand a KPI's exception to `assignee` to investigate by `due`."""
    _refuse_unless_reviewer(by, kpi)
    problems = _text_problems(question=question)
    if not assignee.is_active:
        problems["assignee"] = ASSIGNEE_INACTIVE.format(name=_name(assignee))
    if due < timezone.localdate():
        problems["due"] = DUE_IN_PAST.format(due=due.isoformat())
    if problems:
        raise ValidationError(problems)
    investigation = Investigation.objects.create(
        kpi=kpi,
        question=question,
        assignee=assignee,
        due=due,
        opened_by=by,
        opened_at=timezone.now(),
    )
    event_record(
        kind=Event.Kind.REVIEW,
        action="investigation opened",
        subject=kpi.key,
        by=by,
        summary=f"assigned to {_name(assignee)}, due {due.isoformat()}: {question}",
        changes={"assignee": [None, assignee.get_username()], "due": [None, str(due)]},
    )
    return investigation


@transaction.atomic
def investigation_close(
    *, investigation: Investigation, by: User, finding: str
) -> Investigation:
    """Close an investigation with what it found. Its assignee may close it too."""
    locked = (
        Investigation.objects.select_for_update(of=("self",))
        .select_related("kpi")
        .get(pk=investigation.pk)
    )
    if not can_close(by, locked):
        raise PermissionDenied(CLOSE_REFUSAL)
    if locked.closed_at is not None:
        raise ValidationError(
            {
                "investigation": INVESTIGATION_CLOSED.format(
                    on=f"{timezone.localtime(locked.closed_at):%Y-%m-%d}",
                    by=_name(locked.closed_by),
                )
            }
        )
    problems = _text_problems(finding=finding)
    if not finding.strip():
        problems["finding"] = FINDING_MISSING
    if problems:
        raise ValidationError(problems)
    locked.closed_by = by
    locked.closed_at = timezone.now()
    locked.finding = finding
    locked.save()
    event_record(
        kind=Event.Kind.REVIEW,
        action="investigation closed",
        subject=locked.kpi.key,
        by=by,
        summary=finding,
    )
    return locked
