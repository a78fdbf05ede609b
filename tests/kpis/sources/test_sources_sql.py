"""SQL data sources pulled from real databases: a SQLite file and a scratch
PostgreSQL database with known rows. Read-only, timed out, capped, all or nothing,
and never a password in what is kept or shown."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from drumbeat.core.moments import MOMENT_HELP
from drumbeat.kpis.models import KPI, Reading, SourceState
from drumbeat.kpis.sources import PullLimits, SourceError
from drumbeat.kpis.sources.services import (
    PullOutcome,
    query_version,
    source_pull,
)
from drumbeat.kpis.sources.sql import fetch
from drumbeat.kpis.sources.sql.connections import connection_url, mask
from drumbeat.kpis.sources.sql.query import engines_dispose
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

POSTGRES_ADMIN = os.environ.get(
    "DRUMBEAT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKLOG = "select week_ending, open_tickets from backlog order by week_ending"
PULLED_AT = dt.datetime(2026, 7, 20, 10, 4, tzinfo=dt.UTC)

SQLITE_ROWS = """
create table backlog (week_ending text, open_tickets integer);
insert into backlog values ('2026-07-10', 120), ('2026-07-17', 111.5);
create table notes (at text, value text);
insert into notes values ('2026-07-10', '12'), ('2026-07-17', 'n/a');
create table odd_dates (at text, value real);
insert into odd_dates values ('2026-07-10', 1), ('10/07/2026', 2);
create table many (n integer);
insert into many values (1), (2), (3), (4), (5), (6);
"""

POSTGRES_ROWS = """
create table backlog (week_ending date, open_tickets numeric);
insert into backlog values ('2026-07-10', 120), ('2026-07-17', 111.5);
create table notes (at date, value text);
insert into notes values ('2026-07-10', '12'), ('2026-07-17', 'n/a');
create table stamped (at timestamptz, value double precision);
insert into stamped values ('2026-07-10 23:30:00-02:00', 7.5);
create table many (n integer);
insert into many select generate_series(1, 6);
"""


@pytest.fixture(autouse=True)
def _engines_closed() -> Iterator[None]:
    yield
    engines_dispose()


@pytest.fixture
def sqlite_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A SQLite file with known rows, as the connection `local`."""
    path = tmp_path / "warehouse.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(SQLITE_ROWS)
    db.close()
    monkeypatch.setenv("DRUMBEAT_SOURCE_LOCAL_URL", f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """A scratch PostgreSQL database with known rows, dropped afterwards."""
    name = f"drumbeat_source_test_{os.getpid()}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL at {POSTGRES_ADMIN}")
    admin.execute(f'drop database if exists "{name}"')
    admin.execute(f'create database "{name}"')
    url = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url) as db:
        db.execute(POSTGRES_ROWS)
    yield url
    engines_dispose()
    admin.execute(f'drop database if exists "{name}" with (force)')
    admin.close()


