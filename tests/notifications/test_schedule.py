"""Who is sent what, and when: on the check-in day of their team, from its time,
in its time zone (or theirs); their preferences honoured."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from drumbeat.accounts.models import Profile, Team
from drumbeat.notifications.models import Notification
from drumbeat.notifications.services import notifications_record
from tests.notifications.conftest import MONDAY_0930

Kind = Notification.Kind


def queued() -> set[tuple[str, str]]:
    return set(
        Notification.objects.filter(status=Notification.Status.QUEUED).values_list(
            "user__username", "kind"
        )
    )


def test_on_the_check_in_day_each_person_is_sent_what_concerns_them(week):
    assert notifications_record(now=MONDAY_0930) == 4
    assert queued() == {
        ("owner", Kind.CHECK_IN_REMINDER),
        ("owner", Kind.READING_REMINDER),
        ("owner", Kind.DIGEST),
        # editor checked in on csat-up 14 days ago: due again.
        ("editor", Kind.CHECK_IN_REMINDER),
    }
    assert set(
        Notification.objects.filter(status=Notification.Status.SKIPPED).values_list(
            "user__username", "kind"
        )
    ) >= {("viewer", Kind.DIGEST), ("editor", Kind.DIGEST)}


def test_the_messages_are_for_the_iso_week_with_the_items_and_links(week, settings):
    settings.DRUMBEAT_BASE_URL = "https://drumbeat.example.com"
    notifications_record(now=MONDAY_0930)
    reminder = Notification.objects.get(
        user__username="owner", kind=Kind.CHECK_IN_REMINDER
    )
    assert reminder.period == "2026-W49"
    assert reminder.recipient == "owner@example.com"
    assert reminder.subject == "Check-in due: 1 key result (2026-W49)"
    link = (
        "https://drumbeat.example.com/objectives/happier/key-results/csat-up/check-ins/"
    )
    assert link in reminder.body_text
    assert f'href="{link}"' in reminder.body_html
    assert "last check-in 14 days ago (2026-11-16)" in reminder.body_text
    reading = Notification.objects.get(
        user__username="owner", kind=Kind.READING_REMINDER
    )
    assert reading.subject == "Readings due: 1 KPI (2026-W49)"
    assert "weekly reading due; last reading: 2026-11-02" in reading.body_text


def test_nothing_is_sent_before_the_check_in_time_or_on_another_day(week):
    assert notifications_record(now=MONDAY_0930.replace(hour=8, minute=59)) == 0
    assert notifications_record(now=MONDAY_0930 + dt.timedelta(days=1)) == 0
    assert not Notification.objects.exists()


def test_the_team_day_time_and_time_zone_decide(week):
    Team.objects.filter(key="support").update(
        check_in_weekday=1, check_in_time=dt.time(8, 0), time_zone="America/New_York"
    )
    tuesday_1259_utc = dt.datetime(2026, 12, 1, 12, 59, tzinfo=dt.UTC)  # 07:59 there
    assert notifications_record(now=tuesday_1259_utc) == 0
    assert notifications_record(now=tuesday_1259_utc + dt.timedelta(minutes=1)) == 4


def test_a_person_time_zone_moves_their_moment(week):
    Profile.objects.create(user=week["owner"], time_zone="Asia/Tokyo")
    # Monday 09:30 UTC is 18:30 in Tokyo: still Monday, after 09:00.
    notifications_record(now=MONDAY_0930)
    assert ("owner", Kind.DIGEST) in queued()
    # Sunday 23:30 UTC is Monday 08:30 in Tokyo: not yet.
    Notification.objects.all().delete()
    notifications_record(now=dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC))
    assert not Notification.objects.filter(user=week["owner"]).exists()


def test_preferences_are_honoured(week):
    Profile.objects.create(
        user=week["owner"], email_check_in_reminders=False, email_digest=False
    )
    notifications_record(now=MONDAY_0930)
    assert {k for u, k in queued() if u == "owner"} == {Kind.READING_REMINDER}


def test_people_inactive_or_without_an_e_mail_are_skipped(week):
    User.objects.filter(username="owner").update(is_active=False)
    User.objects.filter(username="editor").update(email="")
    assert notifications_record(now=MONDAY_0930) == 0


def test_recording_twice_records_once(week):
    assert notifications_record(now=MONDAY_0930) == 4
    assert notifications_record(now=MONDAY_0930 + dt.timedelta(hours=1)) == 0
    assert Notification.objects.filter(user__username="owner").count() == 3


def test_a_kpi_with_a_data_source_gets_no_reading_reminder(week):
    from drumbeat.kpis.models import KPI

    KPI.objects.filter(key="csat").update(source={"kind": "sql"})
    notifications_record(now=MONDAY_0930)
    assert ("owner", Kind.READING_REMINDER) not in queued()


def test_a_check_in_this_week_means_no_reminder(week):
    from drumbeat.okrs.models import CheckIn, KeyResult

    CheckIn.objects.create(
        key_result=KeyResult.objects.get(key="csat-up"),
        at=dt.date(2026, 11, 27),
        by=week["owner"],
    )
    notifications_record(now=MONDAY_0930)
    assert {k for u, k in queued() if k == Kind.CHECK_IN_REMINDER} == set()


def test_a_tick_off_the_check_in_day_costs_the_same_few_queries_at_any_size(
    week, django_assert_num_queries
):
    from drumbeat.notifications.services import notifications_run

    tuesday = MONDAY_0930 + dt.timedelta(days=1)
    with django_assert_num_queries(9):
        notifications_run(now=tuesday)
    support = Team.objects.get(key="support")
    for number in range(20):
        person = User.objects.create(username=f"p{number}", email=f"p{number}@x.org")
        person.memberships.create(team=support)
    with django_assert_num_queries(9):
        notifications_run(now=tuesday)
