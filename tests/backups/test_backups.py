"""`drumbeat backup` and `drumbeat restore`: everything the database holds, written
to one file and restored whole, into a new database or in place of another."""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from axes.models import (
    AccessAttempt,
    AccessAttemptExpiration,
    AccessFailureLog,
    AccessLog,
)
from click.testing import CliRunner, Result
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.utils import timezone

from drumbeat.accounts.models import Invitation, Profile, Team
from drumbeat.accounts.services import (
    membership_set,
    person_create,
    token_authenticate,
    token_create,
)
from drumbeat.cli import main
from drumbeat.imports.services import (
    import_run_execute,
    import_run_start,
    import_upload,
)
from drumbeat.kpis.models import KPI, CriticalSuccessFactor, DeclinedDivider, Reading
from drumbeat.kpis.services.definitions import DEFINITION_FIELDS, kpi_update
from drumbeat.kpis.services.readings import reading_record
from drumbeat.kpis.sources.services import source_pull_request
from drumbeat.notifications.models import Notification
from drumbeat.okrs.models import Cycle, KeyResult
from drumbeat.okrs.services import key_result_check_in
from drumbeat.reports.services import report_commentary_save
from drumbeat.review.assessment import assessment_answers_record
from drumbeat.review.models import Investigation, ReviewNote
from drumbeat.scorecard.closing import RetrospectiveIn, cycle_close, cycle_reopen
from drumbeat.webhooks.crypto import secret_decrypt
from drumbeat.webhooks.models import Event, Webhook
from drumbeat.webhooks.services import (
    delivery_attempt,
    webhook_create,
    webhook_test_send,
)
from drumbeat.worker.services import heartbeat_record
from tests.conftest import EXAMPLE, PASSWORD, client_for

pytestmark = pytest.mark.django_db

Tables = dict[str, list[Any]]


@dataclass(frozen=True)
class Used:
    """What a person keeps of the used database, to try after a restore."""

    token: str
    webhook_secret: str


