"""The team's weekly digest to a Slack-compatible webhook (`digest.weekly`), once
per team and week."""

from __future__ import annotations

import json

import pytest

from drumbeat.notifications.models import Notification
from drumbeat.notifications.services import team_digests_announce
from drumbeat.webhooks import services
from drumbeat.webhooks.models import Announcement, Event
from tests.notifications.conftest import MONDAY_0930, week  # noqa: F401 - a fixture

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("loopback_allowed", "immediate_tasks"),
]


def test_the_team_digest_goes_to_its_channel_once(
    week,  # noqa: F811
    receiver,
    django_capture_on_commit_callbacks,
):
    services.webhook_create(
        name="Support channel",
        url=receiver.url,
        events=[Event.DIGEST_WEEKLY],
        active=True,
        slack=True,
        by=week["admin"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert team_digests_announce(now=MONDAY_0930) == ["support"]
    with django_capture_on_commit_callbacks(execute=True):
        assert team_digests_announce(now=MONDAY_0930) == []
    assert [json.loads(r.body)["text"] for r in receiver.requests] == [
        "Support's week 2026-W49: 2 items.\n"
        "• Customer satisfaction (Owner): red. http://127.0.0.1:8000/kpis/csat/\n"
        "• CSAT to 95 (Owner): score 40%; last check-in 14 days ago (2026-11-16). "
        "http://127.0.0.1:8000/objectives/happier/key-results/csat-up/check-ins/\n"
        "http://127.0.0.1:8000/"
    ]
    announcement = Announcement.objects.get(event="digest.weekly")
    assert announcement.payload["digest"]["team"] == {
        "key": "support",
        "name": "Support",
    }
    assert [i["key"] for i in announcement.payload["digest"]["items"]] == [
        "csat",
        "csat-up",
    ]
    assert Notification.objects.get(kind="team_digest").status == "sent"


def test_no_digest_before_the_team_check_in_time(week):  # noqa: F811
    assert team_digests_announce(now=MONDAY_0930.replace(hour=8)) == []
    assert not Announcement.objects.exists()