@pytest.fixture
def postgres_source(postgres_database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The scratch PostgreSQL database as the connection `local`."""
    monkeypatch.setenv("DRUMBEAT_SOURCE_LOCAL_URL", postgres_database)
    return postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def source(request: pytest.FixtureRequest) -> str:
    """Each test once on SQLite, once on PostgreSQL: the connection `local`."""
    fixture = "sqlite_source" if request.param == "sqlite" else "postgres_source"
    request.getfixturevalue(fixture)
    return str(request.param)


def _sql(query: str, connection: str = "local") -> KPI:
    KPI.objects.filter(key="csat").update(
        source={"type": "sql", "connection": connection, "query": query}
    )
    return KPI.objects.get(key="csat")


def _pull(kpi: KPI, now: dt.datetime = PULLED_AT) -> PullOutcome:
    return source_pull(kpi=kpi, run_id="run-1", now=now)


def _current(kpi: KPI) -> list[tuple[str, float, str]]:
    rows = Reading.objects.filter(kpi=kpi, superseded_at__isnull=True)
    return [(r.at, r.value, r.source) for r in rows.order_by("day", "at")]


def _backlog_rows() -> list[tuple[object, object]]:
    """How many rows the source's table holds, read straight from it."""
    return fetch(
        {"connection": "local", "query": "select count(*) from backlog"},
        PullLimits(timeout=5, max_rows=10),
    )


def _state(kpi: KPI) -> SourceState:
    return SourceState.objects.get(kpi=kpi)


# --- What a pull records ----------------------------------------------------------


def test_rows_of_at_and_value_are_recorded_as_pulled_readings(small_workspace, source):
    kpi = _sql(BACKLOG)
    outcome = _pull(kpi)
    assert (outcome.ok, outcome.message) == (
        True,
        "2 readings: 2 new, 0 corrected, 0 unchanged",
    )
    assert _current(kpi)[-2:] == [
        ("2026-07-10", 120.0, "pull"),
        ("2026-07-17", 111.5, "pull"),
    ]
    reading = Reading.objects.get(kpi=kpi, at="2026-07-17")
    assert reading.source_detail == f"local, query {query_version(BACKLOG)}, run run-1"
    assert reading.recorded_by is None
    state = _state(kpi)
    assert (state.last_ok_at, state.last_run_at, state.failing_since) == (
        PULLED_AT,
        PULLED_AT,
        None,
    )
    assert (state.last_run_id, state.query_version) == ("run-1", query_version(BACKLOG))
    assert state.last_summary == "2 readings: 2 new, 0 corrected, 0 unchanged"
    # Weekly KPI: due a week after the good pull.
    assert state.next_due_at == PULLED_AT + dt.timedelta(days=7)


def test_the_same_rows_again_change_nothing_and_a_new_value_is_a_correction(
    small_workspace, sqlite_source
):
    kpi = _sql(BACKLOG)
    _pull(kpi)
    count = Reading.objects.count()
    again = _pull(kpi)
    assert again.message == "2 readings: 0 new, 0 corrected, 2 unchanged"
    assert Reading.objects.count() == count
    db = sqlite3.connect(sqlite_source)
    db.execute("update backlog set open_tickets = 119 where week_ending = '2026-07-10'")
    db.commit()
    db.close()
    corrected = _pull(kpi)
    assert corrected.message == "2 readings: 0 new, 1 corrected, 1 unchanged"
    old = Reading.objects.get(kpi=kpi, at="2026-07-10", value=120)
    assert old.superseded_at is not None  # kept, superseded


def test_a_single_value_is_recorded_on_the_day_of_the_pull(small_workspace, source):
    kpi = _sql("select count(*) from backlog")
    outcome = _pull(kpi, now=dt.datetime(2026, 7, 20, 23, 59, tzinfo=dt.UTC))
    assert outcome.message == "1 reading: 1 new, 0 corrected, 0 unchanged"
    assert _current(kpi)[-1] == ("2026-07-20", 2.0, "pull")


def test_no_rows_record_nothing_and_are_not_a_failure(small_workspace, source):
    kpi = _sql("select week_ending, open_tickets from backlog where 1 = 0")
    outcome = _pull(kpi)
    assert (outcome.ok, outcome.message) == (
        True,
        "the query returned no rows: nothing recorded",
    )


def test_a_timestamp_with_a_zone_is_recorded_on_its_utc_day(
    small_workspace, postgres_source
):
    kpi = _sql("select at, value from stamped")
    assert _pull(kpi).ok
    reading = Reading.objects.get(kpi=kpi, source="pull")
    assert (reading.at, reading.day) == (
        "2026-07-11T01:30:00+00:00",
        dt.date(2026, 7, 11),
    )


# --- What a pull refuses, keeping the message and writing nothing ----------------


def _refused(kpi: KPI) -> str:
    before = _current(kpi)
    outcome = _pull(kpi)
    assert outcome.ok is False
    assert _current(kpi) == before  # nothing partial
    state = _state(kpi)
    assert state.last_error == outcome.message
    assert (state.failing_since, state.consecutive_failures) == (PULLED_AT, 1)
    return outcome.message


@pytest.mark.parametrize(
    ("query", "verb"),
    [
        ("delete from backlog", "DELETE"),
        ("insert into backlog values ('2026-08-01', 1)", "INSERT"),
        ("update backlog set open_tickets = 0", "UPDATE"),
        ("drop table backlog", "DROP"),
    ],
)
def test_a_query_that_writes_fails_and_the_source_data_is_unchanged(
    small_workspace, source, query, verb
):
    message = _refused(_sql(query))
    assert message.startswith(
        f"the query '{verb}' would change data: a source query may only read ("
    )
    assert _backlog_rows() == [(None, 2)]


def test_a_postgresql_writing_cte_is_refused_too(small_workspace, postgres_source):
    message = _refused(
        _sql("with gone as (delete from backlog returning *) select * from gone")
    )
    assert "DECLARE CURSOR must not contain data-modifying statements" in message


@pytest.mark.parametrize(
    "query",
    ["select 1; delete from backlog", "select 1; commit; delete from backlog"],
)
def test_a_second_statement_never_runs(small_workspace, source, query):
    message = _refused(_sql(query))
    assert message.startswith("the query failed (")
    assert _backlog_rows() == [(None, 2)]


def test_a_postgresql_query_is_stopped_at_the_timeout(
    small_workspace, postgres_source, settings
):
    settings.DRUMBEAT_SOURCE_TIMEOUT = 1
    started = time.monotonic()
    message = _refused(_sql("select pg_sleep(5)"))
    assert time.monotonic() - started < 4
    assert message == (
        "the query ran longer than 1 s (DRUMBEAT_SOURCE_TIMEOUT) and was stopped: "
        "make it cheaper, or give it a longer timeout"
    )


def test_a_sqlite_query_is_stopped_at_the_timeout(
    small_workspace, sqlite_source, settings
):
    settings.DRUMBEAT_SOURCE_TIMEOUT = 1
    started = time.monotonic()
    message = _refused(
        _sql(
            "with recursive n(x) as (select 1 union all select x + 1 from n) "
            "select max(x) from n"
        )
    )
    assert time.monotonic() - started < 4
    assert message.startswith("the query ran longer than 1 s")


def test_more_rows_than_the_cap_are_refused(small_workspace, source, settings):
    settings.DRUMBEAT_SOURCE_MAX_ROWS = 5
    message = _refused(_sql("select n, n from many"))
    assert message == (
        "the query returns more than 5 rows (DRUMBEAT_SOURCE_MAX_ROWS): aggregate "
        "them, or return recent rows only"
    )


def test_exactly_the_cap_is_recorded(small_workspace, sqlite_source, settings):
    settings.DRUMBEAT_SOURCE_MAX_ROWS = 2
    assert _pull(_sql(BACKLOG)).ok


def test_text_where_a_number_belongs_refuses_the_whole_batch(small_workspace, source):
    message = _refused(_sql("select at, value from notes order by at"))
    assert message == (
        "2 rows cannot be recorded, so none was: row 1 value: must be a number, not "
        "'12'; row 2 value: must be a number, not 'n/a'"
    )


def test_a_date_that_is_not_iso_is_refused(small_workspace, sqlite_source):
    message = _refused(_sql("select at, value from odd_dates"))
    assert message == (
        "1 row cannot be recorded, so none was: row 2 at: '10/07/2026' is not a "
        f"date: {MOMENT_HELP}"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "select n from many",
            "the query returns 6 rows of one column: return one value, or (at, "
            "value) rows",
        ),
        (
            "select n, n, n from many",
            "the query returns 3 columns (n, n, n): return (at, value) rows, or one "
            "value",
        ),
        (
            "select count(*) from backlog where week_ending > :m",
            "the query has a parameter (such as :name) that a pull cannot fill: "
            "write the values into the query",
        ),
    ],
)
def test_a_query_of_the_wrong_shape_says_what_to_return(
    small_workspace, source, query, message
):
    assert _refused(_sql(query)) == message


