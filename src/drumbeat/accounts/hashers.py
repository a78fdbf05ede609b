"""Password hashing with a bound on memory: Django's Argon2 hasher, at most
`DRUMBEAT_PASSWORD_CHECKS_AT_ONCE` hashes at once in a process.

Each Argon2 hash takes `memory_cost` KiB (Django's 102,400: 100 MiB) for a fraction
of a second, which is what makes a stolen hash slow to guess. Forty sign-ins at once
took 40 of them, 3.2 GB; here the forty-first waits for a slot instead, so a flood
costs time, not memory. The parameters stay Django's, so stored hashes keep their
strength and no one's hash is rewritten.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


@functools.cache
def _slots(size: int) -> threading.BoundedSemaphore:
    """The process's slots for hashing, one semaphore per configured size."""
    return threading.BoundedSemaphore(size)


def hashing_slots() -> threading.BoundedSemaphore:
    return _slots(int(settings.DRUMBEAT_PASSWORD_CHECKS_AT_ONCE))


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (same algorithm name and parameters, so existing
    hashes verify unchanged), run only inside one of the process's slots."""

    def encode(self, password: str, salt: str) -> Any:
        with hashing_slots():
            return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        with hashing_slots():
            return bool(super().verify(password, encoded))
