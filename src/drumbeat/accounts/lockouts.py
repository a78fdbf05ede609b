"""Sign-in lockouts, with django-axes: failed sign-ins are counted per account (the
username typed) and per address; past either limit, sign-ins are refused for the
cool-off, before any password is hashed (axes' backend comes first in
AUTHENTICATION_BACKENDS and refuses a locked-out attempt itself).

Axes compares one count with one limit; the account and the address have limits of
their own (`DRUMBEAT_LOCKOUT_FAILURES`, `DRUMBEAT_LOCKOUT_ADDRESS_FAILURES`), so
`LockoutHandler` counts toward the nearer of the two.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

logger = logging.getLogger(__name__)

LOCKED_OUT = (
    "Too many failed sign-ins for this account or address: try again in "
    "{minutes} minutes, or ask an admin to unlock it."
)


def account_limit() -> int:
    return int(settings.DRUMBEAT_LOCKOUT_FAILURES)


def address_limit() -> int:
    return int(settings.DRUMBEAT_LOCKOUT_ADDRESS_FAILURES)


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    """The limit axes compares failures with (AXES_FAILURE_LIMIT): the account's;
    `LockoutHandler` brings an address's failures to its scale."""
    return account_limit()


def cool_off(request: HttpRequest | None = None) -> dt.timedelta:
    """How long a lockout lasts after the last failure (AXES_COOLOFF_TIME)."""
    return dt.timedelta(minutes=int(settings.DRUMBEAT_LOCKOUT_MINUTES))


def locked_out_message() -> str:
    return LOCKED_OUT.format(minutes=settings.DRUMBEAT_LOCKOUT_MINUTES)


def lockout_parameters(request: HttpRequest, credentials: Any = None) -> list[str]:
    """What failures are counted by: the account and the address; the address
    alone when no username was typed (a single sign-on that came back refused)."""
    if get_client_username(request, credentials):
        return ["username", "ip_address"]
    return ["ip_address"]


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler, with a limit for accounts and another for
    addresses."""

    def get_failures(self, request: HttpRequest, credentials: Any = None) -> int:
        """The failures toward the nearer lockout, on the account's scale (axes
        compares them with AXES_FAILURE_LIMIT, the account's limit): an address's
        count is lowered by how much higher its own limit is."""
        shift = address_limit() - account_limit()
        counts = [
            (attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)
            - (shift if parameter == "ip_address" else 0)
            for parameter, attempts in zip(
                get_lockout_parameters(request, credentials),
                self.get_user_attempts(request, credentials),
                strict=True,
            )
        ]
        return max(counts, default=0)

    def reset_user_attempts(self, request: HttpRequest, credentials: Any = None) -> int:
        """On a sign-in (AXES_RESET_ON_SUCCESS), forget the account's failures but
        not the address's: else anyone with an account could wipe the count of a
        flood from their address by signing in between guesses."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        deleted, _ = AccessAttempt.objects.filter(username=username).delete()
        return int(deleted)


def client_address(request: HttpRequest) -> str | None:
    """The address a request comes from: the connection's, or, behind a trusted
    reverse proxy (`DRUMBEAT_TRUSTED_PROXY`), the right-most address of its header
    (`DRUMBEAT_PROXY_HEADER`): the one the proxy itself added. Without a trusted
    proxy the header is ignored, since anyone may send it."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.DRUMBEAT_TRUSTED_PROXY:
        return remote
    header = "HTTP_" + settings.DRUMBEAT_PROXY_HEADER.upper().replace("-", "_")
    forwarded = [
        part.strip() for part in request.META.get(header, "").split(",") if part
    ]
    if forwarded and forwarded[-1]:
        try:
            return str(ipaddress.ip_address(forwarded[-1]))
        except ValueError:
            logger.warning(
                "%s: %r is not an address; counting the proxy's address instead",
                settings.DRUMBEAT_PROXY_HEADER,
                forwarded[-1],
            )
    return remote
