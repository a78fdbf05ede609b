"""The `drumbeat` command: lint, score and suggest on workspace files.

Exit codes are part of the contract: 0 success, 1 when `lint` finds an error, 2 on
unusable input (with a one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from drumbeat.core import contract
from drumbeat.core.close import CycleClose, close_cycle
from drumbeat.core.lint import Finding, has_errors, lint_workspace
from drumbeat.core.model import Cycle, Workspace
from drumbeat.core.numbers import format_number, format_target
from drumbeat.core.rhythm import CheckInItem, KPIReview, checkin_agenda, kpi_review
from drumbeat.core.spc import Signal
from drumbeat.core.status import WorkspaceStatus, workspace_status
from drumbeat.core.suggest import Suggestion, suggest
from drumbeat.workspace import WorkspaceError, load_workspace

EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2
MAX_PROBLEMS_SHOWN = 20

HEALTH_STYLE = {"green": "green", "amber": "yellow", "red": "red", "unknown": "dim"}
GRADE_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class Unusable(click.ClickException):
    """Input the command cannot work with: exit 2, one line on stderr."""

    exit_code = EXIT_UNUSABLE

    def show(self, file: Any = None) -> None:
        for line in self.format_message().splitlines():
            click.echo(f"drumbeat: {line}", err=True)


class IsoDate(click.ParamType):  # type: ignore[type-arg]
    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date as YYYY-MM-DD", param, ctx)


FILE = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
AS_OF = click.option(
    "--as-of",
    type=IsoDate(),
    default=None,
    help="Judge as of this date (YYYY-MM-DD). Default: today.",
)
FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A readable table, or the JSON of the CLI contract.",
)


def _load(file: Path) -> Workspace:
    if not file.exists():
        raise Unusable(f"{file}: no such file")
    try:
        return load_workspace(file)
    except WorkspaceError as error:
        raise Unusable(
            "\n".join(error.lines[:MAX_PROBLEMS_SHOWN])
            + (
                f"\n... and {len(error.lines) - MAX_PROBLEMS_SHOWN} more problems"
                if len(error.lines) > MAX_PROBLEMS_SHOWN
                else ""
            )
        ) from None


def _cycle(workspace: Workspace, file: Path, cycle_key: str) -> Cycle:
    cycle = workspace.cycle_by_key.get(cycle_key)
    if cycle is None:
        known = ", ".join(workspace.cycle_by_key) or "none"
        raise Unusable(f"{file}: no cycle '{cycle_key}' (cycles: {known})")
    return cycle


def _console() -> Console:
    """Colour on a terminal; plain and wide enough for CI logs elsewhere."""
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, soft_wrap=False, width=160)
    return console


def _print_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drumbeat")
def main() -> None:
    """Drumbeat: KPIs and OKRs as one system.

    Work on workspace files (KPIs, readings, cycles and OKRs as YAML).
    """


@main.command()
@FILE
@AS_OF
@FORMAT
def lint(file: Path, as_of: dt.date | None, output_format: str) -> None:
    """Check OKRs and KPIs for what stops honest scoring; exit 1 on errors."""
    workspace = _load(file)
    findings = lint_workspace(workspace, as_of or dt.date.today())
    if output_format == "json":
        _print_json(contract.findings_json(findings))
    else:
        _print_findings(findings)
    if has_errors(findings):
        sys.exit(EXIT_FINDINGS)


@main.command()
@FILE
@AS_OF
@FORMAT
def score(file: Path, as_of: dt.date | None, output_format: str) -> None:
    """Show each KPI's health and each objective's and KR's score."""
    workspace = _load(file)
    status = workspace_status(workspace, as_of or dt.date.today())
    if output_format == "json":
        _print_json(contract.workspace_status_json(status))
    else:
        _print_status(status)


@main.command(name="suggest")
@FILE
@click.option("--cycle", "cycle_key", required=True, help="The cycle to plan for.")
@click.option(
    "--as-of",
    type=IsoDate(),
    default=None,
    help="Plan ahead: judge KPIs as of this date if it is before the cycle start.",
)
@FORMAT
def suggest_command(
    file: Path, cycle_key: str, as_of: dt.date | None, output_format: str
) -> None:
    """Rank the KPIs worth elevating to Key Results in a cycle, with draft KRs.

    KPIs are judged as of the cycle's start date (or an earlier --as-of).
    """
    workspace = _load(file)
    cycle = _cycle(workspace, file, cycle_key)
    suggestions = suggest(workspace, cycle, as_of)
    if output_format == "json":
        _print_json(contract.suggestions_json(cycle.key, suggestions))
    else:
        judged_on = min(as_of, cycle.start) if as_of else cycle.start
        _print_suggestions(cycle.key, judged_on, suggestions)


