"""The URLs of SQL connections, by name: from the environment or a secrets file,
read when a pull runs, never stored in the database nor shown anywhere.

- `DRUMBEAT_SOURCE_<NAME>_URL`: NAME upper-cased, dashes as underscores
  (`warehouse` → `DRUMBEAT_SOURCE_WAREHOUSE_URL`). Wins over the file.
- `DRUMBEAT_SECRETS_FILE`: a file of `name = url` lines (`#` starts a comment),
  or TOML (`name = "url"`). A warning is logged if others may read it.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from drumbeat.kpis.sources import SourceError

logger = logging.getLogger(__name__)

_warned: set[tuple[str, int]] = set()


def env_name(name: str) -> str:
    """The environment variable that holds a connection's URL."""
    return f"DRUMBEAT_SOURCE_{name.upper().replace('-', '_')}_URL"


def _same_name(name: str) -> str:
    return name.lower().replace("_", "-")


def connection_url(name: str) -> str:
    """The URL of the connection `name`, or SourceError saying where to set it."""
    url = os.environ.get(env_name(name), "").strip()
    if url:
        return url
    path = settings.DRUMBEAT_SECRETS_FILE
    if path:
        found = secrets_file_urls(Path(path)).get(_same_name(name))
        if found:
            return found
    return _missing(name)


def _missing(name: str) -> str:
    raise SourceError(
        f"no connection '{name}': set {env_name(name)} or add it to the secrets "
        "file (DRUMBEAT_SECRETS_FILE)"
    )


def secrets_file_urls(path: Path) -> dict[str, str]:
    """The connection URLs in a secrets file, by name (lower case, dashes).

    Problems name the file and the line, never what the line holds.
    """
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(
            f"the secrets file {path} (DRUMBEAT_SECRETS_FILE) does not exist"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise SourceError(f"cannot read the secrets file {path}: {reason}") from None
    _warn_if_readable(path, mode)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _lines(path, text)
    urls: dict[str, str] = {}
    for name, value in data.items():
        if not isinstance(value, str):
            raise SourceError(
                f"the secrets file {path}: '{name}' must be a URL in quotes"
            )
        urls[_same_name(name)] = value.strip()
    return urls


def _lines(path: Path, text: str) -> dict[str, str]:
    urls: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, url = line.partition("=")
        if not equals or not name.strip() or not url.strip():
            raise SourceError(
                f"the secrets file {path}, line {number}: expected `name = url`"
            )
        urls[_same_name(name.strip())] = url.strip().strip("\"'")
    return urls


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


def mask(text: str, url: str) -> str:
    """`text` with the URL's password (as typed and URL-quoted) and the URL itself
    replaced by `***`, for error messages that are stored, shown or logged."""
    secrets = {url}
    try:
        password = make_url(url).password
    except (ArgumentError, ValueError):
        password = None
        # Unparseable: mask whatever sits between `user:` and `@`.
        head, at, _ = url.partition("@")
        if at and ":" in head.split("//", 1)[-1]:
            password = head.split("//", 1)[-1].split(":", 1)[1]
    if password:
        secrets |= {password, quote(password, safe=""), quote(password)}
    for secret in sorted(secrets, key=len, reverse=True):
        if secret:
            text = text.replace(secret, "***")
    return text
