from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from drumbeat.audit.models import Event
from drumbeat.review.models import Investigation
from drumbeat.review.services import (
    investigation_close,
    investigation_open,
    review_note_record,
)
from tests.review.agenda_fixtures import agenda_workspace

__all__ = ["agenda_workspace"]


def test_a_review_note_records_the_health_then_and_who(agenda_workspace, users):
    note = review_note_record(
        kpi=agenda_workspace["amber-key"], by=users["editor"], note="Watching it"
    )
    assert (note.health, note.by, note.action) == (
        "amber",
        users["editor"],
        "acknowledged",
    )
    event = Event.objects.get(kind="review")
    assert (event.subject, event.action, event.actor) == (
        "amber-key",
        "acknowledged",
        users["editor"],
    )


def test_an_investigation_for_a_deactivated_person_is_refused(agenda_workspace, users):
    users["viewer"].is_active = False
    users["viewer"].save()
    with pytest.raises(ValidationError) as refused:
        investigation_open(
            kpi=agenda_workspace["amber-key"],
            by=users["admin"],
            assignee=users["viewer"],
            due=dt.date(2026, 12, 4),
        )
    assert refused.value.message_dict == {
        "assignee": ["viewer cannot be assigned: the account is deactivated."]
    }
    assert not Investigation.objects.exists()


def test_an_investigation_closes_only_with_a_finding(agenda_workspace, users):
    investigation = investigation_open(
        kpi=agenda_workspace["amber-key"],
        by=users["editor"],
        assignee=users["viewer"],
        due=dt.date(2026, 12, 4),
        question="Why?",
    )
    with pytest.raises(ValidationError) as refused:
        investigation_close(
            investigation=investigation, by=users["viewer"], finding=" "
        )
    assert refused.value.message_dict == {
        "finding": ["Say what the investigation found."]
    }
    closed = investigation_close(
        investigation=investigation, by=users["viewer"], finding="Survey change"
    )
    assert (closed.open, closed.closed_by, closed.finding) == (
        False,
        users["viewer"],
        "Survey change",
    )
    assert list(
        Event.objects.filter(kind="review")
        .order_by("at", "pk")
        .values_list("action", flat=True)
    ) == ["investigation opened", "investigation closed"]