@main.command()
@FILE
@AS_OF
@FORMAT
def review(file: Path, as_of: dt.date | None, output_format: str) -> None:
    """The weekly agendas: KPI exceptions with owners, then the OKR check-in."""
    workspace = _load(file)
    on = as_of or dt.date.today()
    kpis = kpi_review(workspace, on)
    checkins = checkin_agenda(workspace, on)
    if output_format == "json":
        _print_json(contract.review_json(on, kpis, checkins))
    else:
        _print_review(on, kpis, checkins)


@main.command()
@FILE
@click.option("--cycle", "cycle_key", required=True, help="The cycle to close.")
@AS_OF
@FORMAT
def close(
    file: Path, cycle_key: str, as_of: dt.date | None, output_format: str
) -> None:
    """A cycle's close: final grades, new baselines, completed KPIs."""
    workspace = _load(file)
    cycle = _cycle(workspace, file, cycle_key)
    if cycle.end >= (as_of or dt.date.today()):
        raise Unusable(
            f"{file}: cycle '{cycle.key}' runs until {cycle.end}; close it after its "
            "end (`drumbeat review` shows where it stands now)"
        )
    report = close_cycle(workspace, cycle)
    if output_format == "json":
        _print_json(contract.cycle_close_json(report))
    else:
        _print_close(report)


# --- Tables ---------------------------------------------------------------------


def _styled(value: str | None, styles: dict[str, str]) -> Text:
    if value is None:
        return Text("-", style="dim")
    return Text(value, style=styles.get(value, ""))


def _number(value: float | None) -> str:
    return "-" if value is None else format_number(value)


def _percent(value: float | None) -> str:
    """Whole percent, rounded down so that 0.6996 (yellow) never reads 70%."""
    return "-" if value is None else f"{math.floor(value * 100)}%"


def _print_findings(findings: list[Finding]) -> None:
    console = _console()
    if not findings:
        console.print("No findings: these OKRs can be scored honestly.")
        return
    table = Table(show_lines=False, expand=False)
    table.add_column("severity")
    table.add_column("rule", no_wrap=True)
    table.add_column("subject", no_wrap=True)
    table.add_column("message", overflow="fold")
    by_severity = sorted(findings, key=lambda f: SEVERITY_ORDER[str(f.severity)])
    for finding in by_severity:
        severity = str(finding.severity)
        table.add_row(
            _styled(severity, SEVERITY_STYLE),
            finding.rule,
            finding.subject,
            finding.message,
        )
    console.print(table)
    counts = Counter(str(f.severity) for f in findings)
    console.print(
        ", ".join(
            f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}"
            for s in ("error", "warning", "info")
        )
    )


def _signals_text(signals: Sequence[Signal]) -> Text:
    """ "unfavourable: rules 1, 2 below" in red; favourable ones in green."""
    text = Text()
    groups: dict[tuple[bool, str], list[int]] = {}
    for signal in signals:
        groups.setdefault((signal.favourable, str(signal.side)), []).append(signal.rule)
    for (favourable, side), rules in sorted(groups.items()):
        if text:
            text.append("; ")
        label = "favourable" if favourable else "unfavourable"
        numbers = ", ".join(str(rule) for rule in sorted(set(rules)))
        text.append(
            f"{label}: rule{'s' if len(set(rules)) > 1 else ''} {numbers} {side}",
            style="green" if favourable else "red",
        )
    return text


