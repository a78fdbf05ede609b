"""One POST of a webhook body, with the standard library: a timeout, no
redirects followed, and the outcome returned (never raised)."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message
from typing import IO, Any

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


_opener = urllib.request.build_opener(_NoRedirects)


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
) -> PostResult:
    """POST `body` to `url`; whatever happens, a PostResult."""
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
        with _opener.open(request, timeout=timeout) as answer:
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