@pytest.fixture
def used(sample_workspace, users, settings, tmp_path) -> Used:
    """The sample company after some weeks of use: corrected readings, a changed
    definition, people with passwords, memberships, groups and an admin log,
    an API token used once, a webhook with a secret and a failed delivery, a
    check-in, an import run, a queued pull, and someone signed in."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    admin, editor = users["admin"], users["editor"]
    support = Team.objects.get(key="support")
    kpi = KPI.objects.filter(team=support).order_by("key").first()
    assert kpi is not None
    for reading in Reading.objects.filter(kpi=kpi).order_by("day")[:3]:
        reading_record(kpi=kpi, at=reading.at, value=reading.value + 1, by=editor)
    kpi_update(
        kpi=kpi,
        values={name: getattr(kpi, name) for name in DEFINITION_FIELDS}
        | {"description": "What share of survey answers are satisfied."},
        thresholds=kpi.thresholds,
        by=admin,
        version=kpi.version,
    )
    KPI.objects.filter(pk=kpi.pk).update(owner=users["owner"])
    person_create(username="grace", first_name="Grace", editor_of=[support], by=admin)
    membership_set(team=support, user=users["owner"], role="viewer", by=admin)
    auditors = Group.objects.create(name="auditors")
    view_kpi = Permission.objects.get(codename="view_kpi")
    auditors.permissions.add(view_kpi)
    users["viewer"].groups.add(auditors)
    users["viewer"].user_permissions.add(view_kpi)
    issued = token_create(user=editor, name="ci", scopes=["read"], expires_at=None)
    assert token_authenticate(issued.secret) is not None  # its last use, recorded
    hook = webhook_create(
        name="ops",
        url="http://127.0.0.1:9/hook",  # nothing listens: the attempt fails
        events=[Event.KPI_RED],
        active=True,
        slack=False,
        by=admin,
    )
    delivery_attempt(delivery_id=webhook_test_send(webhook=hook.webhook, by=admin).pk)
    key_result = KeyResult.objects.order_by("pk").first()
    assert key_result is not None
    key_result_check_in(key_result=key_result, by=editor, confidence=0.7, note="ok")
    csv = f"kpi,at,value\n{kpi.key},2026-11-21,77\n".encode()
    run = import_upload(upload=SimpleUploadedFile("week.csv", csv), by=admin)
    import_run_start(run=run)
    import_run_execute(run_id=run.pk)
    pulled = KPI.objects.filter(source__type="sql").order_by("key").first()
    assert pulled is not None
    source_pull_request(kpi=pulled, by=admin)
    client_for(editor)
    heartbeat_record(worker_id="worker-1", started_at=timezone.now())
    # A failed sign-in (a lockout's count); and a row in each of the sign-in
    # logs, which are off but whose tables are Drumbeat's all the same.
    Client().post("/sign-in/", {"username": "viewer", "password": "wrong"})
    logged = {"username": "viewer", "ip_address": "127.0.0.1", "user_agent": "test"}
    AccessLog.objects.create(**logged, path_info="/")
    AccessFailureLog.objects.create(**logged, path_info="/sign-in/", locked_out=False)
    AccessAttemptExpiration.objects.create(
        access_attempt=AccessAttempt.objects.get(),
        expires_at=timezone.now() + dt.timedelta(minutes=15),
    )
    # A closed cycle (its grades, choices and retrospective), reopened after.
    cycle = Cycle.objects.get(key="2026-Q3")
    objective = cycle.objectives.order_by("pk").first()
    assert objective is not None
    cycle_close(
        cycle=cycle,
        by=admin,
        retrospectives={objective.key: RetrospectiveIn("We shipped.", "Earlier.")},
        summary="A good quarter.",
    )
    report_commentary_save(cycle=cycle, section="kpis", text="Up.", by=admin, version=0)
    cycle_reopen(cycle=cycle, by=admin, reason="A late reading")
    # The weekly rhythm: a profile, an invitation, a review note, an investigation.
    Profile.objects.create(user=editor, time_zone="Europe/Paris", email_digest=False)
    Invitation.objects.create(
        email="new@example.com",
        team=support,
        role="viewer",
        digest="0" * 64,
        invited_by=admin,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    ReviewNote.objects.create(
        kpi=kpi, note="Seen", health="red", by=admin, at=timezone.now()
    )
    # A critical success factor (Parmenter).
    CriticalSuccessFactor.objects.create(
        key="customers-succeed", name="Customers succeed"
    )
    # A proposed limit period declined.
    DeclinedDivider.objects.create(
        kpi=kpi, run_start=dt.date(2026, 6, 1), declined_by=admin, why="a one-off"
    )
    Investigation.objects.create(
        kpi=kpi,
        question="Why?",
        assignee=editor,
        due=dt.date(2026, 12, 4),
        opened_by=admin,
        opened_at=timezone.now(),
    )
    # The assessment's questionnaire answered.
    assessment_answers_record(by=admin, answers={"key_kpis_agreed": True})
    # A reminder sent.
    Notification.objects.create(
        user=editor,
        kind=Notification.Kind.CHECK_IN_REMINDER,
        period="2026-W48",
        channel=Notification.Channel.EMAIL,
        recipient="editor@example.com",
        subject="Check-in due: 1 key result (2026-W48)",
        status=Notification.Status.SENT,
        attempts=1,
        sent_at=timezone.now(),
    )
    return Used(token=issued.secret, webhook_secret=hook.secret)


def run(*arguments: str) -> Result:
    return CliRunner().invoke(main, list(arguments))


def every_row(database: BaseDatabaseWrapper) -> Tables:
    """Each table's columns and rows in primary-key order, read as stored: every
    model's table, those of many-to-many fields and the history included."""
    quoted = database.ops.quote_name
    tables: Tables = {}
    with database.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(f"SELECT * FROM {quoted(table)} ORDER BY {quoted(pk)}")
            columns = [column[0] for column in cursor.description]
            tables[model._meta.label_lower] = [columns, *cursor.fetchall()]
    return tables


def migrations_of(database: BaseDatabaseWrapper) -> set[tuple[str, str]]:
    with database.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