def _print_status(status: WorkspaceStatus) -> None:
    console = _console()
    kpis = Table(title=f"KPIs as of {status.as_of}", title_justify="left")
    for column in ("KPI", "latest", "at", "health", "stale", "lifecycle", "signals"):
        kpis.add_column(column, justify="right" if column == "latest" else "left")
    for kpi_status in status.kpis:
        assessment = kpi_status.assessment
        latest = assessment.latest
        unit = f" {assessment.kpi.unit}" if assessment.kpi.unit else ""
        signals = _signals_text(assessment.signals)
        kpis.add_row(
            assessment.kpi.key,
            f"{format_number(latest.value)}{unit}" if latest else "-",
            str(latest.day) if latest else "-",
            _styled(str(assessment.health), HEALTH_STYLE),
            Text("stale", style="yellow") if assessment.stale else Text(""),
            str(kpi_status.lifecycle).replace("_", " "),
            signals,
        )
    console.print(kpis)

    for cycle_key in dict.fromkeys(o.cycle.key for o in status.objectives):
        table = Table(title=f"Cycle {cycle_key}", title_justify="left")
        for column in (
            "objective / key result",
            "KPI",
            "baseline",
            "current",
            "target",
            "progress",
            "score",
            "grade",
        ):
            table.add_column(
                column,
                no_wrap=not column.startswith("objective"),
                overflow="fold",
                min_width=24 if column.startswith("objective") else None,
            )
        for objective in (o for o in status.objectives if o.cycle.key == cycle_key):
            grade = objective.grade
            outcome = f" ({objective.outcome})" if objective.outcome else ""
            table.add_row(
                Text(objective.objective.key + outcome, style="bold"),
                "",
                "",
                "",
                "",
                "",
                _percent(objective.score),
                _styled(str(grade) if grade else None, GRADE_STYLE),
            )
            for kr in objective.key_results:
                kr_grade = kr.grade
                table.add_row(
                    f"  {kr.key}",
                    kr.kpi,
                    _number(kr.baseline),
                    _number(kr.current.value if kr.current else None),
                    format_target(kr.target),
                    _percent(kr.progress),
                    _percent(kr.score),
                    _styled(str(kr_grade) if kr_grade else None, GRADE_STYLE),
                )
        console.print(table)


def _print_suggestions(
    cycle_key: str, start: dt.date, suggestions: list[Suggestion]
) -> None:
    console = _console()
    if not suggestions:
        console.print(
            f"Nothing to elevate in {cycle_key}: no KPI is red, amber, signalling or "
            "behind its benchmark (KPIs without readings are not judged)."
        )
        return
    table = Table(
        title=f"KPIs worth elevating in {cycle_key} (as of {start})",
        title_justify="left",
    )
    for column in ("#", "KPI", "baseline", "commit", "stretch", "draft KR", "why"):
        table.add_column(column, overflow="fold")
    for rank, suggestion in enumerate(suggestions, start=1):
        table.add_row(
            str(rank),
            suggestion.kpi.key,
            _number(suggestion.baseline),
            format_target(suggestion.commit_target)
            if suggestion.commit_target is not None
            else "-",
            format_target(suggestion.stretch_target)
            if suggestion.stretch_target is not None
            else "-",
            suggestion.title,
            suggestion.why,
        )
    console.print(table)


def _print_review(
    as_of: dt.date, review: KPIReview, checkins: Sequence[CheckInItem]
) -> None:
    console = _console()
    table = Table(title=f"KPI review, {as_of}: exceptions", title_justify="left")
    for column in ("KPI", "latest", "health", "why", "owner"):
        table.add_column(column, overflow="fold")
    for item in review.exceptions:
        assessment = item.status.assessment
        latest = assessment.latest
        table.add_row(
            assessment.kpi.key,
            format_number(latest.value) if latest else "-",
            _styled(str(assessment.health), HEALTH_STYLE),
            ", ".join(item.reasons),
            item.owner or "-",
        )
    console.print(table if review.exceptions else "No exceptions.")
    if review.on_track:
        fine = ", ".join(s.assessment.kpi.key for s in review.on_track)
        console.print(f"On track ({len(review.on_track)}): {fine}")

    agenda = Table(title=f"OKR check-in, {as_of}", title_justify="left")
    for column in (
        "objective / KR",
        "score",
        "forecast",
        "confidence",
        "days left",
        "blockers",
    ):
        agenda.add_column(column, overflow="fold")
    for checkin in checkins:
        last = checkin.last_checkin
        confidence = last.confidence if last else None
        agenda.add_row(
            f"{checkin.objective.key}/{checkin.key_result.key}",
            _percent(checkin.score.score),
            Text(
                _percent(checkin.forecast),
                style="red" if checkin.on_track is False else "",
            ),
            Text(
                "-" if confidence is None else f"{confidence:.1f}",
                style="red" if checkin.low_confidence else "",
            ),
            str(checkin.days_left),
            (last.blockers if last and last.blockers else ""),
        )
    console.print(agenda if checkins else "No active cycle: nothing to check in on.")


