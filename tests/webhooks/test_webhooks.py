"""Outgoing webhooks: which changes announce what, the signed JSON (or Slack
text) a real HTTP server receives, retries with backoff, giving up, and secrets
kept only encrypted."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from drumbeat.kpis.models import KPI, Reading
from drumbeat.kpis.services.readings import reading_record
from drumbeat.kpis.signals import StatusChange
from drumbeat.okrs.models import Cycle
from drumbeat.scorecard.closing import cycle_close, cycle_reopen
from drumbeat.scorecard.services import statuses_refresh
from drumbeat.webhooks import services
from drumbeat.webhooks.crypto import secret_decrypt
from drumbeat.webhooks.models import Announcement, Delivery, Event, Webhook
from drumbeat.webhooks.tasks import webhook_deliver
from tests.webhooks.conftest import Received, Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]

TODAY = timezone.localdate()


def _webhook(
    users: dict[str, User],
    receiver: Receiver,
    events: list[Event],
    *,
    slack: bool = False,
    active: bool = True,
) -> services.WebhookSecret:
    return services.webhook_create(
        name="ops",
        url=receiver.url,
        events=events,
        active=active,
        slack=slack,
        by=users["admin"],
    )


def _verifies(secret: str, request: Received) -> bool:
    """How a receiver checks a delivery (as docs/webhooks.md documents it)."""
    timestamp = request.headers["X-Drumbeat-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(
        request.headers["X-Drumbeat-Signature"], f"sha256={expected}"
    )


def _send_test(webhook: Webhook, users: dict[str, User], capture: Any) -> Delivery:
    """A test event, queued once the transaction commits (as in a request)."""
    with capture(execute=True):
        delivery = services.webhook_test_send(webhook=webhook, by=users["admin"])
    delivery.refresh_from_db()
    return delivery


def _record(
    users: dict[str, User],
    value: float,
    django_capture_on_commit_callbacks: Any,
    day: dt.date = TODAY,
) -> Reading:
    with django_capture_on_commit_callbacks(execute=True):
        return reading_record(
            kpi=KPI.objects.get(key="csat"), at=day, value=value, by=users["admin"]
        )


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_reading_that_turns_a_kpi_red_posts_a_signed_event(
    users, receiver, django_capture_on_commit_callbacks
):
    made = _webhook(users, receiver, [Event.KPI_RED])
    _record(users, 75, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    announcement = Announcement.objects.get()
    delivery = Delivery.objects.get()
    assert request.path == "/hook"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Drumbeat-Event"] == "kpi.health_changed"
    assert request.headers["X-Drumbeat-Delivery"] == str(delivery.pk)
    assert (
        abs(int(request.headers["X-Drumbeat-Timestamp"]) - timezone.now().timestamp())
        < 60
    )
    assert _verifies(made.secret, request)
    assert not _verifies(made.secret + "x", request)
    assert json.loads(request.body) == {
        "schema": 1,
        "event": "kpi.health_changed",
        "id": str(announcement.pk),
        "occurred_at": announcement.occurred_at.isoformat(),
        "kpi": {
            "key": "csat",
            "name": "Customer satisfaction",
            "unit": "percent",
            "health": "red",
            "previous_health": "amber",
            "stale": False,
            "latest_value": 75,
            "latest_day": TODAY.isoformat(),
            "cadence": "weekly",
            "owner": "Grace",
            "team": "support",
            "url": "http://127.0.0.1:8000/kpis/csat/",
        },
    }
    assert delivery.state == Delivery.State.SUCCEEDED
    assert [
        (a.number, a.status_code, a.response, a.error)
        for a in delivery.attempt_log.all()
    ] == [(1, 200, "ok", "")]


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_slack_compatible_webhook_gets_one_sentence(
    users, receiver, django_capture_on_commit_callbacks
):
    _webhook(users, receiver, [Event.KPI_RED], slack=True)
    _record(users, 75, django_capture_on_commit_callbacks)
    assert [json.loads(r.body) for r in receiver.requests] == [
        {
            "text": "Customer satisfaction (csat) turned red at 75 percent, from "
            "amber. http://127.0.0.1:8000/kpis/csat/"
        }
    ]


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_only_the_events_subscribed_to_are_sent(
    users, receiver, django_capture_on_commit_callbacks
):
    _webhook(users, receiver, [Event.KPI_RECOVERED], slack=True)
    _record(users, 75, django_capture_on_commit_callbacks)  # amber → red
    assert receiver.requests == []
    assert Announcement.objects.count() == 0  # nobody listens: nothing written
    _record(users, 95, django_capture_on_commit_callbacks)  # red → green
    assert [json.loads(r.body)["text"] for r in receiver.requests] == [
        "Customer satisfaction (csat) recovered to green at 95 percent, from red. "
        "http://127.0.0.1:8000/kpis/csat/"
    ]


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_paused_webhook_gets_nothing(
    users, receiver, django_capture_on_commit_callbacks
):
    _webhook(users, receiver, [Event.KPI_RED], active=False)
    _record(users, 75, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    assert Delivery.objects.count() == 0


def _change(
    before: str | None,
    after: str,
    stale_before: bool | None = False,
    stale_after: bool = False,
) -> StatusChange:
    return StatusChange("csat", TODAY, before, after, stale_before, stale_after)


@pytest.mark.parametrize(
    ("change", "events"),
    [
        (_change("amber", "red"), [Event.KPI_RED]),
        (_change("green", "red"), [Event.KPI_RED]),
        (_change("green", "amber"), [Event.KPI_AMBER]),
        (_change("red", "amber"), [Event.KPI_AMBER]),
        (_change("unknown", "amber"), [Event.KPI_AMBER]),
        (_change("red", "green"), [Event.KPI_RECOVERED]),
        (_change("amber", "green"), [Event.KPI_RECOVERED]),
        (_change("unknown", "green"), []),
        (_change("green", "unknown"), []),
        (_change("amber", "amber", False, True), [Event.KPI_STALE]),
        (_change("amber", "red", False, True), [Event.KPI_RED, Event.KPI_STALE]),
        (_change("amber", "amber", True, False), []),
        (_change(None, "red", None, True), []),
    ],
)
def test_which_status_changes_announce_what(change, events):
    assert services.change_events(change) == events


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_kpi_going_stale_posts_a_stale_event(
    users, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=dt.date(2026, 7, 6))  # csat fresh: 3 days old
    made = _webhook(users, receiver, [Event.KPI_STALE, Event.KPI_RED])
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=dt.date(2026, 7, 20))  # 17 days: over 10.5
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body = json.loads(request.body)
    assert request.headers["X-Drumbeat-Event"] == "kpi.stale"
    assert _verifies(made.secret, request)
    assert body["event"] == "kpi.stale"
    assert body["kpi"]["key"] == "csat"
    assert body["kpi"]["stale"] is True
    assert body["kpi"]["health"] == "amber"
    assert body["kpi"]["latest_day"] == "2026-07-03"
    assert Announcement.objects.get().text == (
        "Customer satisfaction (csat) is stale: its latest reading is from "
        "2026-07-03; it is a weekly KPI. http://127.0.0.1:8000/kpis/csat/"
    )


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_closed_cycle_is_announced_once_at_its_close_with_its_final_grades(
    users, receiver, django_capture_on_commit_callbacks
):
    made = _webhook(users, receiver, [Event.CYCLE_CLOSED])
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=dt.date(2026, 10, 2))  # ended, not closed yet
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=Cycle.objects.get(key="2026-Q3"), by=users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=dt.date(2026, 10, 3))

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.headers["X-Drumbeat-Event"] == "cycle.closed"
    assert _verifies(made.secret, request)
    body = json.loads(request.body)
    assert body["cycle"] == {
        "key": "2026-Q3",
        "start": "2026-07-01",
        "end": "2026-09-30",
        "url": "http://127.0.0.1:8000/cycles/2026-Q3/",
        "objectives": [
            {
                "key": "happier",
                "title": "Customers are happier with support",
                "team": "support",
                "commitment": "aspirational",
                "score": pytest.approx(0.3),
                "grade": "red",
                "outcome": "fell_short",
            }
        ],
    }
    assert Announcement.objects.filter(event="cycle.closed").count() == 1
    assert Announcement.objects.get().text == (
        "Cycle 2026-Q3 (2026-07-01 to 2026-09-30) closed. Final grades:\n"
        "• Customers are happier with support: 30%, red (fell short)\n"
        "http://127.0.0.1:8000/cycles/2026-Q3/"
    )


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_cycle_reopened_and_closed_again_is_announced_again(
    users, receiver, django_capture_on_commit_callbacks
):
    _webhook(users, receiver, [Event.CYCLE_CLOSED])
    cycle = Cycle.objects.get(key="2026-Q3")
    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=cycle, by=users["admin"])
    cycle_reopen(cycle=cycle, by=users["admin"], reason="A late reading")
    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=cycle, by=users["admin"])
    assert len(receiver.requests) == 2


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_cycle_closed_before_a_webhook_existed_is_not_sent_to_it_later(
    users, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cycle_close(cycle=Cycle.objects.get(key="2026-Q3"), by=users["admin"])
    assert Announcement.objects.filter(event="cycle.closed").count() == 1
    _webhook(users, receiver, [Event.CYCLE_CLOSED])
    with django_capture_on_commit_callbacks(execute=True):
        statuses_refresh(as_of=dt.date(2026, 10, 2))
    assert receiver.requests == []


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_failed_delivery_is_retried_until_it_succeeds(
    users, receiver, django_capture_on_commit_callbacks
):
    _webhook(users, receiver, [Event.KPI_RED])
    receiver.answers = [500]
    _record(users, 75, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert first.body == second.body
    assert first.headers["X-Drumbeat-Delivery"] == second.headers["X-Drumbeat-Delivery"]
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.SUCCEEDED
    assert delivery.attempts == 2
    attempts = list(delivery.attempt_log.all())
    assert [(a.number, a.status_code, a.error) for a in attempts] == [
        (1, 500, "HTTP 500"),
        (2, 200, ""),
    ]
    assert attempts[0].response == ("boom: " + "x" * 2000)[:500]
    assert attempts[0].at <= attempts[1].at


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_delivery_gives_up_after_the_configured_attempts(
    users, receiver, settings, django_capture_on_commit_callbacks, caplog
):
    settings.DRUMBEAT_WEBHOOK_ATTEMPTS = 3
    _webhook(users, receiver, [Event.KPI_RED])
    receiver.default = 503
    _record(users, 75, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 3
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED
    assert delivery.next_attempt_at is None
    assert [(a.number, a.status_code) for a in delivery.attempt_log.all()] == [
        (1, 503),
        (2, 503),
        (3, 503),
    ]
    assert "gave up on delivery" in caplog.text
    assert "after 3 attempts: HTTP 503" in caplog.text


def test_retries_wait_twice_as_long_each_time(settings):
    settings.DRUMBEAT_WEBHOOK_BACKOFF_SECONDS = 30
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [
        30,
        60,
        120,
        240,
    ]


@pytest.mark.usefixtures("small_workspace")
def test_on_the_database_queue_a_retry_is_queued_to_run_after_the_backoff(
    users, receiver, django_capture_on_commit_callbacks
):
    """With the worker's queue, a failure queues the next attempt for later."""
    made = _webhook(users, receiver, [Event.KPI_RED])
    receiver.default = 500
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.webhook_test_send(webhook=made.webhook, by=users["admin"])
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "drumbeat.webhooks.tasks.webhook_deliver"
    assert queued.args_kwargs == {"args": [str(delivery.pk)], "kwargs": {}}
    assert receiver.requests == []  # the worker has not run yet

    before = timezone.now()
    assert webhook_deliver.call(str(delivery.pk)) == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.next_attempt_at is not None
    wait = (delivery.next_attempt_at - before).total_seconds()
    assert 29 <= wait <= 31
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.run_after == delivery.next_attempt_at

    before = timezone.now()
    webhook_deliver.call(str(delivery.pk))
    delivery.refresh_from_db()
    assert 59 <= (delivery.next_attempt_at - before).total_seconds() <= 61
    assert len(receiver.requests) == 2


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_redirects_are_not_followed(
    users, receiver, settings, django_capture_on_commit_callbacks
):
    settings.DRUMBEAT_WEBHOOK_ATTEMPTS = 1
    made = _webhook(users, receiver, [Event.KPI_RED])
    receiver.default = 302
    delivery = _send_test(made.webhook, users, django_capture_on_commit_callbacks)
    assert [r.path for r in receiver.requests] == ["/hook"]
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED
    attempt = delivery.attempt_log.get()
    assert attempt.status_code == 302
    assert "a redirect: not followed" in attempt.error


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_an_unreachable_webhook_never_breaks_the_reading(
    users, settings, django_capture_on_commit_callbacks
):
    settings.DRUMBEAT_WEBHOOK_ATTEMPTS = 2
    services.webhook_create(
        name="gone",
        url=f"http://127.0.0.1:{_closed_port()}/hook",
        events=[Event.KPI_RED],
        active=True,
        slack=False,
        by=users["admin"],
    )
    reading = _record(users, 75, django_capture_on_commit_callbacks)
    assert Reading.objects.get(pk=reading.pk).value == 75
    assert KPI.objects.get(key="csat").status.health == "red"
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED
    errors = [a.error for a in delivery.attempt_log.all()]
    assert len(errors) == 2
    assert all(e.startswith("cannot connect: ") for e in errors)


