"""Bulk writes of readings at the database's own speed: COPY on PostgreSQL,
executemany elsewhere. The ORM's bulk_create costs ten times more per row, which
the ingest goal (half the raw insert rate) cannot afford. Callers validate first;
this module only writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import connection

from drumbeat.kpis.models import Reading


class ReadingRow(NamedTuple):
    """A validated reading, ready to write (a named tuple: a million are made, five
    times faster than a frozen dataclass)."""

    kpi_id: int
    at: str
    day: dt.date
    value: float
    note: str = ""


_COLUMNS = (
    "kpi_id",
    "at",
    "day",
    "value",
    "note",
    "source",
    "source_detail",
    "recorded_by_id",
    "recorded_at",
)


def readings_insert(
    rows: Sequence[ReadingRow],
    *,
    source: str,
    source_detail: str,
    recorded_by_id: int | None,
    recorded_at: dt.datetime,
) -> None:
    """Insert current readings in one statement stream (inside the caller's
    transaction)."""
    if not rows:
        return
    table = connection.ops.quote_name(Reading._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    values = (
        (
            row.kpi_id,
            row.at,
            row.day,
            row.value,
            row.note,
            source,
            source_detail,
            recorded_by_id,
            recorded_at,
        )
        for row in rows
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg 3's COPY: the fastest way into PostgreSQL.
            raw = cursor.cursor
            # Django's own errors (DataError...) for what the database refuses.
            with (
                connection.wrap_database_errors,
                raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for record in values:
                    copy.write_row(record)
        else:
            # SQLite keeps dates as ISO text (what Django's adapter returns).
            marks = ", ".join(["%s"] * len(_COLUMNS))
            stamp = connection.ops.adapt_datetimefield_value(recorded_at)
            by = recorded_by_id
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [
                    (
                        row.kpi_id,
                        row.at,
                        row.day.isoformat(),
                        row.value,
                        row.note,
                        source,
                        source_detail,
                        by,
                        stamp,
                    )
                    for row in rows
                ],
            )


def readings_supersede(pks: Iterable[int], at: dt.datetime) -> None:
    """Mark readings as superseded by a correction (they stay, for history)."""
    chosen = list(pks)
    for start in range(0, len(chosen), 500):
        Reading.objects.filter(pk__in=chosen[start : start + 500]).update(
            superseded_at=at
        )
