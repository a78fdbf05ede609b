"""The commands that work on the database: apply, export (workspace or data),
pull, worker, import, backup, restore and manage. Django is set up, and its
modules imported, only inside each command, so that the file commands start fast
and need no database."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from drumbeat.cli.options import (
    EXIT_FINDINGS,
    FILE,
    FORMAT,
    IsoDate,
    Unusable,
    load_file,
    unusable,
)
from drumbeat.cli.output import ImportBar, print_database_close, print_json
from drumbeat.core.display import format_count, format_readings_counts


def _django() -> None:
    """Set Django up for the commands that work on the database; a bad setting
    (`DRUMBEAT_*` in the environment) is one line naming it, exit 2."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drumbeat.server.settings")
    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise Unusable(str(error)) from None


def database_close(
    cycle_key: str, *, dry_run: bool, username: str | None, output_format: str
) -> None:
    """`drumbeat close --cycle KEY` without a FILE: close the cycle in the database
    with the corrective flow's defaults (`dry_run`: print the plan, write nothing).
    """
    _django()
    from django.contrib.auth.models import User
    from django.core.exceptions import ValidationError

    from drumbeat.okrs.models import Cycle
    from drumbeat.scorecard import closing

    cycle = Cycle.objects.filter(key=cycle_key).first()
    if cycle is None:
        known = ", ".join(Cycle.objects.values_list("key", flat=True)) or "none"
        raise Unusable(f"no cycle '{cycle_key}' in the database (cycles: {known})")
    by = None
    if username is not None:
        by = User.objects.filter(username=username).first()
        if by is None:
            raise Unusable(f"--by: no person '{username}'")
    if dry_run:
        plan = closing.cycle_close_plan(cycle)
        if plan.refusal:
            raise Unusable(plan.refusal)
    else:
        try:
            closing.cycle_close(cycle=cycle, by=by)
        except closing.CloseRefusedError as error:
            raise Unusable(str(error)) from None
        except ValidationError as error:
            raise Unusable("; ".join(error.messages)) from None
    shown = closing.cycle_close_json(cycle)
    if output_format == "json":
        when = shown["close"]
        if when is not None:  # the API's answer: its dates as ISO text
            when = {
                "closed_at": when["closed_at"].isoformat(),
                "closed_by": when["closed_by"],
                "graded_as_of": when["graded_as_of"].isoformat(),
            }
        print_json(shown | {"close": when, "dry_run": dry_run})
    else:
        print_database_close(shown, dry_run=dry_run)


@click.command()
@FILE
@click.option(
    "--prune",
    is_flag=True,
    default=False,
    help="Archive what the database holds and the file does not (readings stay).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    default=False,
    help="Replace readings recorded outside the file (web, API, import, pull).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    default=False,
    help="Print the whole plan and write nothing.",
)
@FORMAT
def apply(
    file: Path, prune: bool, overwrite: bool, dry_run: bool, output_format: str
) -> None:
    """Load a workspace file into the database (all or nothing; idempotent).

    What the database holds and the file does not is listed as not in the file
    and left alone (--prune archives it); a reading recorded outside the file that
    the file would change is refused, exit 2, unless --overwrite."""
    _django()
    from django.utils import timezone

    from drumbeat.scorecard.sync import OverwriteRefusedError, workspace_apply
    from drumbeat.workspace import WorkspaceError
    from drumbeat.workspace.load import problems_in_file

    workspace = load_file(file, today=timezone.localdate())
    try:
        result = workspace_apply(
            workspace,
            source_detail=file.name,
            prune=prune,
            overwrite=overwrite,
            dry_run=dry_run,
        )
    except WorkspaceError as error:
        raise unusable(problems_in_file(error, file)) from None
    except OverwriteRefusedError as error:
        raise Unusable(str(error)) from None
    if output_format == "json":
        print_json(result.as_json())
    else:
        click.echo(result.summary())
    if dry_run and result.would_overwrite and not overwrite:
        raise Unusable(
            "the file would overwrite values recorded outside it: apply with "
            "--overwrite to replace them"
        )


DATA_EXPORTS = ("readings", "scores", "statuses", "checkins")
EXPORT_OPTIONS = {
    "kind": "KIND",
    "team": "--team",
    "tier": "--tier",
    "perspective": "--perspective",
    "kpi_keys": "--kpi",
    "cycle": "--cycle",
    "since": "--since",
    "until": "--until",
    "superseded": "--superseded",
}


