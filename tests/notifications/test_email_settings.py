"""The SMTP password: from the environment, else the secrets file; and the
settings' refusals."""

from __future__ import annotations

import subprocess
import sys

from drumbeat.common.email import SMTPBackend, email_password
from tests.conftest import environment_without_drumbeat


def test_the_password_comes_from_the_environment_first(monkeypatch, settings, tmp_path):
    secrets = tmp_path / "secrets"
    secrets.write_text("email-password = from-the-file\n")
    secrets.chmod(0o600)
    settings.DRUMBEAT_SECRETS_FILE = str(secrets)
    monkeypatch.setenv("DRUMBEAT_EMAIL_PASSWORD", "from-the-environment")
    assert email_password() == "from-the-environment"
    monkeypatch.delenv("DRUMBEAT_EMAIL_PASSWORD")
    assert email_password() == "from-the-file"
    assert SMTPBackend(host="127.0.0.1").password == "from-the-file"


def test_tls_and_ssl_together_are_refused():
    result = subprocess.run(
        [sys.executable, "-m", "drumbeat", "manage", "check"],
        env=environment_without_drumbeat(
            DRUMBEAT_EMAIL_HOST="smtp.example.com",
            DRUMBEAT_EMAIL_USE_TLS="true",
            DRUMBEAT_EMAIL_USE_SSL="true",
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert (
        "DRUMBEAT_EMAIL_USE_TLS and DRUMBEAT_EMAIL_USE_SSL: set one or the other"
        in (result.stderr)
    )
