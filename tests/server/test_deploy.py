"""The production configuration of docs/deploy.md: `deploy/production.env.example`
names every setting, passes Django's deployment checks with no warning, and the
settings table of docs/deploy.md names every setting too."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from pathlib import Path

from tests.conftest import environment_without_drumbeat

ROOT = Path(__file__).parents[2]
EXAMPLE_ENV = ROOT / "deploy" / "production.env.example"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
DRUMBEAT = [sys.executable, "-m", "drumbeat"]


def example_environment() -> dict[str, str]:
    """The file's NAME=value lines, as systemd's EnvironmentFile= reads them."""
    variables: dict[str, str] = {}
    for number, line in enumerate(EXAMPLE_ENV.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        assert equals, f"line {number}: not NAME=value"
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"line {number}: {name!r}"
        assert name not in variables, f"line {number}: {name} again"
        variables[name] = value
    return variables


def settings_read() -> set[str]:
    """Every variable the settings and `drumbeat serve` read."""
    sources = [
        ROOT / "src" / "drumbeat" / "server" / "settings.py",
        ROOT / "src" / "drumbeat" / "cli" / "serve.py",
    ]
    names = {"DATABASE_URL"}
    for source in sources:
        names |= set(re.findall(r'"(DRUMBEAT_[A-Z0-9_]+)"', source.read_text()))
    return names


def check_deploy(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DRUMBEAT, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_settings_read_are_found():
    assert {"DRUMBEAT_SECRET_KEY", "DRUMBEAT_HSTS_SECONDS", "DRUMBEAT_BIND"} <= (
        settings_read()
    )


def test_the_example_names_every_setting():
    assert settings_read() - set(example_environment()) == set()


def test_the_deployment_page_names_every_setting_in_its_table():
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", DEPLOY_DOC.read_text(), re.M))
    assert settings_read() - table == set()


def test_only_the_secrets_and_passwords_are_placeholders():
    placeholders = {
        name for name, value in example_environment().items() if "<" in value
    }
    assert placeholders == {
        "DATABASE_URL",
        "DRUMBEAT_SECRET_KEY",
        "DRUMBEAT_WEBHOOK_KEY",
        "DRUMBEAT_SOURCE_WAREHOUSE_URL",
    }


def test_the_example_passes_the_deployment_checks_with_no_warning(tmp_path: Path):
    """`drumbeat manage check --deploy` with exactly the file's variables, but a
    throwaway database and secrets for its placeholders, and a data directory of
    this machine (the SQL source's URL is read only when a pull runs)."""
    environment = environment_without_drumbeat(
        **example_environment()
        | {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'drumbeat.sqlite3'}",
            "DRUMBEAT_SECRET_KEY": secrets.token_urlsafe(50),
            "DRUMBEAT_WEBHOOK_KEY": secrets.token_urlsafe(50),
            "DRUMBEAT_DATA_DIR": str(tmp_path),
        }
    )
    result = check_deploy(environment)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout == "System check identified no issues (0 silenced).\n"


def test_without_hsts_the_checks_warn(tmp_path: Path):
    """The check above can fail: without one HTTPS setting it warns."""
    variables = example_environment() | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'drumbeat.sqlite3'}",
        "DRUMBEAT_SECRET_KEY": secrets.token_urlsafe(50),
        "DRUMBEAT_DATA_DIR": str(tmp_path),
    }
    del variables["DRUMBEAT_HSTS_SECONDS"]
    result = check_deploy(environment_without_drumbeat(**variables))
    assert result.returncode == 1
    assert "(security.W004) You have not set a value for the SECURE_HSTS_SECONDS" in (
        result.stderr
    )
