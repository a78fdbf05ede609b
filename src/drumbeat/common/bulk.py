"""Rows written at the database's own speed: COPY on PostgreSQL, executemany
elsewhere. The ORM's bulk_create costs ten times more per row, which neither the
ingest of readings nor a restore can afford. Callers check the rows first and give
each value as the database takes it (`Field.get_db_prep_save`); this only writes,
inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def rows_insert(
    *, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows into a table, in one statement stream."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's own errors (DataError...) for what the database refuses.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # sqlite3 takes any iterable: the rows stream, never all in memory.
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})",
                rows,  # type: ignore[arg-type]
            )
