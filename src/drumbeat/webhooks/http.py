"""One POST of a webhook body, with the standard library: a timeout, no
redirects followed, only to addresses the policy allows, and the outcome returned
(never raised)."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any
from urllib.parse import urlsplit

from drumbeat.webhooks.addresses import AddressPolicy, IPAddress, addresses_refusal

TIMEOUT_SECONDS = 5.0
SNIPPET_CHARS = 500
USER_AGENT = "Drumbeat-Webhooks/1"


@dataclass(frozen=True, slots=True)
class PostResult:
    """How a POST went: the status code (None when no answer came), the first
    characters of the answer, the error, and how long it took."""

    status_code: int | None
    response: str
    error: str
    duration_ms: int
    refused: bool = False
    """Not sent: the address is not one the policy allows (retrying won't help)."""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as it came (a failure), never followed: a webhook
    must not be bounced to an address nobody configured."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
        newurl: str,
    ) -> None:
        return None


class _PinnedConnection(http.client.HTTPConnection):
    """A connection to addresses checked beforehand, never to a new lookup of the
    host: a DNS answer changed since the check (rebinding) cannot send the request
    elsewhere. The host name still gives the Host header and, over HTTPS, the TLS
    server name and the name the certificate must match."""

    addresses: Sequence[IPAddress] = ()

    def connect(self) -> None:
        failure: OSError = OSError(f"no address for {self.host}")
        for address in self.addresses:
            try:
                self.sock = socket.create_connection(
                    (str(address), self.port), self.timeout
                )
            except OSError as error:
                failure = error
            else:
                return
        raise failure


class _PinnedHTTPSConnection(http.client.HTTPSConnection, _PinnedConnection):
    """HTTPS over `_PinnedConnection`: `HTTPSConnection.connect` wraps the socket
    that `_PinnedConnection.connect` (next in line) opens, with the host name."""


def _pinned(
    kind: type[_PinnedConnection], addresses: Sequence[IPAddress]
) -> Callable[..., http.client.HTTPConnection]:
    """A connection factory for `do_open`: `kind` bound to `addresses`."""

    def connection(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        made = kind(host, **kwargs)
        made.addresses = addresses
        return made

    return connection


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, addresses: Sequence[IPAddress]) -> None:
        super().__init__()
        self.connection = _pinned(_PinnedConnection, addresses)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.connection, req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, addresses: Sequence[IPAddress]) -> None:
        super().__init__()
        self.connection = _pinned(_PinnedHTTPSConnection, addresses)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.connection, req)


def _opener(addresses: Sequence[IPAddress]) -> urllib.request.OpenerDirector:
    """An opener that connects only to `addresses`, follows no redirect and
    ignores proxy settings (a proxy would connect to addresses never checked)."""
    return urllib.request.build_opener(
        _NoRedirects,
        urllib.request.ProxyHandler({}),
        _PinnedHTTPHandler(addresses),
        _PinnedHTTPSHandler(addresses),
    )


def _resolved(url: str) -> tuple[str, list[IPAddress]]:
    """The URL's host and every address it resolves to (OSError when none)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return host, addresses


def _snippet(stream: Any) -> str:
    try:
        data: bytes = stream.read(SNIPPET_CHARS * 4)
    except Exception:  # a broken answer is still an answer
        return ""
    return data.decode("utf-8", errors="replace")[:SNIPPET_CHARS]


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float = TIMEOUT_SECONDS,
    *,
    policy: AddressPolicy,
) -> PostResult:
    """POST `body` to `url` unless its host resolves to an address `policy` does
    not allow (then nothing is sent); whatever happens, a PostResult."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"User-Agent": USER_AGENT, **headers},
    )
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        host, addresses = _resolved(url)
    except (OSError, ValueError) as error:  # no such host, a bad port or name
        return PostResult(None, "", f"cannot connect: {error}", took())
    refusal = addresses_refusal(host, addresses, policy)
    if refusal is not None:
        return PostResult(None, "", refusal, took(), refused=True)
    try:
        with _opener(addresses).open(request, timeout=timeout) as answer:
            return PostResult(answer.status, _snippet(answer), "", took())
    except urllib.error.HTTPError as error:
        reason = f"HTTP {error.code}"
        if 300 <= error.code < 400:
            reason += " (a redirect: not followed; configure the final address)"
        return PostResult(error.code, _snippet(error), reason, took())
    except urllib.error.URLError as error:
        return PostResult(None, "", f"cannot connect: {error.reason}", took())
    except TimeoutError:
        return PostResult(None, "", f"no answer within {timeout:g} s", took())
    except Exception as error:  # reported, never raised
        return PostResult(None, "", f"{type(error).__name__}: {error}", took())