@click.command()
@click.argument(
    "target", required=False, metavar="[FILE | readings|scores|statuses|checkins]"
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "xlsx", "json"]),
    default=None,
    help="Data exports: csv (default), xlsx (needs --output) or json.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Data exports: write to this file rather than standard output.",
)
@click.option("--cycle", "cycle", default=None, help="Only this cycle's data.")
@click.option(
    "--kpi",
    "kpi_keys",
    multiple=True,
    help="Only this KPI (repeat, or separate keys with commas, for several).",
)
@click.option("--team", default=None, help="Only this team's KPIs or objectives.")
@click.option("--tier", default=None, help="Only KPIs of this tier.")
@click.option("--perspective", default=None, help="Only KPIs of this perspective.")
@click.option("--since", type=IsoDate(), default=None, help="From this date on.")
@click.option("--until", type=IsoDate(), default=None, help="Up to this date.")
@click.option(
    "--superseded",
    is_flag=True,
    default=False,
    help="Readings: corrected values too, with when they were superseded.",
)
def export(
    target: str | None,
    output_format: str | None,
    output: Path | None,
    kpi_keys: tuple[str, ...],
    superseded: bool,
    **filters: Any,
) -> None:
    """Write the database as a workspace file (to FILE, or standard output), or
    export data as CSV, XLSX or JSON:
    `drumbeat export readings|scores|statuses|checkins [OPTIONS]`."""
    keys = [key for value in kpi_keys for key in value.split(",") if key.strip()]
    if target in DATA_EXPORTS:
        _data_export(
            target,
            output_format=output_format or "csv",
            output=output,
            kpi_keys=[key.strip() for key in keys],
            superseded=superseded,
            **filters,
        )
        return
    given = {
        "--format": output_format,
        "--output": output,
        "--kpi": keys,
        "--superseded": superseded,
        **{EXPORT_OPTIONS[name]: value for name, value in filters.items()},
    }
    for option, value in given.items():
        if value:
            raise Unusable(
                f"{option} is for data exports: drumbeat export "
                f"{'|'.join(DATA_EXPORTS)} {option} ...; the workspace export "
                "takes only FILE"
            )
    file = Path(target) if target else None
    if file is not None and file.is_dir():
        raise Unusable(f"{file}: is a directory; give a file to write")
    _django()
    from drumbeat.scorecard.sync import workspace_export

    text = workspace_export()
    if file is None:
        click.echo(text, nl=False)
    else:
        file.write_text(text, encoding="utf-8")
        click.echo(f"Exported to {file}.")


def _data_export(
    kind: str,
    *,
    output_format: str,
    output: Path | None,
    kpi_keys: list[str],
    superseded: bool,
    **filters: Any,
) -> None:
    """Readings, statuses, scores or check-ins for a filter, streamed to standard
    output or written whole to --output (all or nothing)."""
    if output_format == "xlsx" and output is None:
        raise Unusable(
            "--format xlsx writes a binary file: give --output FILE (standard "
            "output takes csv or json)"
        )
    _django()
    from drumbeat.exports.selectors import ExportError, export_filter, export_table
    from drumbeat.exports.writers import (
        CountedRows,
        csv_chunks,
        json_chunks,
        xlsx_write,
    )

    try:
        chosen = export_filter(
            kind=kind, kpi_keys=kpi_keys, superseded=superseded, **filters
        )
    except ExportError as error:
        raise Unusable(
            f"{EXPORT_OPTIONS.get(error.field, error.field)}: {error.message}"
        ) from None
    table = export_table(chosen)
    now = dt.datetime.now(dt.UTC)
    if output is None:
        chunks = (
            csv_chunks(table)
            if output_format == "csv"
            else json_chunks(table, chosen, now)
        )
        try:
            for chunk in chunks:
                click.echo(chunk, nl=False)
        except BrokenPipeError:
            # `| head`: the reader has all it wants; nothing more to flush.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return
    rows = CountedRows(table.rows)
    table = replace(table, rows=rows)
    partial = output.with_name(f".{output.name}.part")
    try:
        if output_format == "xlsx":
            xlsx_write(table, partial)
        else:
            with partial.open("w", encoding="utf-8", newline="") as stream:
                stream.writelines(
                    csv_chunks(table)
                    if output_format == "csv"
                    else json_chunks(table, chosen, now)
                )
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise Unusable(f"{output}: {error.strerror or error}") from None
    click.echo(f"Exported {rows.count} {kind} rows to {output}.")