def test_a_missing_table_names_the_database_and_its_reason(
    small_workspace, sqlite_source
):
    assert _refused(_sql("select at, value from nowhere")) == (
        "the query failed (sqlite): no such table: nowhere"
    )


def test_an_unknown_connection_says_where_to_set_it(small_workspace):
    assert _refused(_sql("select 1", connection="warehouse")) == (
        "no connection 'warehouse': set DRUMBEAT_SOURCE_WAREHOUSE_URL or add it to "
        "the secrets file (DRUMBEAT_SECRETS_FILE)"
    )


def test_a_missing_sqlite_file_is_not_created(small_workspace, tmp_path, monkeypatch):
    path = tmp_path / "nope.sqlite3"
    monkeypatch.setenv("DRUMBEAT_SOURCE_LOCAL_URL", f"sqlite:///{path}")
    assert _refused(_sql("select 1")) == (
        "cannot connect to 'local': unable to open database file"
    )
    assert not path.exists()


def test_other_databases_are_refused(small_workspace, monkeypatch):
    monkeypatch.setenv("DRUMBEAT_SOURCE_LOCAL_URL", "mysql://u:pw@db.example.com/x")
    assert _refused(_sql("select 1")) == (
        "'mysql' databases are not supported: a source is PostgreSQL or SQLite, "
        "where Drumbeat makes sure that the query only reads"
    )


