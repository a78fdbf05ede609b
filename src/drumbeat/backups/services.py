"""Writing a backup of the whole database, and restoring one.

Why not `dumpdata` and `loaddata`, whose format the rows share: `dumpdata` reads
each table at its own moment, so a backup taken while the server runs could hold a
reading of a KPI it does not hold; and `loaddata` saves one row at a time (two
queries each), sending the save signals that would refresh statuses and write
history rows on the way. A backup here is read at one moment (a read-only
snapshot), and a restore writes in bulk, without signals, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model

from drumbeat.backups.fileformat import (
    FOOTER,
    BackupEncoder,
    BackupHeader,
    BackupReader,
    BackupSerializer,
    backup_open_for_reading,
    backup_open_for_writing,
)
from drumbeat.backups.selectors import (
    Migration,
    backup_models,
    excluded_models,
    migrations_applied,
    migrations_known,
    migrations_pending,
    rows_present,
)
from drumbeat.common.bulk import rows_insert
from drumbeat.core.display import format_count
from drumbeat.webhooks.selectors import webhooks_with_unreadable_secrets

CHUNK_SIZE = 2000
"""Rows read from the database at a time."""
MIGRATIONS_NAMED = 3
"""Migrations named in a message, at most."""


class BackupRefusedError(ValueError):
    """A database that cannot be backed up as it is: nothing was written."""


class RestoreRefusedError(ValueError):
    """A backup that cannot be restored here, or a database it cannot be restored
    into: nothing was written."""


@dataclass(frozen=True)
class BackupWritten:
    """A backup written: where, its size in bytes, and its rows by table."""

    path: Path
    size: int
    counts: dict[str, int]


@dataclass(frozen=True)
class Restored:
    """A backup restored: its header, its rows by table, whether the database was
    migrated on from the backup's version, and the webhooks whose signing secrets
    this server's key cannot decrypt (a key that differs from the backed-up
    server's)."""

    header: BackupHeader
    counts: dict[str, int]
    migrated: bool
    unreadable_secrets: list[str]