@contextmanager
def new_database(tmp_path: Path) -> Iterator[tuple[str, BaseDatabaseWrapper]]:
    """A second database beside the test database, new (not migrated): its URL,
    for a `drumbeat` process, and a connection that reads it as Django does. A
    file on SQLite; on PostgreSQL a database made here, and dropped after."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
        url = f"sqlite:///{name}"
    else:
        name = f"{settings['NAME']}_restored"
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name}")
            cursor.execute(f"CREATE DATABASE {name}")
        url = (
            f"postgres://{quote(settings['USER'])}:{quote(settings['PASSWORD'])}"
            f"@{settings['HOST']}:{settings['PORT']}/{name}"
        )
    wrapper = type(connections[DEFAULT_DB_ALIAS])
    database = wrapper({**settings, "NAME": name}, alias="restored")
    try:
        yield url, database
    finally:
        database.close()
        if connection.vendor != "sqlite":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {name}")


def drumbeat(url: str, tmp_path: Path, *arguments: str) -> dict[str, Any]:
    """Run `drumbeat` in a process of its own on the database at `url`, with the
    keys of this server, and read its JSON."""
    done = drumbeat_process(url, tmp_path, *arguments, "--format", "json")
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def drumbeat_process(
    url: str, tmp_path: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    from django.conf import settings

    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DRUMBEAT_DATA_DIR": str(tmp_path / "server"),
        "DRUMBEAT_SECRET_KEY": settings.SECRET_KEY,
        "DRUMBEAT_WEBHOOK_KEY": settings.DRUMBEAT_WEBHOOK_KEY,
    }
    return subprocess.run(
        [sys.executable, "-m", "drumbeat", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_restore_into_a_new_database_holds_every_row_of_every_table(used, tmp_path):
    """The used database is backed up, restored by another process into a new
    database (migrated by the restore), and read back: every table has the same
    columns and the same rows, ids included. Only sessions are left out."""
    backup = tmp_path / "drumbeat.jsonl.gz"
    assert run("backup", str(backup)).exit_code == 0
    source = every_row(connection)
    unfilled = [label for label, rows in source.items() if len(rows) == 1]
    assert unfilled == [], "the used database should fill every table"
    with new_database(tmp_path) as (url, restored):
        output = drumbeat(url, tmp_path, "restore", str(backup))
        copy = every_row(restored)
        assert migrations_of(restored) == migrations_of(connection)
    assert output["migrated"] is False
    assert output["unreadable_webhook_secrets"] == []
    assert output["tables"]["kpis.reading"] == len(source["kpis.reading"]) - 1
    assert Reading.objects.filter(superseded_at__isnull=False).count() == 3
    assert len(source.pop("sessions.session")[1:]) == 1
    assert copy.pop("sessions.session")[1:] == []  # people sign in again
    for label in source:
        assert copy[label] == source[label], label


def test_after_a_restore_people_sign_in_tokens_work_and_secrets_decrypt(used, tmp_path):
    backup = tmp_path / "drumbeat.jsonl"
    assert run("backup", str(backup)).exit_code == 0
    before = every_row(connection)
    result = run("restore", str(backup), "--replace")
    assert result.exit_code == 0, result.output
    after = every_row(connection)
    assert after.pop("sessions.session")[1:] == []  # everyone signs in again
    before.pop("sessions.session")
    assert after == before
    signed_in = Client().post("/sign-in/", {"username": "editor", "password": PASSWORD})
    assert signed_in.status_code == 302, "the old password signs in"
    assert signed_in["Location"] == "/me/"  # My week, or the dashboard
    api = Client(headers={"Authorization": f"Bearer {used.token}"})
    assert api.get("/api/v1/kpis").status_code == 200
    webhook = Webhook.objects.get(name="ops")
    assert secret_decrypt(webhook.secret_encrypted) == used.webhook_secret


def backup_rows(path: Path) -> list[Any]:
    """A backup's rows and counts, parsed (PostgreSQL orders a JSON column's keys
    its own way), without the header, which says when and where it was written."""
    with path.open() as stream:
        return [json.loads(line) for line in stream.readlines()[1:]]


def test_a_backup_moves_between_sqlite_and_postgresql_unchanged(
    small_workspace, users, tmp_path
):
    """The test database's backup, restored into a new SQLite database and backed
    up there, then restored in place of the test database (PostgreSQL in
    `make unit-postgres`) and backed up again: the same rows all the way."""
    first, second, third = (tmp_path / f"{n}.jsonl" for n in ("1", "2", "3"))
    assert run("backup", str(first)).exit_code == 0
    sqlite = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    drumbeat(sqlite, tmp_path, "restore", str(first))
    drumbeat(sqlite, tmp_path, "backup", str(second))
    assert json.loads(second.read_text().splitlines()[0])["database"] == "sqlite"
    assert run("restore", str(second), "--replace").exit_code == 0
    assert run("backup", str(third)).exit_code == 0
    assert backup_rows(second) == backup_rows(first)
    assert backup_rows(third) == backup_rows(first)


# --- Refusals: nothing is written -----------------------------------------------


@pytest.fixture
def small_backup(small_workspace, users, tmp_path: Path) -> Path:
    """A backup of the small workspace with its people, as text."""
    backup = tmp_path / "small.jsonl"
    assert run("backup", str(backup)).exit_code == 0
    return backup


def rewrite(path: Path, change: Any) -> None:
    """Change the lines of a backup: `change(lines)` edits the parsed lines."""
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    change(lines)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


OLDER_NODE = ("kpis", "0003_canonical_reading_moments")
"""The migration the older backups of these tests were written before."""


@dataclass(frozen=True)
class AddedSince:
    """What a migration and those that depend on it add to the latest schema."""

    migrations: frozenset[tuple[str, str]]
    """The migration and every one that depends on it, as (app, name)."""
    models: frozenset[str]
    """The models they make (`app.model`, as a backup labels its rows), with the
    tables of the many-to-many fields they add."""
    fields: dict[str, frozenset[str]]
    """By model there before them, the fields they add."""


@functools.cache
def added_since(node: tuple[str, str]) -> AddedSince:
    """The latest migration state against the state without `node` and the
    migrations that depend on it, read from the migration graph (so that a new
    migration needs no edit here)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    later = frozenset(loader.graph.backwards_plan(node))
    older = loader.project_state(
        [other for other in loader.graph.nodes if other not in later]
    ).models
    latest = loader.project_state().models
    models = {f"{app}.{name}" for app, name in latest.keys() - older.keys()}
    fields: dict[str, frozenset[str]] = {}
    for (app, name), state in latest.items():
        added = state.fields.keys() - (
            older[app, name].fields.keys() if (app, name) in older else set()
        )
        if (app, name) in older and added:
            fields[f"{app}.{name}"] = frozenset(added)
        for field_name in added:
            if state.fields[field_name].many_to_many:
                field = apps.get_model(app, name)._meta.get_field(field_name)
                models.add(field.remote_field.through._meta.label_lower)
    return AddedSince(later, frozenset(models), fields)