def test_failures_count_up_from_the_first_and_a_good_pull_clears_them(
    small_workspace, sqlite_source, monkeypatch
):
    kpi = _sql(BACKLOG, connection="elsewhere")
    _pull(kpi, now=PULLED_AT)
    _pull(kpi, now=PULLED_AT + dt.timedelta(minutes=1))
    state = _state(kpi)
    assert (state.failing_since, state.consecutive_failures) == (PULLED_AT, 2)
    # Retried 2 minutes after the second failure.
    assert state.next_due_at == PULLED_AT + dt.timedelta(minutes=3)
    monkeypatch.setenv("DRUMBEAT_SOURCE_ELSEWHERE_URL", f"sqlite:///{sqlite_source}")
    _pull(kpi, now=PULLED_AT + dt.timedelta(minutes=3))
    state = _state(kpi)
    assert (state.failing_since, state.consecutive_failures, state.last_error) == (
        None,
        0,
        "",
    )


# --- Connections: the environment, the secrets file, and no password shown -------


def test_the_connection_name_maps_to_its_environment_variable(monkeypatch):
    monkeypatch.setenv("DRUMBEAT_SOURCE_SALES_EU_URL", "sqlite:////tmp/x.db")
    assert connection_url("sales-eu") == "sqlite:////tmp/x.db"


def test_a_secrets_file_of_name_url_lines(tmp_path, settings):
    secrets = tmp_path / "secrets"
    secrets.write_text(
        "# sources\nsales-eu = postgresql://u:pw@db/x\n\nwarehouse=sqlite:////w.db\n"
    )
    secrets.chmod(0o600)
    settings.DRUMBEAT_SECRETS_FILE = str(secrets)
    assert connection_url("warehouse") == "sqlite:////w.db"
    assert connection_url("SALES_EU") == "postgresql://u:pw@db/x"


def test_a_secrets_file_in_toml(tmp_path, settings):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('warehouse = "postgresql://u:pw@db/x"\n')
    secrets.chmod(0o600)
    settings.DRUMBEAT_SECRETS_FILE = str(secrets)
    assert connection_url("warehouse") == "postgresql://u:pw@db/x"


def test_the_environment_wins_over_the_secrets_file(tmp_path, settings, monkeypatch):
    secrets = tmp_path / "secrets"
    secrets.write_text("warehouse = sqlite:////from-file.db\n")
    secrets.chmod(0o600)
    settings.DRUMBEAT_SECRETS_FILE = str(secrets)
    monkeypatch.setenv("DRUMBEAT_SOURCE_WAREHOUSE_URL", "sqlite:////from-env.db")
    assert connection_url("warehouse") == "sqlite:////from-env.db"