@contextmanager
def _one_moment() -> Iterator[None]:
    """Reads that all see the database as it was at one moment, while the server
    and the workers go on writing (and are not held up)."""
    if connection.in_atomic_block:
        yield  # inside a transaction already, which is one moment
    elif connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred transaction takes no write lock (Django's would: the server
        # runs SQLite's transactions IMMEDIATE); in WAL mode its reads all see
        # the database as it was at its first one.
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:
        with transaction.atomic():
            yield


def _counted(
    rows: Iterator[Model], counts: Counter[str], label: str
) -> Iterator[Model]:
    for row in rows:
        counts[label] += 1
        yield row


def database_backup(*, path: Path) -> BackupWritten:
    """Write every table a backup holds to `path` (whole, or not at all; readable
    by its owner only), read at one moment."""
    pending = migrations_pending()
    if pending:
        raise BackupRefusedError(
            f"the database is not migrated to this version of Drumbeat "
            f"({_named(set(pending))} not applied): run `drumbeat manage migrate` "
            "first"
        )
    partial = path.with_name(f".{path.name}.part")
    counts: Counter[str] = Counter()
    # Readable by its owner only: it holds password hashes and token digests.
    partial.unlink(missing_ok=True)  # left by a backup that was killed
    partial.touch(mode=0o600)
    try:
        with (
            _one_moment(),
            backup_open_for_writing(partial, compressed=path.suffix == ".gz") as stream,
        ):
            header = BackupHeader(
                created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                drumbeat=importlib.metadata.version("drumbeat"),
                database=connection.vendor,
                migrations=migrations_applied(),
            )
            stream.write(header.line() + "\n")
            for model in backup_models():
                label = model._meta.label_lower
                counts[label] = 0
                rows = model._base_manager.order_by("pk").iterator(CHUNK_SIZE)
                fields = model._meta.local_fields
                BackupSerializer().serialize(
                    _counted(rows, counts, label),
                    stream=stream,
                    fields=[field.name for field in fields if not field.primary_key],
                )
            stream.write(BackupEncoder().encode({FOOTER: dict(counts)}) + "\n")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupWritten(path=path, size=path.stat().st_size, counts=dict(counts))


def _named(migrations: set[Migration]) -> str:
    names = [f"{app} {name}" for app, name in sorted(migrations)]
    more = len(names) - MIGRATIONS_NAMED
    return ", ".join(names[:MIGRATIONS_NAMED]) + (
        f" and {more} more" if more > 0 else ""
    )


def _schema_check(name: str, backed_up: frozenset[Migration]) -> bool:
    """Whether the database is new, and must be migrated to the backup's version
    first; refused when the backup's tables and the database's differ."""
    unknown = backed_up - migrations_known()
    if unknown:
        raise RestoreRefusedError(
            f"{name}: a backup of a newer version of Drumbeat (its tables have "
            f"migrations this version does not: {_named(set(unknown))}): restore it "
            "with the version that wrote it, or a newer one"
        )
    applied = migrations_applied()
    if not applied:
        return True
    if backed_up - applied:
        raise RestoreRefusedError(
            f"{name}: the database is not migrated as far as the backup "
            f"({_named(set(backed_up - applied))} not applied): run `drumbeat manage "
            "migrate`, or restore into a new database"
        )
    if applied - backed_up:
        raise RestoreRefusedError(
            f"{name}: a backup of an older version of Drumbeat (the database has "
            f"migrations it predates: {_named(set(applied - backed_up))}): restore "
            "it into a new database, not migrated: its tables are made as the "
            "backup's were, filled, then migrated to this version"
        )
    return False


def _migrate_to(migrations: frozenset[Migration]) -> Apps:
    """Make a new database's tables as they were when the backup was written;
    the models as they were then, whose fields the backup's rows hold."""
    executor = MigrationExecutor(connection)
    nodes = executor.loader.graph.node_map
    # The last migration of each app: Django plans forwards to each target.
    latest = [
        migration
        for migration in sorted(migrations)
        if not any(
            child.key in migrations and child.key[0] == migration[0]
            for child in nodes[migration].children
        )
    ]
    executor.migrate(latest)
    return executor.loader.project_state(latest, at_end=True).apps


def _empty(models: list[type[Model]]) -> None:
    """Delete every row of these tables (inside the restore's transaction)."""
    tables = [model._meta.db_table for model in models]
    if connection.vendor == "postgresql":
        # TRUNCATE refuses a table with foreign keys still to check, of rows
        # written earlier in the caller's transaction: check them now.
        connection.check_constraints()
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, allow_cascade=False)
    )


class _Table:
    """A table of the backup, as it is restored: its columns, and each row of
    the file as the database takes it."""

    def __init__(self, model: type[Model]) -> None:
        # The connection itself, not Django's proxy, which costs a lookup a value.
        self.database = connections[DEFAULT_DB_ALIAS]
        self.label = model._meta.label_lower
        self.name = model._meta.db_table
        self.pk = model._meta.pk
        self.fields = {
            field.name: field
            for field in model._meta.local_concrete_fields
            if field is not self.pk
        }
        self.columns = [field.column for field in (self.pk, *self.fields.values())]

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        """A row's values, each converted as Django saves it (`auto_now` fields
        keep their backed-up times); ValidationError for one that does not fit."""
        given = row["fields"]
        if given.keys() != self.fields.keys():
            extra = sorted(given.keys() - self.fields.keys())
            missing = sorted(self.fields.keys() - given.keys())
            raise ValidationError(
                f"{self.label} has no column {extra[0]!r}"
                if extra
                else f"a {self.label} row without {missing[0]!r}"
            )
        return (
            self.pk.get_db_prep_save(self.pk.to_python(row["pk"]), self.database),
            *(
                field.get_db_prep_save(field.to_python(given[name]), self.database)
                for name, field in self.fields.items()
            ),
        )