def before_kpis_0003(lines: list[dict[str, Any]]) -> None:
    """A backup as Drumbeat wrote it before `kpis 0003`: without that migration
    and those that depend on it, without the rows of the tables they made and the
    fields they added to the others (what they are: `added_since`)."""
    added = added_since(OLDER_NODE)
    migrations = lines[0]["migrations"]
    for app, name in added.migrations:
        if name in migrations.get(app, []):
            migrations[app].remove(name)
    lines[1:] = [line for line in lines[1:] if line.get("model") not in added.models]
    for line in lines[1:]:
        for field in added.fields.get(line.get("model", ""), ()):
            line["fields"].pop(field, None)


def test_the_older_backup_lacks_what_later_migrations_added():
    """What the older backups of these tests strip, as the graph says: among it,
    tables and fields of migrations written long after `kpis 0003`."""
    added = added_since(OLDER_NODE)
    assert ("okrs", "0008_cycle_parent") in added.migrations
    assert {"kpis.declineddivider", "okrs.plansuggestion"} <= added.models
    assert {"archived_at", "spc_periods", "review_cadence"} <= added.fields["kpis.kpi"]
    assert "parent" in added.fields["okrs.historicalcycle"]
    assert "relative_target" in added.fields["okrs.keyresult"]
    assert ("kpis", "0002_source_state") not in added.migrations
    assert "kpis.reading" not in added.models


def first_reading(lines: list[dict[str, Any]]) -> dict[str, Any]:
    return next(line for line in lines if line.get("model") == "kpis.reading")