@click.command()
@click.option("--kpi", "kpi_key", default=None, help="Pull this KPI only.")
@FORMAT
def pull(kpi_key: str | None, output_format: str) -> None:
    """Pull KPI readings from their SQL sources now, in the foreground.

    Prints what each pull recorded or why it failed; exit 1 if any failed.
    """
    _django()
    from drumbeat.kpis.sources.services import PullRefusedError, sources_pull

    try:
        outcomes = sources_pull(kpi_key=kpi_key)
    except PullRefusedError as error:
        raise Unusable(str(error)) from None
    if output_format == "json":
        print_json(
            {
                "pulls": [
                    {
                        "kpi": outcome.kpi_key,
                        "ok": outcome.ok,
                        "message": outcome.message,
                        **(
                            {
                                "created": outcome.result.created,
                                "corrected": outcome.result.corrected,
                                "unchanged": outcome.result.unchanged,
                            }
                            if outcome.result
                            else {}
                        ),
                    }
                    for outcome in outcomes
                ]
            }
        )
    else:
        if not outcomes:
            click.echo("No KPI has an sql source: nothing to pull.")
        for outcome in outcomes:
            failed = "" if outcome.ok else "failed: "
            click.echo(f"{outcome.kpi_key}: {failed}{outcome.message}")
    if any(not outcome.ok for outcome in outcomes):
        sys.exit(EXIT_FINDINGS)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def worker(arguments: tuple[str, ...]) -> None:
    """Run background work: queued tasks, and the pulls of SQL sources as they
    fall due (`--batch`: what is due now, then stop; `--help`: every option)."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["drumbeat", "worker", *arguments])


@click.group(name="import")
def import_group() -> None:
    """Import readings (CSV, XLSX) or KPI definitions (CSV) into the database.

    All or nothing: every row is checked first; a file with any problem writes
    nothing and each problem is listed as FILE:ROW:COLUMN: message (exit 2).
    """


def _import_user(username: str | None) -> Any:
    """The person named by --by (None without it)."""
    if username is None:
        return None
    from django.contrib.auth.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise Unusable(f"--by: no user '{username}' in Drumbeat")
    return user


def _import_refused(error: Any) -> Unusable:
    lines: list[str] = error.lines
    return Unusable("\n".join(lines) or f"{error.file_name}: refused")


@import_group.command(name="readings")
@FILE
@click.option(
    "--kpi", default=None, metavar="KEY", help="The KPI of a file of at, value columns."
)
@click.option(
    "--sheet",
    default=None,
    metavar="NAME",
    help="The sheet of an XLSX workbook (default: the first).",
)
@click.option(
    "--by",
    "username",
    default=None,
    metavar="USERNAME",
    help="Record the readings as recorded by this person.",
)
def import_readings(
    file: Path, kpi: str | None, sheet: str | None, username: str | None
) -> None:
    """Import readings from a CSV or XLSX file.

    Long format: kpi, at, value [, note] (at may be called date, day or
    timestamp). Wide format: a date column and one column per KPI key; empty cells
    are skipped. A file of at, value columns needs --kpi. The same reading again
    changes nothing; a different value is a correction that keeps the old one.
    """
    _django()
    from drumbeat.imports.services import ImportRefusedError, readings_import_file

    by = _import_user(username)
    with ImportBar() as bar:
        try:
            result = readings_import_file(
                path=file, by=by, kpi=kpi, sheet=sheet, progress=bar.update
            )
        except ImportRefusedError as error:
            raise _import_refused(error) from None
    click.echo(
        format_readings_counts(
            total=result.total,
            created=result.created,
            corrected=result.corrected,
            unchanged=result.unchanged,
        )
    )


@import_group.command(name="kpis")
@FILE
@click.option(
    "--by",
    "username",
    default=None,
    metavar="USERNAME",
    help="Keep the changes in history as made by this person.",
)
def import_kpis(file: Path, username: str | None) -> None:
    """Create or update KPI definitions from a CSV file.

    Columns are the workspace file's KPI fields: key, name, description, unit,
    direction, cadence, owner, team, perspective, tier, indicator, north_star,
    financial, drives, and nested ones by their path (thresholds.green,
    thresholds.red, thresholds.amber, benchmarks.industry,
    benchmarks.best_in_class, source.type, source.connection, source.query,
    spc.baseline.start, spc.baseline.end). An existing key is updated in the
    columns the file has (an empty cell clears the field); a new key is created.
    """
    _django()
    from drumbeat.imports.services import ImportRefusedError, kpis_import_file

    by = _import_user(username)
    try:
        result = kpis_import_file(path=file, by=by)
    except ImportRefusedError as error:
        raise _import_refused(error) from None
    click.echo(result.summary())


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def manage(arguments: tuple[str, ...]) -> None:
    """Django's management commands: `drumbeat manage migrate`, `runserver` ..."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["drumbeat manage", *arguments])


