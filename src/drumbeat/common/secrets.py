"""The secrets file (`DRUMBEAT_SECRETS_FILE`): secrets by name, kept out of the
database, read when they are needed: SQL connection URLs, the single sign-on
client secret.

The file holds `name = value` lines (`#` starts a comment), or TOML
(`name = "value"`). Names are compared in lower case, `_` read as `-`. A warning is
logged if others may read the file.
"""

from __future__ import annotations

import logging
import stat
import tomllib
from pathlib import Path

logger = logging.getLogger(__name__)

_warned: set[tuple[str, int]] = set()


class SecretsFileError(Exception):
    """The secrets file cannot be read; the message names the file and the line,
    never what the line holds."""


def secret_name(name: str) -> str:
    """The form names are compared in: lower case, dashes."""
    return name.lower().replace("_", "-")


def secrets_file_values(path: Path) -> dict[str, str]:
    """The secrets in the file at `path`, by name (`secret_name`)."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretsFileError(
            f"the secrets file {path} (DRUMBEAT_SECRETS_FILE) does not exist"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise SecretsFileError(
            f"cannot read the secrets file {path}: {reason}"
        ) from None
    _warn_if_readable(path, mode)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _lines(path, text)
    values: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(value, str):
            raise SecretsFileError(
                f"the secrets file {path}: '{name}' must be text in quotes"
            )
        values[secret_name(name)] = value.strip()
    return values


def _lines(path: Path, text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.strip() or not value.strip():
            raise SecretsFileError(
                f"the secrets file {path}, line {number}: expected `name = value`"
            )
        values[secret_name(name.strip())] = value.strip().strip("\"'")
    return values


def _warn_if_readable(path: Path, mode: int) -> None:
    if not mode & (stat.S_IRGRP | stat.S_IROTH):
        return
    if (str(path), mode) in _warned:
        return
    _warned.add((str(path), mode))
    logger.warning(
        "the secrets file %s can be read by other users (mode %s): "
        "`chmod 600 %s` keeps its passwords to this account",
        path,
        stat.filemode(mode),
        path,
    )
