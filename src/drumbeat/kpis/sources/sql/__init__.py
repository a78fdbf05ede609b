"""SQL data sources: a query run read-only on a named connection.

The query returns `(at, value)` rows (`at` a date, a timestamp or ISO text; `value`
a number), or one row of one value, which the pull stamps with the day it runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drumbeat.kpis.sources import PullLimits, Row, SourceError
from drumbeat.kpis.sources.sql.connections import connection_url
from drumbeat.kpis.sources.sql.query import run_query


def fetch(source: Mapping[str, Any], limits: PullLimits) -> list[Row]:
    """The readings the source's query returns now; SourceError if it cannot."""
    name = str(source.get("connection") or "")
    query = str(source.get("query") or "")
    if not name or not query:
        raise SourceError("an sql source needs a `connection` and a `query`")
    url = connection_url(name)
    columns, rows = run_query(url, query, limits, name=name)
    if len(columns) == 2:
        return [(at, value) for at, value in rows]
    if len(columns) == 1:
        if len(rows) > 1:
            raise SourceError(
                f"the query returns {len(rows)} rows of one column: return one "
                "value, or (at, value) rows"
            )
        return [(None, row[0]) for row in rows]
    raise SourceError(
        f"the query returns {len(columns)} columns ({', '.join(columns)}): return "
        "(at, value) rows, or one value"
    )