def refused(result: Result) -> str:
    assert result.exit_code == 2, result.output
    return result.stderr.removeprefix("drumbeat: ").strip()


def test_restore_refuses_a_database_that_is_not_empty(small_backup):
    Reading.objects.all().delete()
    message = refused(run("restore", str(small_backup)))
    assert message == (
        f"{small_backup}: the database is not empty (it holds 39 rows in 17 tables: "
        "8 okrs.lintfinding, 5 auth.user, 3 accounts.historicalteam ...): restore "
        "into an empty database, or give "
        "--replace to delete everything it holds and restore the backup in its place"
    )
    assert Reading.objects.count() == 0


def test_restore_replace_puts_the_backup_in_place_of_what_the_database_holds(
    small_backup,
):
    Reading.objects.all().delete()
    KPI.objects.filter(key="churn").update(name="Churned logos")
    result = run("restore", str(small_backup), "--replace")
    assert result.exit_code == 0, result.output
    assert Reading.objects.count() == 3
    assert KPI.objects.get(key="churn").name == "Logo churn"
    assert "    3  kpis.reading" in result.output.splitlines()


def test_restore_refuses_a_backup_of_a_newer_version(small_backup):
    def newer(lines: list[dict[str, Any]]) -> None:
        lines[0]["migrations"]["kpis"].append("0099_future")

    rewrite(small_backup, newer)
    message = refused(run("restore", str(small_backup), "--replace"))
    assert message == (
        f"{small_backup}: a backup of a newer version of Drumbeat (its tables have "
        "migrations this version does not: kpis 0099_future): restore it with the "
        "version that wrote it, or a newer one"
    )


def test_restore_refuses_an_older_backup_into_a_migrated_database(small_backup):
    rewrite(small_backup, before_kpis_0003)
    message = refused(run("restore", str(small_backup), "--replace"))
    assert message.startswith(
        f"{small_backup}: a backup of an older version of Drumbeat (the database has "
        "migrations it predates: kpis 0003_canonical_reading_moments, kpis 0004"
    )
    assert "): restore it into a new database, not migrated: " in message


def test_a_backup_cut_short_restores_nothing(small_backup):
    lines = small_backup.read_text().splitlines(keepends=True)
    small_backup.write_text("".join(lines[:-1]))
    Reading.objects.filter(at="2026-06-26").delete()
    message = refused(run("restore", str(small_backup), "--replace"))
    assert message == (
        f"{small_backup}: ends at line {len(lines) - 1}, before its last line: the "
        "backup was cut short"
    )
    assert Reading.objects.count() == 2  # as before the restore


def test_a_row_that_does_not_fit_is_refused_at_its_line(small_backup):
    def bad_day(lines: list[dict[str, Any]]) -> None:
        first_reading(lines)["fields"]["day"] = "someday"

    rewrite(small_backup, bad_day)
    number = next(
        n
        for n, line in enumerate(small_backup.read_text().splitlines(), start=1)
        if "someday" in line
    )
    message = refused(run("restore", str(small_backup), "--replace"))
    assert message == (
        f"{small_backup}:{number}: a row that does not fit its table: “someday” "
        "value has an invalid date format. It must be in YYYY-MM-DD format."
    )
    assert Reading.objects.count() == 3


def test_a_row_that_refers_to_a_row_not_in_the_backup_is_refused(small_backup):
    def orphan(lines: list[dict[str, Any]]) -> None:
        first_reading(lines)["fields"]["kpi"] = 999_999_999

    rewrite(small_backup, orphan)
    message = refused(run("restore", str(small_backup), "--replace"))
    assert message.startswith(
        f"{small_backup}: a row refers to one the backup does not hold: "
    )
    assert "999999999" in message
    assert Reading.objects.count() == 3


def test_a_row_twice_is_refused_by_the_database(small_backup):
    def twice(lines: list[dict[str, Any]]) -> None:
        reading = first_reading(lines)
        lines.insert(lines.index(reading), reading)
        lines[-1]["drumbeat_backup_end"]["kpis.reading"] += 1

    rewrite(small_backup, twice)
    message = refused(run("restore", str(small_backup), "--replace"))
    assert message.startswith(
        f"{small_backup}: the database refused a row of kpis.reading: "
    )
    assert "kpis_reading" in message
    assert "\n" not in message
    assert Reading.objects.count() == 3


