"""The README and the docs quote the sample's output: every line they quote is
what the command prints today, so the figures cannot drift from the sample.

A quoted block is a ```text block whose lines start with `$ ` and a `drumbeat`
command on `examples/okrs.yaml` with `--as-of` (the same on any day). `  …` marks
lines left out; the quoted lines must appear in the output in the same order, at
the width of the block's widest table.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from drumbeat.cli import main

ROOT = Path(__file__).parents[2]
QUOTING = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"```text\n(.*?)```", re.S)
_COMMAND = re.compile(
    r"^\$ (?:\.venv/bin/)?drumbeat (.*examples/okrs\.yaml.*--as-of.*)$"
)
LEFT_OUT = "  …"


@dataclass(frozen=True)
class Quote:
    page: str
    command: str
    lines: tuple[str, ...]

    @property
    def width(self) -> int:
        return max((len(line) for line in self.lines if line[:1] in "┏┃│└"), default=80)


def quotes() -> list[Quote]:
    found: list[Quote] = []
    for page in QUOTING:
        for block in _BLOCK.findall(page.read_text(encoding="utf-8")):
            command: str | None = None
            lines: list[str] = []
            for line in [*block.splitlines(), "$ end"]:
                if line.startswith("$ "):
                    if command is not None:
                        found.append(Quote(page.name, command, tuple(lines)))
                    match = _COMMAND.match(line)
                    command, lines = (match.group(1) if match else None), []
                elif command is not None and line.strip() and line != LEFT_OUT:
                    lines.append(line.rstrip())
    return found


QUOTES = quotes()


def test_the_readme_and_the_guide_quote_the_sample() -> None:
    assert {(q.page, q.command.split()[0]) for q in QUOTES} >= {
        ("README.md", "score"),
        ("README.md", "lint"),
        ("getting-started.md", "suggest"),
    }


@pytest.mark.parametrize(
    "quote", QUOTES, ids=[f"{q.page}:{q.command.split()[0]}" for q in QUOTES]
)
def test_every_quoted_line_is_what_the_command_prints(quote: Quote, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, shlex.split(quote.command), env={"COLUMNS": str(quote.width)}
    )
    printed = [line.rstrip() for line in result.output.splitlines()]
    position = 0
    for line in quote.lines:
        assert line in printed[position:], (
            f"{quote.page} quotes a line `drumbeat {quote.command}` does not print "
            f"(after line {position}):\n{line}"
        )
        position = printed.index(line, position) + 1


_FLAW = re.compile(r"^\| `([a-z-]+)` \| (error|warning|info) \| ([^|]+) \|", re.M)


def test_the_samples_story_lists_exactly_the_findings_lint_reports(monkeypatch):
    """examples/README.md: "reports exactly the findings below"."""
    monkeypatch.chdir(ROOT)
    story = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    told = {
        (rule, severity, subject)
        for rule, severity, subjects in _FLAW.findall(story)
        for subject in re.findall(r"`([^`]+)`", subjects)
    }
    result = CliRunner().invoke(
        main,
        ["lint", "examples/okrs.yaml", "--as-of", "2026-11-25", "--format", "json"],
    )
    found = {
        (f["rule"], f["severity"], f["subject"])
        for f in json.loads(result.output)["findings"]
    }
    assert told == found
