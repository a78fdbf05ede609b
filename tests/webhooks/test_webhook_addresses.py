"""Webhooks post only to public addresses: a private one (loopback, the cloud's
metadata service, an internal network) is refused when a webhook is configured
with it written in the URL, and at every delivery after resolving the host, unless
DRUMBEAT_WEBHOOK_ALLOW_PRIVATE or DRUMBEAT_WEBHOOK_ALLOWED_HOSTS allows it. The
connection goes to the address that was checked, never to a second lookup."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from drumbeat.webhooks import services
from drumbeat.webhooks.addresses import AddressPolicy, private_kind
from drumbeat.webhooks.crypto import secret_encrypt, secret_make
from drumbeat.webhooks.http import post
from drumbeat.webhooks.models import Delivery, Event, Webhook
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HINT = "set DRUMBEAT_WEBHOOK_ALLOWED_HOSTS to allow it"
FORM = {
    "name": "Ops channel",
    "url": "https://hooks.example.com/drumbeat",
    "events": ["kpi.red"],
    "active": "on",
}

_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every connection opened, as (address, port): to 127.0.0.1 it is made, to
    any other address it fails at once (no network in tests)."""
    made: list[tuple[str, int]] = []

    def connect(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        made.append((address[0], address[1]))
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError("no network in tests")
        return _real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", connect)
    return made


def _resolving(
    monkeypatch: pytest.MonkeyPatch, name: str, *answers: list[str]
) -> list[str]:
    """Make `name` resolve to the addresses of each answer in turn (the last one
    again after that); returns the names looked up. Other names resolve as
    usual."""
    lookups: list[str] = []
    pending = list(answers)

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        if host != name:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        answer = pending.pop(0) if len(pending) > 1 else pending[0]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def _stored(url: str) -> Webhook:
    """A webhook stored without the configuration check (added before the guard,
    or while the settings allowed its address)."""
    return Webhook.objects.create(
        name="ops",
        url=url,
        events=[Event.KPI_RED],
        secret_encrypted=secret_encrypt(secret_make()),
    )


def _delivered(webhook: Webhook, users: dict[str, User]) -> Delivery:
    """A test event to `webhook`, tried once now."""
    delivery = services.webhook_test_send(webhook=webhook, by=users["admin"])
    tried = services.delivery_attempt(delivery_id=delivery.pk)
    assert tried is not None
    return tried


def _create(url: str, users: dict[str, User]) -> Webhook:
    return services.webhook_create(
        name="ops",
        url=url,
        events=[Event.KPI_RED],
        active=True,
        slack=False,
        by=users["admin"],
    ).webhook


# --- What counts as private ---------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.0.0.5", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.5", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_what_keeps_an_address_from_being_public(address, kind):
    assert private_kind(ipaddress.ip_address(address)) == kind


# --- When a webhook is configured ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/x", "127.0.0.1 is a loopback address"),
        ("http://localhost/x", "localhost names this machine"),
        ("http://LOCALHOST./x", "localhost. names this machine"),
        ("http://admin.localhost:8080/x", "admin.localhost names this machine"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local"),
        ("https://10.0.0.5/hook", "10.0.0.5 is a private address"),
        ("http://[::1]:8000/x", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/x", "::ffff:127.0.0.1 is a loopback address"),
        ("http://0.0.0.0/x", "0.0.0.0 is a unspecified address"),
    ],
)
def test_a_private_address_in_the_url_is_refused_with_the_setting_to_allow_it(
    users, url, message
):
    with pytest.raises(ValidationError) as refused:
        _create(url, users)
    [error] = refused.value.message_dict["url"]
    assert error.startswith(f"Not a public address: {message}")
    assert error.endswith(f"; {HINT}.")
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1/x", "127.0.0.1 is a loopback address"),
        ("http://localhost/x", "localhost names this machine"),
    ],
)
def test_the_form_refuses_this_machine_and_says_why(users, url, why):
    response = client_for(users["admin"]).post("/webhooks/new/", {**FORM, "url": url})
    assert response.status_code == 400
    message = f"Not a public address: {why}; {HINT}."
    assert response.context["form"].errors["url"] == [message]
    assert message in response.content.decode()
    assert Webhook.objects.count() == 0


