"""The URLs of SQL connections, by name: from the environment or a secrets file,
read when a pull runs, never stored in the database nor shown anywhere.

- `DRUMBEAT_SOURCE_<NAME>_URL`: NAME upper-cased, dashes as underscores
  (`warehouse` → `DRUMBEAT_SOURCE_WAREHOUSE_URL`). Wins over the file.
- `DRUMBEAT_SECRETS_FILE`: a file of `name = url` lines, or TOML
  (`drumbeat.common.secrets`).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from drumbeat.common.secrets import SecretsFileError, secret_name, secrets_file_values
from drumbeat.kpis.sources import SourceError


def env_name(name: str) -> str:
    """The environment variable that holds a connection's URL."""
    return f"DRUMBEAT_SOURCE_{name.upper().replace('-', '_')}_URL"


def connection_url(name: str) -> str:
    """The URL of the connection `name`, or SourceError saying where to set it."""
    url = os.environ.get(env_name(name), "").strip()
    if url:
        return url
    path = settings.DRUMBEAT_SECRETS_FILE
    if path:
        found = secrets_file_urls(Path(path)).get(secret_name(name))
        if found:
            return found
    return _missing(name)


def _missing(name: str) -> str:
    raise SourceError(
        f"no connection '{name}': set {env_name(name)} or add it to the secrets "
        "file (DRUMBEAT_SECRETS_FILE)"
    )


def secrets_file_urls(path: Path) -> dict[str, str]:
    """The connection URLs in a secrets file, by name (lower case, dashes)."""
    try:
        return secrets_file_values(path)
    except SecretsFileError as error:
        raise SourceError(str(error)) from None


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
