"""The commands that work on workspace files alone, with no database: lint,
score, suggest, review, close, attribution and assess."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from drumbeat.cli.database import database_close
from drumbeat.cli.options import (
    AS_OF,
    EXIT_FINDINGS,
    FILE,
    FORMAT,
    IsoDate,
    Unusable,
    load_file,
)
from drumbeat.cli.output import (
    print_assessment,
    print_close,
    print_cycle_attribution,
    print_findings,
    print_json,
    print_kpi_attribution,
    print_review,
    print_status,
    print_suggestions,
)
from drumbeat.core import contract
from drumbeat.core.assessment import QUESTION_KEYS, assess
from drumbeat.core.attribution import (
    closed_cycles,
    cycle_attribution,
    kpi_attribution,
)
from drumbeat.core.close import close_cycle
from drumbeat.core.lint import has_errors, lint_workspace
from drumbeat.core.model import Cycle, Workspace
from drumbeat.core.rhythm import checkin_agenda, kpi_review
from drumbeat.core.status import workspace_status
from drumbeat.core.suggest import suggest


@click.command()
@FILE
@AS_OF
@FORMAT
def lint(file: Path, as_of: dt.date | None, output_format: str) -> None:
    """Check OKRs and KPIs for what stops honest scoring; exit 1 on errors."""
    workspace = load_file(file)
    findings = lint_workspace(workspace, as_of or dt.date.today())
    if output_format == "json":
        print_json(contract.findings_json(findings))
    else:
        print_findings(findings)
    if has_errors(findings):
        sys.exit(EXIT_FINDINGS)


@click.command()
@FILE
@AS_OF
@FORMAT
def score(file: Path, as_of: dt.date | None, output_format: str) -> None:
    """Show each KPI's health and each objective's and KR's score."""
    workspace = load_file(file)
    status = workspace_status(workspace, as_of or dt.date.today())
    if output_format == "json":
        print_json(contract.workspace_status_json(status))
    else:
        print_status(status)


@click.command(name="suggest")
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
    workspace = load_file(file)
    cycle = _cycle(workspace, file, cycle_key)
    suggestions = suggest(workspace, cycle, as_of)
    if output_format == "json":
        print_json(contract.suggestions_json(cycle.key, suggestions))
    else:
        judged_on = min(as_of, cycle.start) if as_of else cycle.start
        print_suggestions(cycle.key, judged_on, suggestions)


@click.command()
@FILE
@AS_OF
@FORMAT
def review(file: Path, as_of: dt.date | None, output_format: str) -> None:
    """The weekly agendas: KPI exceptions with owners, then the OKR check-in."""
    workspace = load_file(file)
    on = as_of or dt.date.today()
    kpis = kpi_review(workspace, on)
    checkins = checkin_agenda(workspace, on)
    if output_format == "json":
        print_json(contract.review_json(on, kpis, checkins))
    else:
        print_review(on, kpis, checkins)


@click.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--cycle", "cycle_key", required=True, help="The cycle to close.")
@AS_OF
@FORMAT
@click.option(
    "--dry-run",
    is_flag=True,
    default=False,
    help="Database: print what the close would freeze and apply; write nothing.",
)
@click.option(
    "--by",
    "username",
    default=None,
    help="Database: the person the close is recorded as made by.",
)
def close(
    file: Path | None,
    cycle_key: str,
    as_of: dt.date | None,
    output_format: str,
    dry_run: bool,
    username: str | None,
) -> None:
    """A cycle's close. With FILE: a report of the final grades, new baselines
    and completed KPIs (nothing changes). Without FILE: close the cycle in the
    database with the corrective flow's defaults, as the close page does."""
    if file is None:
        if as_of is not None:
            raise Unusable("--as-of is for FILE: the database closes as of today")
        database_close(
            cycle_key, dry_run=dry_run, username=username, output_format=output_format
        )
        return
    if dry_run or username:
        raise Unusable("--dry-run and --by are for the database (no FILE)")
    workspace = load_file(file)
    cycle = _cycle(workspace, file, cycle_key)
    if cycle.end >= (as_of or dt.date.today()):
        raise Unusable(
            f"{file}: cycle '{cycle.key}' runs until {cycle.end}; close it after its "
            "end (`drumbeat review` shows where it stands now)"
        )
    report = close_cycle(workspace, cycle)
    if output_format == "json":
        print_json(contract.cycle_close_json(report))
    else:
        print_close(report)


@click.command(name="attribution")
@FILE
@click.option("--kpi", "kpi_key", default=None, help="One KPI's cycles only.")
@AS_OF
@FORMAT
def attribution_command(
    file: Path, kpi_key: str | None, as_of: dt.date | None, output_format: str
) -> None:
    """Which KPIs moved beyond their noise in each closed cycle, beside the OKRs
    that targeted them (an association, never proof of cause).

    With --kpi: every closed cycle that targeted that KPI, its baseline, target and
    achieved values, its movement and whether the movement held.
    """
    workspace = load_file(file)
    on = as_of or dt.date.today()
    if kpi_key is not None:
        if kpi_key not in workspace.kpi_by_key:
            known = ", ".join(workspace.kpi_by_key) or "none"
            raise Unusable(f"{file}: no KPI '{kpi_key}' (KPIs: {known})")
        rows = kpi_attribution(workspace, kpi_key, on)
        if output_format == "json":
            print_json(contract.kpi_attribution_json(on, kpi_key, rows))
        else:
            print_kpi_attribution(kpi_key, rows)
        return
    groups = [cycle_attribution(workspace, c, on) for c in closed_cycles(workspace, on)]
    if output_format == "json":
        print_json(contract.cycles_attribution_json(on, groups))
    else:
        print_cycle_attribution(on, groups)


_ANSWER_WORDS = {"yes": True, "no": False, "unknown": None}


def _answers(pairs: tuple[str, ...]) -> dict[str, bool | None]:
    answers: dict[str, bool | None] = {}
    for pair in pairs:
        question, _, word = pair.partition("=")
        if question not in QUESTION_KEYS or word not in _ANSWER_WORDS:
            raise Unusable(
                f"--answer {pair!r}: write QUESTION=yes|no|unknown, QUESTION one of "
                + ", ".join(sorted(QUESTION_KEYS))
            )
        answers[question] = _ANSWER_WORDS[word]
    return answers


@click.command(name="assess")
@FILE
@AS_OF
@click.option(
    "--answer",
    "answer_pairs",
    multiple=True,
    metavar="QUESTION=yes|no",
    help="Answer a question of the questionnaire (repeat for several).",
)
@FORMAT
def assess_command(
    file: Path, as_of: dt.date | None, answer_pairs: tuple[str, ...], output_format: str
) -> None:
    """Which type of KPIs the organisation has (Kelly's decision tree, seed 001),
    the evidence for each branch, what the seed recommends and the next steps."""
    answers = _answers(answer_pairs)
    workspace = load_file(file)
    result = assess(workspace, as_of or dt.date.today(), answers)
    if output_format == "json":
        print_json(contract.assessment_json(result))
    else:
        print_assessment(result)


def _cycle(workspace: Workspace, file: Path, cycle_key: str) -> Cycle:
    cycle = workspace.cycle_by_key.get(cycle_key)
    if cycle is None:
        known = ", ".join(workspace.cycle_by_key) or "none"
        raise Unusable(f"{file}: no cycle '{cycle_key}' (cycles: {known})")
    return cycle
