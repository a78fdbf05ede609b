"""Sending: each message once whoever sends it, each outcome recorded, a failing
server retried with a growing wait and given up on, the others not held up."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from drumbeat.notifications.models import Notification
from drumbeat.notifications.services import (
    STOPPED_MID_SEND,
    _claim,
    notifications_record,
    notifications_send,
    retry_delay,
)
from tests.notifications.conftest import MONDAY_0930

Status = Notification.Status


@pytest.fixture
def recorded(week, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DRUMBEAT_EMAIL_ATTEMPTS = 3
    settings.DRUMBEAT_EMAIL_BACKOFF_SECONDS = 60
    notifications_record(now=MONDAY_0930)
    return week


def test_each_message_is_sent_once_with_both_parts_and_unsubscribe_headers(recorded):
    first = notifications_send(now=MONDAY_0930)
    second = notifications_send(now=MONDAY_0930 + dt.timedelta(minutes=5))
    assert (first.sent, second.sent) == (4, 0)
    assert len(mail.outbox) == 4
    message = next(m for m in mail.outbox if m.subject.startswith("Readings due"))
    assert isinstance(message, EmailMultiAlternatives)
    assert message.to == ["owner@example.com"]
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert set(
        Notification.objects.exclude(status=Status.SKIPPED).values_list(
            "status", flat=True
        )
    ) == {Status.SENT}


def test_a_second_sender_claims_nothing_the_first_holds(recorded):
    first = _claim(MONDAY_0930, limit=100)
    second = _claim(MONDAY_0930, limit=100)
    assert (len(first), len(second)) == (4, 0)


def test_a_message_left_mid_send_is_failed_not_sent_again(recorded):
    _claim(MONDAY_0930, limit=1)  # a worker that stopped
    run = notifications_send(now=MONDAY_0930 + dt.timedelta(minutes=11))
    assert run.sent == 3
    stopped = Notification.objects.get(status=Status.FAILED)
    assert stopped.last_error == STOPPED_MID_SEND
    assert len(mail.outbox) == 3


class Refusing(EmailBackend):
    """A server that cannot be reached."""

    opened = 0

    def open(self) -> Any:
        Refusing.opened += 1
        raise ConnectionRefusedError(111, "Connection refused")


def test_a_failing_server_is_retried_with_backoff_then_given_up(recorded, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.Refusing"
    Refusing.opened = 0
    run = notifications_send(now=MONDAY_0930)
    assert (run.sent, run.retrying, run.failed) == (0, 4, 0)
    assert Refusing.opened == 1  # one timeout for the batch, not one per message
    waiting = Notification.objects.filter(status=Status.QUEUED)
    assert {n.next_attempt_at for n in waiting} == {
        MONDAY_0930 + dt.timedelta(minutes=1)
    }
    assert (
        waiting[0].last_error
        == "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    # Not before its time:
    assert notifications_send(now=MONDAY_0930 + dt.timedelta(seconds=59)).retrying == 0
    second = notifications_send(now=MONDAY_0930 + dt.timedelta(minutes=1))
    assert second.retrying == 4
    assert {
        n.next_attempt_at for n in Notification.objects.filter(status=Status.QUEUED)
    } == {MONDAY_0930 + dt.timedelta(minutes=3)}
    third = notifications_send(now=MONDAY_0930 + dt.timedelta(minutes=3))
    assert (third.retrying, third.failed) == (0, 4)
    assert Notification.objects.filter(status=Status.FAILED, attempts=3).count() == 4


def test_the_wait_doubles(settings):
    settings.DRUMBEAT_EMAIL_BACKOFF_SECONDS = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


class RefusingOwner(EmailBackend):
    """A server that refuses one address and takes the others."""

    def send_messages(self, messages: Any) -> int:
        if messages[0].to == ["owner@example.com"]:
            raise smtplib.SMTPRecipientsRefused({"owner@example.com": (550, b"no")})
        return super().send_messages(messages)


def test_one_refused_message_does_not_stop_the_others(recorded, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_sending.RefusingOwner"
    run = notifications_send(now=MONDAY_0930)
    assert (run.sent, run.retrying) == (1, 3)
    assert [m.to for m in mail.outbox] == [["editor@example.com"]]


def test_a_failing_step_does_not_stop_the_worker_tick_sending(
    recorded, monkeypatch, time_machine
):
    from drumbeat.worker.management.commands import worker

    time_machine.move_to(MONDAY_0930)

    def broken() -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(worker, "source_pulls_enqueue", broken)
    # The test's own connection (in its transaction) must stay open.
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    tick = worker.scheduler_tick()
    assert tick.failed is True
    assert tick.notifications_sent == 4


def test_failing_notifications_do_not_stop_the_worker_tick(recorded, monkeypatch):
    from drumbeat.worker.management.commands import worker

    def broken(**_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(worker, "notifications_run", broken)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker, "statuses_refresh_daily", lambda: True)
    tick = worker.scheduler_tick()
    assert (tick.failed, tick.refreshed) == (True, True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason=(
        "two senders side by side on PostgreSQL only: SQLite's in-memory test "
        "database locks one thread out at once instead of making it wait"
    ),
)
def test_two_workers_sending_at_once_send_each_message_once(recorded):
    import threading

    results: list[int] = []
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        try:
            results.append(notifications_send(now=MONDAY_0930).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2  # both senders finished, neither failed
    assert sum(results) == 4
    assert sorted(m.to[0] for m in mail.outbox) == [
        "editor@example.com",
        *["owner@example.com"] * 3,
    ]