def test_editing_a_webhook_to_a_private_address_changes_nothing(users):
    webhook = _create("https://hooks.example.com/x", users)
    response = client_for(users["admin"]).post(
        f"/webhooks/{webhook.pk}/edit/", {**FORM, "url": "http://10.1.2.3/x"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["url"] == [
        f"Not a public address: 10.1.2.3 is a private address; {HINT}."
    ]
    webhook.refresh_from_db()
    assert webhook.url == "https://hooks.example.com/x"


@pytest.mark.parametrize(
    ("allow_private", "allowed", "url"),
    [
        (True, [], "http://127.0.0.1/x"),
        (True, [], "http://localhost/x"),
        (False, ["localhost"], "http://localhost/x"),
        (False, ["127.0.0.1"], "http://127.0.0.1:8000/x"),
        (False, ["10.0.0.0/8"], "http://10.20.30.40/x"),
        (False, ["fd00::/8"], "http://[fd12::1]/x"),
        (False, ["127.0.0.0/8"], "http://[::ffff:127.0.0.1]/x"),
    ],
)
def test_a_private_address_the_settings_allow_is_accepted(
    users, settings, allow_private, allowed, url
):
    settings.DRUMBEAT_WEBHOOK_ALLOW_PRIVATE = allow_private
    settings.DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = allowed
    assert _create(url, users).url == url


def test_a_host_name_is_not_resolved_when_configured(users, monkeypatch):
    """What a name resolves to can change: delivery checks it, each time."""
    lookups = _resolving(monkeypatch, "hooks.internal.example", ["10.0.0.5"])
    assert _create("https://hooks.internal.example/x", users).pk is not None
    assert lookups == []


# --- When a delivery is made --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1:{port}/hook", "127.0.0.1 is a loopback address"),
        ("http://[::1]:{port}/hook", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]:{port}/hook", "::ffff:127.0.0.1 is a loopback"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local"),
        ("http://10.0.0.5/hook", "10.0.0.5 is a private address"),
    ],
)
def test_a_delivery_to_a_private_address_is_refused_and_nothing_is_sent(
    users, receiver, connections, url, refusal
):
    port = receiver.url.split(":")[2].split("/")[0]
    delivery = _delivered(_stored(url.format(port=port)), users)
    assert connections == []
    assert receiver.requests == []
    assert delivery.state == Delivery.State.FAILED
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None
    assert attempt.response == ""
    assert attempt.error.startswith(f"refused: {refusal}")
    assert attempt.error.endswith(f" address; {HINT}")


def test_a_refused_delivery_gives_up_at_once(users, settings, connections):
    """Another try would be refused the same way: one attempt, not five."""
    settings.DRUMBEAT_WEBHOOK_ATTEMPTS = 5
    delivery = _delivered(_stored("http://10.0.0.5/hook"), users)
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempts == 1
    assert delivery.next_attempt_at is None
    assert delivery.attempt_log.get().error == (
        f"refused: 10.0.0.5 is a private address; {HINT}"
    )


def test_a_name_that_resolves_to_a_private_address_is_refused(
    users, monkeypatch, connections
):
    _resolving(monkeypatch, "example.internal", ["10.0.0.5"])
    delivery = _delivered(_stored("https://example.internal/hook"), users)
    assert connections == []
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempt_log.get().error == (
        f"refused: example.internal resolves to 10.0.0.5, a private address; {HINT}"
    )


def test_a_name_with_any_private_address_is_refused(users, monkeypatch, connections):
    _resolving(monkeypatch, "hooks.example.com", ["93.184.216.34", "127.0.0.1"])
    delivery = _delivered(_stored("https://hooks.example.com/hook"), users)
    assert connections == []
    assert delivery.attempt_log.get().error == (
        f"refused: hooks.example.com resolves to 127.0.0.1, a loopback address; {HINT}"
    )


def test_a_name_that_does_not_resolve_cannot_connect(users, monkeypatch, connections):
    def unknown(*args: Any, **kwargs: Any) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    delivery = _delivered(_stored("https://nowhere.example/hook"), users)
    assert connections == []
    assert delivery.state == Delivery.State.PENDING  # retried, like any outage
    assert delivery.attempt_log.get().error == (
        f"cannot connect: [Errno {socket.EAI_NONAME}] Name or service not known"
    )


def test_a_public_address_is_connected_to_as_checked(users, monkeypatch, connections):
    """The connection goes to the address checked, even when the name resolves
    elsewhere a moment later (DNS rebinding)."""
    lookups = _resolving(
        monkeypatch, "hooks.example.com", ["93.184.216.34"], ["127.0.0.1"]
    )
    delivery = _delivered(_stored("https://hooks.example.com/hook"), users)
    assert connections == [("93.184.216.34", 443)]
    assert lookups == ["hooks.example.com"]
    assert delivery.attempt_log.get().error == "cannot connect: no network in tests"


