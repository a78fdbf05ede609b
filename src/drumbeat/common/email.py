"""Django's SMTP backend, with its password from the environment or the secrets
file (`email-password`), read when a connection opens, never kept in settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend

from drumbeat.common.secrets import SecretsFileError, secrets_file_values

SECRET_NAME = "email-password"


def email_password() -> str:
    """The SMTP password: `DRUMBEAT_EMAIL_PASSWORD`, else the secrets file's
    `email-password`, else none."""
    password = os.environ.get("DRUMBEAT_EMAIL_PASSWORD", "")
    if not password and settings.DRUMBEAT_SECRETS_FILE:
        try:
            values = secrets_file_values(Path(settings.DRUMBEAT_SECRETS_FILE))
        except SecretsFileError:
            return ""
        password = values.get(SECRET_NAME, "")
    return password


class SMTPBackend(EmailBackend):
    """SMTP with the password read when needed (see `email_password`)."""

    def __init__(self, password: str | None = None, **kwargs: Any) -> None:
        super().__init__(
            password=password if password is not None else email_password(), **kwargs
        )
