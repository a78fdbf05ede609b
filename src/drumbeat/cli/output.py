"""How the commands print: rich tables on a terminal (plain and wide in CI logs),
JSON for `--format json`, and the import's progress bars on stderr."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from drumbeat.core.assessment import QUESTIONS, Assessment
from drumbeat.core.attribution import (
    ASSOCIATION_NOTE,
    OUTCOME_WORDS,
    CycleAttribution,
    CycleOutcome,
    KPICycleAttribution,
    held_words,
)
from drumbeat.core.close import CycleClose
from drumbeat.core.display import (
    format_count,
    format_key_result_target,
    format_number,
    format_percent,
    format_target,
    grade_text,
    signal_groups,
)
from drumbeat.core.lint import Finding
from drumbeat.core.rhythm import STAGNATING, CheckInItem, KPIReview
from drumbeat.core.spc import Signal
from drumbeat.core.stagnation import stagnation
from drumbeat.core.status import WorkspaceStatus
from drumbeat.core.suggest import Suggestion

HEALTH_STYLE = {"green": "green", "amber": "yellow", "red": "red", "unknown": "dim"}
GRADE_STYLE = {"green": "green", "yellow": "yellow", "red": "red"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _console() -> Console:
    """Colour on a terminal; plain and wide enough for CI logs elsewhere."""
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(highlight=False, soft_wrap=False, width=160)
    return console


def print_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _styled(value: str | None, styles: dict[str, str]) -> Text:
    if value is None:
        return Text("-", style="dim")
    return Text(value, style=styles.get(value, ""))


def _number(value: float | None) -> str:
    return "-" if value is None else format_number(value)


def _percent(value: float | None) -> str:
    return "-" if value is None else format_percent(value)


def print_findings(findings: list[Finding]) -> None:
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


def _signals_text(signals: Sequence[Signal], *, stagnating: bool = False) -> Text:
    """ "unfavourable: rules 1, 2 below" in red; favourable ones in green; then
    "stagnating" in yellow for a stagnating KPI (`core.stagnation`)."""
    text = Text()
    for favourable, words in signal_groups(signals):
        if text:
            text.append("; ")
        text.append(words, style="green" if favourable else "red")
    if stagnating:
        text.append(f"{'; ' if text else ''}{STAGNATING}", style="yellow")
    return text


def print_status(status: WorkspaceStatus) -> None:
    console = _console()
    kpis = Table(title=f"KPIs as of {status.as_of}", title_justify="left")
    for column in ("KPI", "latest", "at", "health", "stale", "lifecycle", "signals"):
        kpis.add_column(column, justify="right" if column == "latest" else "left")
    for kpi_status in status.kpis:
        assessment = kpi_status.assessment
        latest = assessment.latest
        unit = f" {assessment.kpi.unit}" if assessment.kpi.unit else ""
        signals = _signals_text(
            assessment.signals,
            stagnating=stagnation(assessment.kpi, assessment.as_of) is not None,
        )
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
            outcome = f" ({objective.outcome})" if objective.outcome else ""
            table.add_row(
                Text(objective.objective.key + outcome, style="bold"),
                "",
                "",
                "",
                "",
                "",
                _percent(objective.score),
                _styled(grade_text(objective.score), GRADE_STYLE),
            )
            for kr in objective.key_results:
                table.add_row(
                    f"  {kr.key}",
                    kr.kpi,
                    _number(kr.baseline),
                    _number(kr.current.value if kr.current else None),
                    format_key_result_target(kr.target, kr.relative_target),
                    _percent(kr.progress),
                    _percent(kr.score),
                    _styled(grade_text(kr.score), GRADE_STYLE),
                )
        console.print(table)


def print_suggestions(
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


def print_review(
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
    if review.not_due:
        later = ", ".join(s.assessment.kpi.key for s in review.not_due)
        console.print(f"On track, review not due (review cadence): {later}")

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


def print_close(report: CycleClose) -> None:
    console = _console()
    objectives = Table(
        title=f"Cycle {report.cycle.key}: final grades", title_justify="left"
    )
    for column in ("objective", "commitment", "score", "grade", "outcome"):
        objectives.add_column(column)
    for status in report.objectives:
        objectives.add_row(
            status.objective.key,
            str(status.objective.commitment),
            _percent(status.score),
            _styled(grade_text(status.score), GRADE_STYLE),
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


class ImportBar:
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

    def __enter__(self) -> ImportBar:
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
            rows=f"{format_count(step.rows)} rows",
        )
        speed = self.progress.tasks[task].speed
        if speed:
            self.progress.update(task, speed=f"{speed:,.0f} rows/s")


def print_database_close(shown: dict[str, Any], *, dry_run: bool) -> None:
    """A cycle's close in the database, as the close page shows it: the final
    grades, then each item of the corrective flow with its choice."""
    console = _console()
    grades = Table(
        title=f"Cycle {shown['cycle']} ({shown['state']}): final grades",
        title_justify="left",
    )
    for column in ("objective / KR", "KPI", "baseline → achieved", "score", "outcome"):
        grades.add_column(column, overflow="fold")
    for row in shown["grades"]:
        grades.add_row(
            row["objective"]
            if row["key_result"] is None
            else f"  {row['objective']}/{row['key_result']}",
            row["kpi"] or "",
            ""
            if row["key_result"] is None
            else f"{_number(row['baseline'])} → {_number(row['achieved'])}",
            _percent(row["score"]),
            (row["outcome"] or "").replace("_", " "),
        )
    console.print(grades)
    items = Table(title="The corrective flow", title_justify="left")
    for column in ("item", "choice", "value"):
        items.add_column(column, overflow="fold")
    for item in shown["items"]:
        items.add_row(
            item["name"], item["choice"] or item["default"], _number(item["value"])
        )
    console.print(items if shown["items"] else "Nothing to apply.")
    if shown["refusal"]:
        console.print(f"Cannot close: {shown['refusal']}")
    elif dry_run:
        console.print(
            f"Dry run: {shown['cycle']} would be closed with these choices; "
            "nothing was written."
        )
    else:
        console.print(f"{shown['cycle']} is closed: its grades are frozen.")


def _in_noise(row: KPICycleAttribution) -> str:
    multiple = row.movement.in_noise
    return "-" if multiple is None else f"{multiple:+.1f}×"


def _moved_text(row: KPICycleAttribution) -> str:
    """`nps (+1.3×)`; `churn (+3.6×, signals above)` when its signals went the
    other way or no OKR aimed it."""
    side = row.moved_side
    aimed = row.targeted and row.outcome is not CycleOutcome.AGAINST
    where = f", signals {side}" if side is not None and not aimed else ""
    return f"{row.kpi.key} ({_in_noise(row)}{where})"


def print_kpi_attribution(kpi_key: str, rows: Sequence[KPICycleAttribution]) -> None:
    console = _console()
    if not rows:
        console.print(f"No closed cycle has targeted {kpi_key}.")
        return
    table = Table(
        title=f"{kpi_key}: closed cycles that targeted it", title_justify="left"
    )
    for column in (
        "cycle",
        "KR",
        "baseline",
        "target",
        "achieved",
        "change",
        "× noise",
        "beyond the noise?",
        "next cycle",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        kr = row.first_key_result
        table.add_row(
            row.cycle.key,
            ", ".join(f"{e.objective}/{e.score.key}" for e in row.key_results),
            _number(kr.score.baseline) if kr else "-",
            format_target(kr.target) if kr else "-",
            _number(kr.achieved) if kr else "-",
            _number(row.movement.change),
            _in_noise(row),
            OUTCOME_WORDS[row.outcome],
            held_words(row.held),
        )
    console.print(table)
    console.print(ASSOCIATION_NOTE)


def print_cycle_attribution(as_of: dt.date, groups: Sequence[CycleAttribution]) -> None:
    console = _console()
    if not groups:
        console.print(f"No cycle had closed by {as_of}.")
        return
    for group in groups:
        console.print(Text(f"Cycle {group.cycle.key}", style="bold"))
        for _, title, rows in group.groups:
            listed = ", ".join(_moved_text(row) for row in rows)
            console.print(f"  {title}: {listed or 'none'}")
    console.print(ASSOCIATION_NOTE)


def print_assessment(result: Assessment) -> None:
    """Kelly's decision tree: the type, why, the seed's advice and the next steps."""
    console = _console()
    console.print(f"{result.kpi_type.label} (as of {result.as_of})", style="bold")
    for reason in result.reasons:
        console.print(f"  {reason}")
    console.print("\nWhat seed 001 recommends:", style="bold")
    for quote in result.recommendation:
        console.print(f"  \u201c{quote}\u201d")
    console.print("\nNext steps:", style="bold")
    for step in result.next_steps:
        kpis = f" ({', '.join(step.kpis)})" if step.kpis else ""
        console.print(f"  - {step.text}{kpis}")
    console.print("\nQuestionnaire:", style="bold")
    words = {True: "yes", False: "no", None: "not answered"}
    for question in QUESTIONS:
        answer = words[result.answers.get(question.key)]
        console.print(f"  {question.key}: {answer} \u2014 {question.text}")