def test_every_checked_address_is_tried_in_turn(users, monkeypatch, connections):
    _resolving(
        monkeypatch, "hooks.example.com", ["2606:2800:220:1::1", "93.184.216.34"]
    )
    _delivered(_stored("http://hooks.example.com/hook"), users)
    assert connections == [("2606:2800:220:1::1", 80), ("93.184.216.34", 80)]


def test_with_private_addresses_allowed_a_delivery_to_one_goes(
    users, settings, receiver, connections
):
    settings.DRUMBEAT_WEBHOOK_ALLOW_PRIVATE = True
    delivery = _delivered(_stored(receiver.url), users)
    assert delivery.state == Delivery.State.SUCCEEDED
    assert len(receiver.requests) == 1
    assert [address for address, _ in connections] == ["127.0.0.1"]


def test_a_host_allowed_by_name_goes_to_its_checked_address_with_its_name(
    users, settings, monkeypatch, receiver, connections
):
    settings.DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = ["Slack-Proxy.internal"]
    _resolving(monkeypatch, "slack-proxy.internal", ["127.0.0.1"])
    port = receiver.url.split(":")[2].split("/")[0]
    url = f"http://slack-proxy.internal:{port}/hook"
    delivery = _delivered(_create(url, users), users)
    assert delivery.state == Delivery.State.SUCCEEDED
    assert [r.headers["Host"] for r in receiver.requests] == [
        f"slack-proxy.internal:{port}"
    ]
    assert connections == [("127.0.0.1", int(port))]


def test_an_address_allowed_by_network_goes(users, settings, receiver, connections):
    settings.DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = ["10.0.0.0/8", "127.0.0.0/8"]
    delivery = _delivered(_create(receiver.url, users), users)
    assert delivery.state == Delivery.State.SUCCEEDED
    assert len(receiver.requests) == 1


def test_a_network_allows_only_the_addresses_in_it(users, settings, connections):
    settings.DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = ["10.1.0.0/16"]
    delivery = _delivered(_stored("http://10.2.0.1/hook"), users)
    assert delivery.attempt_log.get().error == (
        f"refused: 10.2.0.1 is a private address; {HINT}"
    )


# --- HTTPS to a checked address -----------------------------------------------------


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name`, and its key. OpenSSL checks it
    against the real clock, not the tests' pinned one: valid for years around."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class _Hosts(BaseHTTPRequestHandler):
    hosts: list[str]

    def do_POST(self) -> None:
        self.hosts.append(self.headers["Host"])
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def tls_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[int, list[str], list[str]]]:
    """An HTTPS server on 127.0.0.1 with a certificate for hooks.example.com that
    clients trust: its port, the TLS server names and the Host headers it got."""
    cert_file, key_file = _certificate(tmp_path, "hooks.example.com")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    server_names: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)

    def sni(_sock: Any, name: str | None, _context: Any) -> None:
        server_names.append(name or "")

    context.sni_callback = sni
    hosts: list[str] = []
    handler: Callable[..., _Hosts] = type("Handler", (_Hosts,), {"hosts": hosts})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, server_names, hosts
    server.shutdown()
    server.server_close()
    thread.join()


def test_https_to_a_checked_address_keeps_the_host_name_for_tls(
    tls_server, monkeypatch, connections
):
    port, server_names, hosts = tls_server
    _resolving(monkeypatch, "hooks.example.com", ["127.0.0.1"])
    result = post(
        f"https://hooks.example.com:{port}/hook",
        b"{}",
        {},
        policy=AddressPolicy.parse(allow_private=False, allowed=["hooks.example.com"]),
    )
    assert (result.status_code, result.response, result.error) == (200, "ok", "")
    assert connections == [("127.0.0.1", port)]
    assert server_names == ["hooks.example.com"]
    assert hosts == [f"hooks.example.com:{port}"]


def test_https_checks_the_certificate_against_the_host_name(
    tls_server, monkeypatch, connections
):
    port, server_names, hosts = tls_server
    _resolving(monkeypatch, "other.example.com", ["127.0.0.1"])
    result = post(
        f"https://other.example.com:{port}/hook",
        b"{}",
        {},
        policy=AddressPolicy.parse(allow_private=False, allowed=["other.example.com"]),
    )
    assert result.status_code is None
    assert "certificate verify failed: Hostname mismatch" in result.error
    assert server_names == ["other.example.com"]
    assert hosts == []