def _reason(error: DatabaseError) -> str:
    """The database's message on one line, without PostgreSQL's CONTEXT (which
    counts lines of the COPY, not of the file)."""
    lines = [line.strip() for line in str(error).splitlines()]
    return " ".join(line for line in lines if line and not line.startswith("CONTEXT"))


def _load(
    reader: BackupReader, name: str, registry: Apps | None = None
) -> dict[str, int]:
    """Every row of the backup into emptied tables, in bulk and without signals
    (which would write history rows of their own), checked against the backup's
    counts and references; in the caller's transaction. `registry`: the models
    as the backup's version had them, for tables made as they were then."""
    models = backup_models(registry) if registry else backup_models()
    tables = {model._meta.label_lower: _Table(model) for model in models}
    _empty(models + excluded_models())
    counts: Counter[str] = Counter()
    table: _Table | None = None

    def values(rows: Iterator[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
        for row in rows:
            counts[row["model"]] += 1
            yield tables[row["model"]].values(row)

    try:
        # A table's rows follow each other: each run of them is one insert.
        for label, rows in groupby(reader.rows(set(tables)), itemgetter("model")):
            table = tables[label]
            rows_insert(table=table.name, columns=table.columns, rows=values(rows))
    except ValidationError as error:
        message = "; ".join(error.messages)
        raise reader.problem(f"a row that does not fit its table: {message}") from None
    except DatabaseError as error:
        raise RestoreRefusedError(
            f"{name}: the database refused a row of "
            f"{table.label if table else 'a table'}: {_reason(error)}"
        ) from None
    if reader.counts is None:
        raise RestoreRefusedError(
            f"{name}: ends at line {reader.line}, before its last line: the backup "
            "was cut short"
        )
    written = {label: counts[label] for label in reader.counts}
    if written != reader.counts or sum(counts.values()) != sum(written.values()):
        raise reader.problem("the rows do not add up to the counts of the last line")
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    try:
        connection.check_constraints()
    except IntegrityError as error:
        raise RestoreRefusedError(
            f"{name}: a row refers to one the backup does not hold: {_reason(error)}"
        ) from None
    return written


def _not_empty(present: dict[str, int]) -> str:
    largest = sorted(present.items(), key=lambda item: (-item[1], item[0]))
    named = ", ".join(f"{format_count(n)} {label}" for label, n in largest[:3])
    return (
        f"the database is not empty (it holds {format_count(sum(present.values()))} "
        f"rows in {len(present)} tables: {named}"
        f"{' ...' if len(present) > 3 else ''}): restore into an empty database, or "
        "give --replace to delete everything it holds and restore the backup in "
        "its place"
    )


def database_restore(*, path: Path, replace: bool = False) -> Restored:
    """Restore a backup, all or nothing, into a database that is empty (new, or
    only migrated), or, with `replace`, in place of everything the database holds
    (sessions included). A new database is migrated to the backup's version
    first, and on to this version after."""
    name = str(path)
    try:
        stream = backup_open_for_reading(path)
    except OSError as error:
        raise RestoreRefusedError(f"{name}: {error.strerror or error}") from None
    with stream:
        reader = BackupReader(stream, name)
        migrate = _schema_check(name, reader.header.migrations)
        registry = None
        if migrate:
            registry = _migrate_to(reader.header.migrations)
        elif not replace:
            present = rows_present()
            if present:
                raise RestoreRefusedError(f"{name}: {_not_empty(present)}")
        with transaction.atomic():
            counts = _load(reader, name, registry)
    ContentType.objects.clear_cache()
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)
    return Restored(
        header=reader.header,
        counts=counts,
        migrated=migrate and migrations_applied() != reader.header.migrations,
        unreadable_secrets=webhooks_with_unreadable_secrets(),
    )
