from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from drumbeat.kpis.models import KPI
from drumbeat.review.models import Investigation, ReviewNote
from drumbeat.review.selectors import (
    NOBODY_INVESTIGATING,
    AgendaFilters,
    investigations_assigned_to,
    kpi_agenda,
)
from tests.review.agenda_fixtures import MEETING_ORDER, agenda_workspace

__all__ = ["agenda_workspace"]

PINNED = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)


def _keys(agenda) -> list[str]:
    return [item.kpi.key for item in agenda.items]


def test_agenda_takes_red_then_signal_then_amber_then_stale_key_tier_first(
    agenda_workspace, users
):
    agenda = kpi_agenda(users["viewer"])
    assert _keys(agenda) == MEETING_ORDER
    assert agenda.green == 1


def test_agenda_says_why_in_words(agenda_workspace, users):
    items = {item.kpi.key: item for item in kpi_agenda(users["viewer"]).items}
    assert items["red-key"].reasons == ("red on its thresholds: latest reading 75",)
    assert items["dropping"].reasons == (
        "latest reading below the lower natural process limit",
        "a sudden jump down to the latest reading, above the upper range limit",
    )
    assert items["stale"].reasons == ("no reading for 24 days; weekly KPI",)


def test_agenda_says_since_when(agenda_workspace, users):
    items = {item.kpi.key: item for item in kpi_agenda(users["viewer"]).items}
    assert items["red-key"].since == dt.date(2026, 11, 13)  # 78 then 75: both red
    assert items["amber-key"].since == dt.date(2026, 11, 13)
    assert items["amber-secondary"].since == dt.date(2026, 11, 20)
    assert items["dropping"].since == dt.date(2026, 11, 20)
    assert items["stale"].since == dt.date(2026, 11, 1)


def test_agenda_lists_the_active_cycles_krs_that_read_a_kpi(agenda_workspace, users):
    items = {item.kpi.key: item for item in kpi_agenda(users["viewer"]).items}
    assert [kr.key for kr in items["red-key"].key_results] == ["red-up"]
    assert items["amber-key"].key_results == []


def test_agenda_filters_by_team_perspective_and_owner(agenda_workspace, users):
    viewer = users["viewer"]
    assert _keys(kpi_agenda(viewer, AgendaFilters(team="sales"))) == ["red-key"]
    assert _keys(kpi_agenda(viewer, AgendaFilters(perspective="financial"))) == [
        "amber-key"
    ]
    assert _keys(kpi_agenda(viewer, AgendaFilters(owner="owner"))) == ["red-key"]


def test_a_red_kpi_red_at_the_last_review_and_nobody_investigating_is_flagged(
    agenda_workspace, users
):
    kpi = agenda_workspace["red-key"]
    ReviewNote.objects.create(kpi=kpi, health="red", by=users["admin"], at=PINNED)
    [first] = kpi_agenda(users["viewer"]).items[:1]
    assert first.flag == NOBODY_INVESTIGATING
    assert first.last_note is not None


def test_a_red_kpi_first_reviewed_amber_is_not_flagged(agenda_workspace, users):
    kpi = agenda_workspace["red-key"]
    ReviewNote.objects.create(kpi=kpi, health="amber", by=users["admin"], at=PINNED)
    assert kpi_agenda(users["viewer"]).items[0].flag == ""


def test_an_open_investigation_lifts_the_flag(agenda_workspace, users):
    kpi = agenda_workspace["red-key"]
    ReviewNote.objects.create(kpi=kpi, health="red", by=users["admin"], at=PINNED)
    Investigation.objects.create(
        kpi=kpi, assignee=users["editor"], due=dt.date(2026, 12, 1), opened_at=PINNED
    )
    first = kpi_agenda(users["viewer"]).items[0]
    assert first.flag == ""
    assert [i.assignee for i in first.open_investigations] == [users["editor"]]


def test_who_may_act_on_each_item(agenda_workspace, users):
    def actable(user: User) -> list[str]:
        return [i.kpi.key for i in kpi_agenda(user).items if i.can_act]

    support = [k for k in MEETING_ORDER if k != "red-key"]
    assert actable(users["admin"]) == MEETING_ORDER
    assert actable(users["editor"]) == support
    assert actable(users["owner"]) == ["red-key"]
    assert actable(users["viewer"]) == []


def test_investigations_assigned_to_a_person_are_the_open_ones_due_first(
    agenda_workspace, users
):
    kpi: KPI = agenda_workspace["red-key"]
    editor = users["editor"]
    later = Investigation.objects.create(
        kpi=kpi, assignee=editor, due=dt.date(2026, 12, 9), opened_at=PINNED
    )
    sooner = Investigation.objects.create(
        kpi=kpi, assignee=editor, due=dt.date(2026, 12, 2), opened_at=PINNED
    )
    Investigation.objects.create(
        kpi=kpi,
        assignee=editor,
        due=dt.date(2026, 12, 1),
        opened_at=PINNED,
        closed_at=PINNED,
        finding="done",
    )
    Investigation.objects.create(
        kpi=kpi, assignee=users["owner"], due=dt.date(2026, 12, 1), opened_at=PINNED
    )
    assert list(investigations_assigned_to(editor)) == [sooner, later]
