"""What the commands share: exit codes, the `Unusable` error (exit 2, one line on
stderr), option and argument types, and loading the workspace FILE argument."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from drumbeat.core.model import Workspace
from drumbeat.workspace import WorkspaceError, load_workspace

EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2
MAX_PROBLEMS_SHOWN = 20


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


def load_file(file: Path, *, today: dt.date | None = None) -> Workspace:
    """A workspace file, loaded and checked (with `today`, for applying: readings
    after tomorrow refused too); unusable with every problem, at its line."""
    if not file.exists():
        raise Unusable(f"{file}: no such file")
    try:
        return load_workspace(file, today=today)
    except WorkspaceError as error:
        raise unusable(error) from None


def unusable(error: WorkspaceError) -> Unusable:
    """A workspace's problems, the first few one a line, as exit 2."""
    return Unusable(
        "\n".join(error.lines[:MAX_PROBLEMS_SHOWN])
        + (
            f"\n... and {len(error.lines) - MAX_PROBLEMS_SHOWN} more problems"
            if len(error.lines) > MAX_PROBLEMS_SHOWN
            else ""
        )
    )
