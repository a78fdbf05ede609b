"""Admins reassign what a person owns to someone else in one step: all of it or
the ticked items, all or nothing, kept in history and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from drumbeat.audit.models import Event
from drumbeat.kpis.models import KPI
from drumbeat.okrs.models import KeyResult, Objective
from drumbeat.review import ownership
from drumbeat.review.models import Investigation
from drumbeat.review.ownership import Owned, ownership_of, ownership_reassign
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PAGE = "/people/leaver/reassign/"


@pytest.fixture
def leaver(small_workspace, users) -> User:
    """`leaver` owns csat, the objective happier, its KR csat-up and an open
    investigation of churn (and a closed one, which stays theirs)."""
    person = User.objects.create(username="leaver", first_name="Lee", last_name="V")
    KPI.objects.filter(key="csat").update(owner=person, owner_name="Lee V")
    Objective.objects.filter(key="happier").update(owner=person, owner_name="Lee V")
    KeyResult.objects.filter(key="csat-up").update(owner=person, owner_name="Lee V")
    churn = KPI.objects.get(key="churn")
    now = timezone.now()
    for closed_at in (None, now):
        Investigation.objects.create(
            kpi=churn,
            question="Why?",
            assignee=person,
            due=dt.date(2026, 12, 1),
            opened_at=now,
            closed_at=closed_at,
        )
    return person


@pytest.fixture
def heir(db) -> User:
    return User.objects.create(username="heir", first_name="Hana", last_name="Eir")


def test_what_a_person_owns_is_listed_by_kind(leaver):
    assert [item.kind for item in ownership_of(leaver)] == [
        Owned.KPI,
        Owned.OBJECTIVE,
        Owned.KEY_RESULT,
        Owned.INVESTIGATION,
    ]


def test_everything_moves_to_the_heir_with_the_owner_name(leaver, heir, users):
    moved = ownership_reassign(from_user=leaver, to_user=heir, by=users["admin"])
    assert len(moved) == 4
    csat = KPI.objects.get(key="csat")
    assert (csat.owner, csat.owner_name) == (heir, "Hana Eir")
    assert Objective.objects.get(key="happier").owner == heir
    assert KeyResult.objects.get(key="csat-up").owner == heir
    assert Investigation.objects.filter(assignee=heir).count() == 1
    assert Investigation.objects.filter(assignee=leaver).count() == 1  # the closed
    assert ownership_of(leaver) == []


def test_the_move_is_kept_in_history_and_the_audit_log(leaver, heir, users):
    ownership_reassign(from_user=leaver, to_user=heir, by=users["admin"])
    latest = KPI.objects.get(key="csat").history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (
        users["admin"],
        "ownership reassigned",
    )
    event = Event.objects.get(action="ownership reassigned")
    assert (event.subject, event.actor) == ("leaver", users["admin"])
    assert event.summary.startswith("4 moved from Lee V to Hana Eir: KPI Customer")


def test_only_the_kinds_given_move(leaver, heir, users):
    ownership_reassign(
        from_user=leaver, to_user=heir, by=users["admin"], kinds=[Owned.KPI]
    )
    assert KPI.objects.get(key="csat").owner == heir
    assert Objective.objects.get(key="happier").owner == leaver


def test_a_non_admin_may_not_reassign(leaver, heir, users):
    with pytest.raises(PermissionDenied):
        ownership_reassign(from_user=leaver, to_user=heir, by=users["editor"])
    assert KPI.objects.get(key="csat").owner == leaver


def test_work_is_not_handed_to_an_inactive_person(leaver, heir, users):
    heir.is_active = False
    heir.save()
    with pytest.raises(ValidationError, match="Hana Eir may not sign in"):
        ownership_reassign(from_user=leaver, to_user=heir, by=users["admin"])


def test_a_failure_midway_moves_nothing(leaver, heir, users, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is full")

    monkeypatch.setattr(ownership, "event_record", broken)
    with pytest.raises(RuntimeError):
        ownership_reassign(from_user=leaver, to_user=heir, by=users["admin"])
    assert KPI.objects.get(key="csat").owner == leaver
    assert Investigation.objects.filter(assignee=leaver).count() == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("editor", 403), ("owner", 403), ("viewer", 403)],
)
def test_only_admins_see_the_reassign_page(leaver, users, role, status):
    response = client_for(users[role]).get(PAGE)
    assert response.status_code == status
    if status == 200:
        assert "KPI Customer satisfaction (csat)" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(leaver):
    response = client_for(None).get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("role", ["editor", "owner", "viewer"])
def test_only_admins_reassign_through_the_page(leaver, heir, users, role):
    response = client_for(users[role]).post(
        PAGE, {"to": heir.pk, "items": [f"kpi:{KPI.objects.get(key='csat').pk}"]}
    )
    assert response.status_code == 403
    assert KPI.objects.get(key="csat").owner == leaver


def test_the_ticked_items_move_through_the_page(leaver, heir, users):
    csat = KPI.objects.get(key="csat")
    response = client_for(users["admin"]).post(
        PAGE, {"to": heir.pk, "items": [f"kpi:{csat.pk}"]}
    )
    assert response.status_code == 302
    assert KPI.objects.get(key="csat").owner == heir
    assert Objective.objects.get(key="happier").owner == leaver


def test_nothing_ticked_is_refused_beside_the_field(leaver, heir, users):
    response = client_for(users["admin"]).post(PAGE, {"to": heir.pk})
    assert response.status_code == 400
    assert "Tick at least one thing to move." in response.content.decode()


def test_an_item_no_longer_owned_refuses_the_whole_move(leaver, heir, users):
    other = KPI.objects.get(key="churn")
    csat = KPI.objects.get(key="csat")
    response = client_for(users["admin"]).post(
        PAGE, {"to": heir.pk, "items": [f"kpi:{csat.pk}", f"kpi:{other.pk}"]}
    )
    assert response.status_code == 400
    assert KPI.objects.get(key="csat").owner == leaver