def _unreachable(error: Exception) -> Unusable:
    """A database that cannot be reached or read, in a line (not a traceback)."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else "?"
    return Unusable(f"the database (DATABASE_URL): {reason}")


@click.command()
@FILE
@FORMAT
def backup(file: Path, output_format: str) -> None:
    """Write everything the database holds to FILE, read at one moment while the
    server runs (gzip-compressed when FILE ends in .gz); `drumbeat restore FILE`
    puts it back."""
    if file.is_dir():
        raise Unusable(f"{file}: is a directory; give a file to write")
    _django()
    from django.db import OperationalError

    from drumbeat.backups.services import BackupRefusedError, database_backup

    try:
        written = database_backup(path=file)
    except BackupRefusedError as error:
        raise Unusable(str(error)) from None
    except OperationalError as error:
        raise _unreachable(error) from None
    except OSError as error:
        raise Unusable(f"{file}: {error.strerror or error}") from None
    rows = sum(written.counts.values())
    if output_format == "json":
        print_json(
            {
                "file": str(file),
                "bytes": written.size,
                "rows": rows,
                "tables": written.counts,
            }
        )
        return
    click.echo(
        f"Backed up {format_count(rows)} rows of {len(written.counts)} tables to "
        f"{file} ({written.size / 1_000_000:.1f} MB)."
    )


@click.command()
@FILE
@click.option(
    "--replace",
    is_flag=True,
    default=False,
    help="Delete everything the database holds and restore the backup in its place.",
)
@FORMAT
def restore(file: Path, replace: bool, output_format: str) -> None:
    """Restore a backup made by `drumbeat backup` into an empty database (a new
    one is migrated first), all or nothing."""
    if not file.is_file():
        raise Unusable(f"{file}: no such file")
    _django()
    from django.db import OperationalError

    from drumbeat.backups.fileformat import BackupFileError
    from drumbeat.backups.services import RestoreRefusedError, database_restore

    try:
        restored = database_restore(path=file, replace=replace)
    except (BackupFileError, RestoreRefusedError) as error:
        raise Unusable(str(error)) from None
    except OperationalError as error:
        raise _unreachable(error) from None
    header, counts = restored.header, restored.counts
    if output_format == "json":
        print_json(
            {
                "file": str(file),
                "backup": {
                    "created_at": header.created_at,
                    "drumbeat": header.drumbeat,
                    "database": header.database,
                },
                "migrated": restored.migrated,
                "rows": sum(counts.values()),
                "tables": counts,
                "unreadable_webhook_secrets": restored.unreadable_secrets,
            }
        )
    else:
        click.echo(
            f"Restored {format_count(sum(counts.values()))} rows from {file} "
            f"(backed up {header.created_at} by Drumbeat {header.drumbeat} on "
            f"{header.database}"
            f"{'; migrated on to this version' if restored.migrated else ''}):"
        )
        width = len(format_count(max(counts.values(), default=0)))
        for label, count in counts.items():
            if count:
                click.echo(f"  {format_count(count):>{width}}  {label}")
    if restored.unreadable_secrets:
        click.echo(
            f"drumbeat: warning: this server's key cannot decrypt the signing "
            f"secrets of {len(restored.unreadable_secrets)} webhooks "
            f"({', '.join(restored.unreadable_secrets)}): set DRUMBEAT_WEBHOOK_KEY "
            "(or DRUMBEAT_SECRET_KEY, if it was not set) as on the backed-up "
            "server, or rotate each webhook's secret",
            err=True,
        )
