"""A real HTTP server on 127.0.0.1 that records what webhooks POST to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the server got, and how it answers: `answers` are status codes given
    in turn (then `default`); a 3xx answer redirects to /elsewhere."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    default: int = 200


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        receiver.requests.append(Received(self.path, dict(self.headers), body))
        status = receiver.answers.pop(0) if receiver.answers else receiver.default
        answer = b"ok" if status < 300 else b"boom: " + b"x" * 2000
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class _Server(ThreadingHTTPServer):
    receiver: Receiver


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    """A running receiver; its URL ends in /hook."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hook")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(name="immediate_tasks")
def immediate_tasks_fixture(settings: object) -> None:
    """Tasks run at once, in the caller (as with DRUMBEAT_TASKS_IMMEDIATE)."""
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }


@pytest.fixture(name="loopback_allowed")
def loopback_allowed_fixture(settings: object) -> None:
    """Webhooks may reach 127.0.0.1, where the receiver listens: a private
    address, refused unless allowed (as with DRUMBEAT_WEBHOOK_ALLOWED_HOSTS)."""
    settings.DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # type: ignore[attr-defined]
