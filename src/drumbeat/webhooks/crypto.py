"""Webhook signing secrets: made, encrypted at rest, and used to sign bodies.

The encryption key is derived (HKDF-SHA256) from `DRUMBEAT_WEBHOOK_KEY` when it is
set, else from Django's `SECRET_KEY`: changing that key makes the stored secrets
unreadable, and each webhook's secret must then be rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_PREFIX = "whsec_"


class SecretUnreadableError(Exception):
    """A stored secret that the current key cannot decrypt."""


def secret_make() -> str:
    """A new signing secret: 256 random bits, URL-safe text."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _fernet() -> Fernet:
    material = getattr(settings, "DRUMBEAT_WEBHOOK_KEY", "") or settings.SECRET_KEY
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"drumbeat",
        info=b"webhook signing secrets",
    ).derive(material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode("ascii")


def secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadableError(
            "the signing secret cannot be decrypted (the key it was stored with "
            "changed): rotate the webhook's secret"
        ) from None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Drumbeat-Signature` value: HMAC-SHA256 of "<timestamp>.<body>"."""
    digest = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"