def test_restore_refuses_a_file_that_is_not_a_backup():
    assert refused(run("restore", str(EXAMPLE))) == (
        f"{EXAMPLE}: not a Drumbeat backup (make one with `drumbeat backup FILE`)"
    )


def test_restore_refuses_a_file_that_does_not_exist(tmp_path):
    missing = tmp_path / "none.jsonl.gz"
    assert refused(run("restore", str(missing))) == f"{missing}: no such file"


def test_backup_refuses_a_folder_that_does_not_exist(small_workspace, tmp_path):
    target = tmp_path / "nowhere" / "backup.jsonl"
    assert refused(run("backup", str(target))) == (
        f"{target}: No such file or directory"
    )


def test_backup_refuses_a_database_that_is_not_migrated(tmp_path):
    with new_database(tmp_path) as (url, _):
        done = drumbeat_process(url, tmp_path, "backup", str(tmp_path / "b.jsonl"))
    assert done.returncode == 2
    assert done.stderr.startswith(
        "drumbeat: the database is not migrated to this version of Drumbeat ("
    )
    assert done.stderr.endswith("not applied): run `drumbeat manage migrate` first\n")
    assert not (tmp_path / "b.jsonl").exists()


# --- What the commands say -----------------------------------------------------


def test_backup_says_what_it_wrote_and_compresses_a_gz_name(small_workspace, tmp_path):
    backup = tmp_path / "drumbeat.jsonl.gz"
    result = run("backup", str(backup), "--format", "json")
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["tables"]["kpis.reading"] == 3
    assert output["tables"]["kpis.kpi"] == 2
    assert output["rows"] == sum(output["tables"].values())
    assert output["bytes"] == backup.stat().st_size
    with gzip.open(backup, "rt") as stream:
        header = json.loads(stream.readline())
    assert header["drumbeat_backup"] == 1
    assert "0003_canonical_reading_moments" in header["migrations"]["kpis"]
    assert not list(tmp_path.glob(".*.part"))
    assert backup.stat().st_mode & 0o777 == 0o600  # password hashes are in it


def test_restore_warns_when_this_servers_key_cannot_decrypt_webhook_secrets(
    small_workspace, users, settings, tmp_path
):
    settings.DRUMBEAT_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    webhook_create(
        name="ops",
        url="http://127.0.0.1:9/hook",
        events=[Event.KPI_RED],
        active=True,
        slack=False,
        by=users["admin"],
    )
    backup = tmp_path / "drumbeat.jsonl"
    assert run("backup", str(backup)).exit_code == 0
    settings.DRUMBEAT_WEBHOOK_KEY = "another server's key"
    result = run("restore", str(backup), "--replace", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["unreadable_webhook_secrets"] == ["ops"]
    assert result.stderr == (
        "drumbeat: warning: this server's key cannot decrypt the signing secrets "
        "of 1 webhooks (ops): set DRUMBEAT_WEBHOOK_KEY (or DRUMBEAT_SECRET_KEY, if "
        "it was not set) as on the backed-up server, or rotate each webhook's "
        "secret\n"
    )


def test_an_older_backup_restored_into_a_new_database_is_migrated_on(
    small_workspace, tmp_path
):
    """A backup from before `kpis 0003` (readings' moments in one form), with a
    timestamp stored as it was given then, is restored into tables made as they
    were, then migrated: the timestamp is rewritten as 0003 does."""
    Reading.objects.filter(at="2026-07-03").update(at="2026-07-03T12:00:00")
    backup = tmp_path / "old.jsonl"
    assert run("backup", str(backup)).exit_code == 0

    rewrite(backup, before_kpis_0003)
    with new_database(tmp_path) as (url, restored):
        output = drumbeat(url, tmp_path, "restore", str(backup))
        with restored.cursor() as cursor:
            cursor.execute("SELECT at FROM kpis_reading ORDER BY id")
            moments = [row[0] for row in cursor.fetchall()]
        assert migrations_of(restored) == migrations_of(connection)
    assert output["migrated"] is True
    assert moments == ["2026-06-26", "2026-07-03T12:00:00+00:00", "2026-06-30"]
