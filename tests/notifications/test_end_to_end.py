"""End to end: the worker's notification step on a check-in day sends the
reminders and digests through a real SMTP server on 127.0.0.1 (aiosmtpd), and
sends nothing more when it runs again."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from drumbeat.notifications.models import Notification
from drumbeat.notifications.services import notifications_run
from tests.notifications.conftest import MONDAY_0930

BASE = "https://drumbeat.example.com"


@dataclass
class Inbox:
    """What the SMTP server accepted: (envelope recipients, message)."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "drumbeat.common.email.SMTPBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "drumbeat@example.com"
    settings.DRUMBEAT_BASE_URL = BASE
    yield inbox
    controller.stop()


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def test_reminders_and_digest_go_through_smtp_once(week, smtp_server):
    run = notifications_run(now=MONDAY_0930)
    assert (run.sent, run.failed, run.retrying) == (4, 0, 0)
    subjects = sorted((to[0], m["Subject"]) for to, m in smtp_server.received)
    assert subjects == [
        ("editor@example.com", "Check-in due: 1 key result (2026-W49)"),
        ("owner@example.com", "Check-in due: 1 key result (2026-W49)"),
        ("owner@example.com", "Readings due: 1 KPI (2026-W49)"),
        ("owner@example.com", "Your week in Drumbeat: 2 items (2026-W49)"),
    ]
    check_in = f"{BASE}/objectives/happier/key-results/csat-up/check-ins/"
    kpi = f"{BASE}/kpis/csat/"
    links = {
        "Check-in due": [check_in],
        "Readings due": [kpi],
        "Your week in Drumbeat": [kpi, check_in],
    }
    for _, message in smtp_server.received:
        assert message["From"] == "drumbeat@example.com"
        text, html = text_and_html(message)
        for link in links[message["Subject"].split(":")[0]]:
            assert link in text
            assert f'href="{link}"' in html
        unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
        assert unsubscribe.startswith(f"{BASE}/notifications/unsubscribe/")
        assert unsubscribe in text
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    again = notifications_run(now=MONDAY_0930.replace(hour=10))
    assert (again.recorded, again.sent) == (0, 0)
    assert len(smtp_server.received) == 4
    assert Notification.objects.filter(status="sent", channel="email").count() == 4