@pytest.mark.usefixtures("small_workspace", "immediate_tasks")
def test_a_failure_while_announcing_never_breaks_the_reading(
    users, receiver, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    _webhook(users, receiver, [Event.KPI_RED])

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "status_changes_announce", broken)
    reading = _record(users, 75, django_capture_on_commit_callbacks)
    assert Reading.objects.get(pk=reading.pk).value == 75
    assert "Webhooks: announcing 1 KPI changes failed" in caplog.text
    assert receiver.requests == []


@pytest.mark.usefixtures("immediate_tasks")
def test_the_secret_is_stored_encrypted_never_in_clear(
    users, receiver, caplog, django_capture_on_commit_callbacks
):
    made = _webhook(users, receiver, [Event.KPI_RED])
    _send_test(made.webhook, users, django_capture_on_commit_callbacks)
    assert made.secret.startswith("whsec_")
    assert len(made.secret) >= 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM webhooks_webhook")
        rows = cursor.fetchall()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0])
    assert made.secret not in stored
    assert made.secret[6:] not in stored
    assert secret_decrypt(Webhook.objects.get().secret_encrypted) == made.secret
    assert made.secret not in caplog.text
    assert _verifies(made.secret, receiver.requests[0])


@pytest.mark.usefixtures("immediate_tasks")
def test_a_rotated_secret_signs_and_the_old_one_no_longer_does(
    users, receiver, django_capture_on_commit_callbacks
):
    made = _webhook(users, receiver, [Event.KPI_RED])
    rotated = services.webhook_secret_rotate(webhook=made.webhook, by=users["admin"])
    assert rotated.secret != made.secret
    _send_test(made.webhook, users, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    assert _verifies(rotated.secret, request)
    assert not _verifies(made.secret, request)


@pytest.mark.usefixtures("immediate_tasks")
def test_a_secret_stored_under_another_key_fails_with_what_to_do(
    users, receiver, settings, django_capture_on_commit_callbacks
):
    made = _webhook(users, receiver, [Event.KPI_RED])
    settings.DRUMBEAT_WEBHOOK_KEY = "a key set after the secret was stored"
    delivery = _send_test(made.webhook, users, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempt_log.get().error == (
        "the signing secret cannot be decrypted (the key it was stored with "
        "changed): rotate the webhook's secret"
    )


@pytest.mark.usefixtures("immediate_tasks")
def test_a_test_event_has_the_same_envelope(
    users, receiver, django_capture_on_commit_callbacks
):
    made = _webhook(users, receiver, [Event.CYCLE_CLOSED], active=False)
    _send_test(made.webhook, users, django_capture_on_commit_callbacks)
    body = json.loads(receiver.requests[0].body)
    assert set(body) == {"schema", "event", "id", "occurred_at", "webhook"}
    assert body["schema"] == 1
    assert body["event"] == "webhook.test"
    assert uuid.UUID(body["id"])
    assert body["webhook"] == {"name": "ops"}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "example.com/hook",
        "http://",
        "https://exa mple.com/",
        "http://example.com:99999/",
    ],
)
def test_only_http_and_https_addresses_are_accepted(django_user_model, url):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(
            name="bad",
            url=url,
            events=[Event.KPI_RED],
            active=True,
            slack=False,
            by=django_user_model.objects.create(username="admin", is_staff=True),
        )
    assert refused.value.message_dict == {
        "url": [
            "The port must be a number from 0 to 65535."
            if url.endswith(":99999/")
            else "Use an http:// or https:// address."
        ]
    }
    assert Webhook.objects.count() == 0


def test_a_webhook_needs_a_name_and_an_event(django_user_model):
    with pytest.raises(ValidationError) as refused:
        services.webhook_create(
            name=" ",
            url="https://example.com/",
            events=[],
            active=True,
            slack=False,
            by=django_user_model.objects.create(username="admin", is_staff=True),
        )
    assert refused.value.message_dict == {
        "name": ["Give the webhook a name."],
        "events": ["Choose at least one event."],
    }