def _print_close(report: CycleClose) -> None:
    console = _console()
    objectives = Table(
        title=f"Cycle {report.cycle.key}: final grades", title_justify="left"
    )
    for column in ("objective", "commitment", "score", "grade", "outcome"):
        objectives.add_column(column)
    for status in report.objectives:
        grade = status.grade
        objectives.add_row(
            status.objective.key,
            str(status.objective.commitment),
            _percent(status.score),
            _styled(str(grade) if grade else None, GRADE_STYLE),
            str(status.outcome or "-").replace("_", " "),
        )
    console.print(objectives)
    handback = Table(title="Back to the KPIs", title_justify="left")
    for column in (
        "KR",
        "KPI",
        "baseline",
        "target",
        "achieved",
        "new baseline",
        "proposed threshold",
    ):
        handback.add_column(column, overflow="fold")
    for kr in report.key_results:
        handback.add_row(
            f"{kr.objective}/{kr.score.key}",
            kr.kpi,
            _number(kr.score.baseline),
            format_target(kr.target),
            _number(kr.achieved),
            _number(kr.new_baseline),
            _number(kr.proposed_threshold),
        )
    console.print(handback)
    if report.completed_kpis:
        console.print(
            "Completed, back to monitoring: " + ", ".join(report.completed_kpis)
        )
    if report.transient_kpis:
        console.print(
            "Transient KPIs to keep or retire: " + ", ".join(report.transient_kpis)
        )


# --- With a database ------------------------------------------------------------


def _django() -> None:
    """Set Django up for the commands that work on the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drumbeat.server.settings")
    django.setup()


@main.command()
@FILE
def apply(file: Path) -> None:
    """Load a workspace file into the database (all or nothing; idempotent)."""
    workspace = _load(file)
    _django()
    from drumbeat.scorecard.sync import workspace_apply

    result = workspace_apply(workspace, source_detail=file.name)
    click.echo(result.summary())


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


@main.command()
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


@main.command()
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
        _print_json(
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


@main.command(
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


@main.group(name="import")
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
    with _ImportBar() as bar:
        try:
            result = readings_import_file(
                path=file, by=by, kpi=kpi, sheet=sheet, progress=bar.update
            )
        except ImportRefusedError as error:
            raise _import_refused(error) from None
    click.echo(
        f"{result.total:,} readings: {result.created:,} new, "
        f"{result.corrected:,} corrected, {result.unchanged:,} unchanged"
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


class _ImportBar:
    """A progress bar on stderr for each pass of an import (rows read, rows per
    second); nothing when stderr is not a terminal."""

    PHASES: dict[str, str] = {  # noqa: RUF012
        "check": "Checking",
        "write": "Writing",
        "refresh": "Refreshing statuses",
    }

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            TextColumn("{task.fields[rows]:>16}"),
            TextColumn("{task.fields[speed]:>16}"),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _ImportBar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, step: Any) -> None:
        """Show an ImportProgress: a bar for each phase, the earlier ones full."""
        phase: str = step.phase
        if phase not in self.tasks:
            for earlier in self.tasks.values():
                done = self.progress.tasks[earlier].completed or 1
                self.progress.update(earlier, total=done, completed=done)
            if phase not in self.PHASES:
                return
            self.tasks[phase] = self.progress.add_task(
                self.PHASES[phase],
                total=None if phase == "refresh" else step.total,
                rows="",
                speed="",
            )
        task = self.tasks[phase]
        if phase == "refresh":
            return
        self.progress.update(
            task,
            completed=step.rows,
            total=max(step.total or 0, step.rows),
            rows=f"{step.rows:,} rows",
        )
        speed = self.progress.tasks[task].speed
        if speed:
            self.progress.update(task, speed=f"{speed:,.0f} rows/s")


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def manage(arguments: tuple[str, ...]) -> None:
    """Django's management commands: `drumbeat manage migrate`, `runserver` ..."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["drumbeat manage", *arguments])
