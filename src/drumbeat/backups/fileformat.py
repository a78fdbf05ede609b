"""The backup file: JSON Lines, gzip-compressed when its name ends in `.gz`.

    {"drumbeat_backup": 1, "created_at": ..., "migrations": {...}, ...}   header
    {"model": "kpis.reading", "pk": 1, "fields": {...}}                   one a row
    ...
    {"drumbeat_backup_end": {"kpis.reading": 21648, ...}}                 rows by table

Each row is Django's serialization of it (what `dumpdata --format jsonl` writes),
with its primary key and the ids it refers to kept, so that every reference
(a reading's KPI, a log entry's object) holds in the restored database. The header
names the migrations the rows are shaped by; the last line counts the rows, so that
a file cut short is refused rather than half restored.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from drumbeat.backups.selectors import Migration

VERSION = 1
HEADER = "drumbeat_backup"
FOOTER = "drumbeat_backup_end"
GZIP_MAGIC = b"\x1f\x8b"


class BackupFileError(ValueError):
    """A file that is not a backup this version can restore; the message names
    the file, and the line where there is one."""


class BackupEncoder(DjangoJSONEncoder):
    """Django's JSON, but times to the microsecond: Django's encoder cuts them to
    the millisecond, which would change when each reading was recorded."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class BackupSerializer(jsonl.Serializer):
    """Django's JSON Lines serializer, a row a line, with times to the
    microsecond, and each line encoded at once: Django's `json.dump` takes the
    pure-Python encoder, which was half of a backup's time."""

    def _init_options(self) -> None:
        super()._init_options()  # type: ignore[misc]
        self.json_kwargs["cls"] = BackupEncoder

    def end_object(self, obj: Model) -> None:
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs))
        self.stream.write("\n")
        self._current = None


@dataclass(frozen=True)
class BackupHeader:
    """What the first line of a backup says about it."""

    created_at: str
    drumbeat: str
    database: str
    migrations: frozenset[Migration]

    def line(self) -> str:
        by_app: dict[str, list[str]] = {}
        for app, name in sorted(self.migrations):
            by_app.setdefault(app, []).append(name)
        return json.dumps(
            {
                HEADER: VERSION,
                "created_at": self.created_at,
                "drumbeat": self.drumbeat,
                "database": self.database,
                "migrations": by_app,
            }
        )


def backup_open_for_writing(path: Path, *, compressed: bool) -> TextIO:
    """The file to write a backup to, gzip-compressed or not."""
    if compressed:
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
    return path.open("w", encoding="utf-8")


def backup_open_for_reading(path: Path) -> TextIO:
    """A backup to read, compressed or not (whatever its name says)."""
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    if compressed:
        return gzip.open(path, "rt", encoding="utf-8")
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8")


class BackupReader:
    """The lines of a backup: its header, then its rows (each with the number of
    its line, for messages), then the counts of its last line."""

    def __init__(self, stream: TextIO, name: str) -> None:
        self.stream = stream
        self.name = name
        self.line = 0
        self.counts: dict[str, int] | None = None
        self.header = self._header()

    def _problem(self, message: str) -> BackupFileError:
        return BackupFileError(f"{self.name}:{self.line}: {message}")

    def _next(self) -> dict[str, Any] | None:
        try:
            text = self.stream.readline()
        except (OSError, EOFError, UnicodeDecodeError) as error:
            raise self._problem(f"unreadable ({error})") from None
        if not text:
            return None
        self.line += 1
        try:
            data = json.loads(text)
        except ValueError:
            raise self._problem("not a line of a backup (not JSON)") from None
        if not isinstance(data, dict):
            raise self._problem("not a line of a backup (not a JSON object)")
        return data

    def _header(self) -> BackupHeader:
        try:
            data = self._next()
        except BackupFileError:
            data = None
        if data is None or HEADER not in data:
            raise BackupFileError(
                f"{self.name}: not a Drumbeat backup (make one with "
                "`drumbeat backup FILE`)"
            )
        if data[HEADER] != VERSION:
            raise BackupFileError(
                f"{self.name}: a backup of format {data[HEADER]!r}, which this "
                f"version of Drumbeat does not read (it reads format {VERSION}): "
                "restore it with the version that wrote it, or a newer one"
            )
        try:
            migrations = frozenset(
                (str(app), str(name))
                for app, names in data["migrations"].items()
                for name in names
            )
            return BackupHeader(
                created_at=str(data["created_at"]),
                drumbeat=str(data["drumbeat"]),
                database=str(data["database"]),
                migrations=migrations,
            )
        except (KeyError, AttributeError, TypeError):
            raise self._problem(
                "a damaged header (created_at, drumbeat, database and migrations "
                "are needed)"
            ) from None

    def rows(self, labels: set[str]) -> Iterator[dict[str, Any]]:
        """Each row, checked to be of one of the tables `labels`; then the
        counts of the last line are kept in `counts`."""
        while (data := self._next()) is not None:
            if FOOTER in data:
                counts = data[FOOTER]
                if not isinstance(counts, dict):
                    raise self._problem("a damaged last line (no counts)")
                self.counts = counts
                if self._next() is not None:
                    raise self._problem("a line after the backup's last line")
                return
            label = data.get("model")
            if label not in labels:
                raise self._problem(
                    f"a row of {label!r}, which is not a table a backup holds"
                )
            if not isinstance(data.get("fields"), dict) or "pk" not in data:
                raise self._problem(f"a damaged {label} row (no pk or fields)")
            yield data

    def problem(self, message: str) -> BackupFileError:
        """A problem with the row last read, at its line."""
        return self._problem(message)
