"""Run a KPI's source query: read-only, with a statement timeout and a row cap.

SQLAlchemy Core, one engine per connection URL (cached). PostgreSQL runs the query
in a `READ ONLY` transaction with `SET LOCAL statement_timeout`, through a
server-side cursor (which takes one `SELECT` or `VALUES` statement, no more).
SQLite opens the file read-only (`mode=ro`, `PRAGMA query_only`) and stops the
query from a progress handler once the time is up. Other databases are refused:
Drumbeat cannot promise their queries only read. Whatever the database, give the
connection a user that may only read.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError, StatementError
from sqlalchemy.pool import NullPool

from drumbeat.core.display import format_count
from drumbeat.kpis.sources import PullLimits, SourceError
from drumbeat.kpis.sources.sql.connections import mask

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()

_WRITES = re.compile(
    r"\s*(insert|update|delete|merge|upsert|replace|create|drop|alter|truncate|"
    r"grant|revoke|commit|rollback|begin|vacuum|attach|detach|copy|call|do|set|"
    r"reindex|lock|pragma)\b",
    re.IGNORECASE,
)


def engines_dispose() -> None:
    """Close every cached engine's connections (tests, and after a database is
    dropped or its URL changed)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def engine_for(url: str, limits: PullLimits) -> Engine:
    """The cached engine of a connection URL: PostgreSQL (psycopg) or SQLite."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = _engine(url, limits)
        return engine


def _engine(url: str, limits: PullLimits) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise SourceError(
            "its URL is not a database URL such as "
            "postgresql://user:password@host/db or sqlite:////path/to/file.db"
        ) from None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return create_engine(
            parsed.set(drivername="postgresql+psycopg"),
            pool_pre_ping=True,
            pool_size=2,
            max_overflow=2,
            connect_args={"connect_timeout": max(2, math.ceil(limits.timeout))},
        )
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    raise SourceError(
        f"'{backend}' databases are not supported: a source is PostgreSQL or "
        "SQLite, where Drumbeat makes sure that the query only reads"
    )


def _sqlite_engine(parsed: URL) -> Engine:
    path = parsed.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise SourceError(
            "a SQLite source is a file: give its path, sqlite:////path/to/file.db"
        )

    def connect() -> sqlite3.Connection:
        # `mode=ro`: the file is opened read-only, and never created.
        connection = sqlite3.connect(
            f"file:{quote(path)}?mode=ro", uri=True, check_same_thread=False
        )
        connection.execute("PRAGMA query_only = ON")
        connection.set_authorizer(_no_attach)
        return connection

    return create_engine("sqlite://", creator=connect, poolclass=NullPool)


def _no_attach(action: int, *_: object) -> int:
    """A SQLite authorizer: no other database files may be opened."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def run_query(
    url: str, query: str, limits: PullLimits, *, name: str
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and rows the query returns, read-only, within the limits.

    Raises SourceError with the reason (the URL's password masked): a connection
    that fails, a query that fails, changes data, runs too long or returns more
    than `limits.max_rows` rows.
    """

    def redact(message: str) -> str:
        return mask(message, url)

    dialect = "database"
    try:
        engine = engine_for(url, limits)
        dialect = engine.dialect.name
        with engine.connect() as connection, _deadline(connection, limits) as late:
            try:
                return _rows(connection, query, limits)
            except DBAPIError as error:
                if late() or _cancelled(error):
                    raise _timed_out(limits) from None
                raise _query_failed(error, query, dialect, redact) from None
            finally:
                with suppress(SQLAlchemyError):
                    connection.rollback()
    except SourceError as error:
        raise SourceError(redact(str(error))) from None
    except DBAPIError as error:
        # The query's own database errors are handled above: this is connecting.
        reason = redact(_first_line(error.orig or error))
        raise SourceError(f"cannot connect to '{name}': {reason}") from None
    except StatementError as error:
        raise _query_failed(error, query, dialect, redact) from None
    except SQLAlchemyError as error:
        reason = redact(_first_line(error))
        raise SourceError(f"cannot connect to '{name}': {reason}") from None
    except Exception as error:  # a driver's own error (or a missing driver)
        reason = redact(_first_line(error))
        raise SourceError(f"the query failed ({dialect}): {reason}") from None


def _rows(
    connection: Connection, query: str, limits: PullLimits
) -> tuple[list[str], list[tuple[Any, ...]]]:
    statement = text(query.strip().rstrip(";"))
    # A server-side cursor: rows arrive as fetched, so the cap bounds memory too.
    result = connection.execute(statement.execution_options(stream_results=True))
    if not result.returns_rows:
        raise SourceError("the query returns no rows: a source query is a SELECT")
    columns = list(result.keys())
    rows = [tuple(row) for row in result.fetchmany(limits.max_rows + 1)]
    result.close()
    if len(rows) > limits.max_rows:
        raise SourceError(
            f"the query returns more than {format_count(limits.max_rows)} rows "
            "(DRUMBEAT_SOURCE_MAX_ROWS): aggregate them, or return recent rows only"
        )
    return columns, rows


@contextmanager
def _deadline(
    connection: Connection, limits: PullLimits
) -> Iterator[Callable[[], bool]]:
    """Start a read-only transaction whose statements stop after the timeout;
    yields a function that says whether the time ran out."""
    ends = time.monotonic() + limits.timeout
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        milliseconds = max(1, int(limits.timeout * 1000))
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
        yield lambda: time.monotonic() >= ends - 0.05
        return
    raw: Any = connection.connection.driver_connection
    raw.set_progress_handler(lambda: int(time.monotonic() > ends), 1000)
    try:
        yield lambda: time.monotonic() >= ends
    finally:
        raw.set_progress_handler(None, 1000)


def _cancelled(error: DBAPIError) -> bool:
    """A query stopped by PostgreSQL's statement timeout or SQLite's handler."""
    original = error.orig
    return getattr(original, "sqlstate", None) == "57014" or (
        isinstance(original, sqlite3.OperationalError)
        and str(original) == "interrupted"
    )


def _timed_out(limits: PullLimits) -> SourceError:
    seconds = f"{limits.timeout:g}"
    return SourceError(
        f"the query ran longer than {seconds} s (DRUMBEAT_SOURCE_TIMEOUT) and was "
        "stopped: make it cheaper, or give it a longer timeout"
    )


def _query_failed(
    error: SQLAlchemyError, query: str, dialect: str, redact: Callable[[str], str]
) -> SourceError:
    if isinstance(error, StatementError) and "bind parameter" in str(error):
        return SourceError(
            "the query has a parameter (such as :name) that a pull cannot fill: "
            "write the values into the query"
        )
    reason = redact(_first_line(getattr(error, "orig", None) or error))
    write = _WRITES.match(query)
    if write or "read-only" in reason or "readonly" in reason:
        what = f"'{write.group(1).upper()}' " if write else ""
        return SourceError(
            f"the query {what}would change data: a source query may only read "
            f"({dialect}: {reason})"
        )
    return SourceError(f"the query failed ({dialect}): {reason}")


def _first_line(error: BaseException | Any) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