def test_a_secrets_file_others_may_read_is_warned_about_once(
    tmp_path, settings, caplog
):
    secrets = tmp_path / "secrets"
    secrets.write_text("warehouse = sqlite:////w.db\n")
    secrets.chmod(0o644)
    settings.DRUMBEAT_SECRETS_FILE = str(secrets)
    with caplog.at_level(logging.WARNING):
        connection_url("warehouse")
        connection_url("warehouse")
    warnings = [r.getMessage() for r in caplog.records if "secrets file" in r.message]
    assert warnings == [
        f"the secrets file {secrets} can be read by other users (mode -rw-r--r--): "
        f"`chmod 600 {secrets}` keeps its passwords to this account"
    ]


def test_a_bad_secrets_file_line_is_named_without_its_content(tmp_path, settings):
    secrets = tmp_path / "secrets"
    secrets.write_text("warehouse = sqlite:////w.db\npostgresql://u:hunter2@db/x\n")
    secrets.chmod(0o600)
    settings.DRUMBEAT_SECRETS_FILE = str(secrets)
    with pytest.raises(SourceError) as caught:
        connection_url("warehouse")
    assert str(caught.value) == (
        f"the secrets file {secrets}, line 2: expected `name = value`"
    )


def test_a_missing_secrets_file_is_a_clear_error(tmp_path, settings):
    settings.DRUMBEAT_SECRETS_FILE = str(tmp_path / "nope")
    with pytest.raises(SourceError, match="does not exist"):
        connection_url("warehouse")


def test_mask_hides_the_password_and_the_url_in_any_text():
    url = "postgresql://reader:p%40ss w0rd@db.example.com/dw"
    text = f"could not use {url}: password p@ss w0rd refused (p%40ss%20w0rd)"
    assert mask(text, url) == "could not use ***: password *** refused (***)"


@pytest.mark.parametrize(
    "url",
    [
        # A database that does not exist, a port nobody listens on, a bad port.
        "postgresql://postgres:s3cret-pw@127.0.0.1:5432/drumbeat_no_such_db",
        "postgresql://postgres:s3cret-pw@127.0.0.1:1/dw",
        "postgresql://postgres:s3cret-pw@127.0.0.1:notaport/dw",
    ],
)
def test_the_password_never_appears_in_the_stored_error_or_the_pages(
    small_workspace, users, monkeypatch, url
):
    monkeypatch.setenv("DRUMBEAT_SOURCE_LOCAL_URL", url)
    kpi = _sql("select 1")
    outcome = _pull(kpi)
    assert outcome.ok is False
    assert "s3cret-pw" not in _state(kpi).last_error
    assert "s3cret-pw" not in outcome.message
    client = client_for(users["admin"])
    for page in ("/", "/kpis/", "/kpis/csat/", "/kpis/csat/edit/"):
        content = client.get(page).content.decode()
        assert "source failing" in content or page == "/kpis/csat/edit/"
        assert "s3cret-pw" not in content
        assert url not in content


# --- The sample organisation's warehouse -------------------------------------------

WAREHOUSE_SQL = Path(__file__).parents[3] / "examples" / "warehouse.sql"


def test_the_sample_applies_without_its_warehouse_and_its_pull_says_why(
    sample_workspace, monkeypatch
):
    monkeypatch.delenv("DRUMBEAT_SOURCE_WAREHOUSE_URL", raising=False)
    outcome = _pull(KPI.objects.get(key="support-backlog"))
    assert (outcome.ok, outcome.message) == (
        False,
        "no connection 'warehouse': set DRUMBEAT_SOURCE_WAREHOUSE_URL or add it to "
        "the secrets file (DRUMBEAT_SECRETS_FILE)",
    )


def test_the_demo_warehouse_holds_the_samples_readings(
    sample_workspace, tmp_path, monkeypatch
):
    path = tmp_path / "warehouse.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(WAREHOUSE_SQL.read_text())
    db.close()
    monkeypatch.setenv("DRUMBEAT_SOURCE_WAREHOUSE_URL", f"sqlite:///{path}")
    kpi = KPI.objects.get(key="support-backlog")
    assert kpi.source["schedule"] == "0 6 * * *"
    before = _current(kpi)
    outcome = _pull(kpi)
    assert outcome.message == "125 readings: 0 new, 0 corrected, 125 unchanged"
    assert _current(kpi) == before
