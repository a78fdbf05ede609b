"""What is wrong in a file, located: `FileProblem` (row, column, what to do), the
capped `Problems` of one file, and `FileRefusedError` for a file that cannot be read
as readings at all."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

MAX_PROBLEMS = 200
"""Problems listed for one file; the rest are counted."""


@dataclass(frozen=True, slots=True)
class FileProblem:
    """What is wrong in a file, where: the row as a spreadsheet numbers it (from
    1; None for the file as a whole), the column's letter and name, and a message
    that says what to do."""

    row: int | None
    column: str
    field: str
    message: str

    def line(self, file_name: str) -> str:
        """`FILE:ROW:COLUMN: field: message`, as the CLI prints it."""
        where = file_name
        if self.row is not None:
            where += f":{self.row}"
            if self.column:
                where += f":{self.column}"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Problems:
    """The problems of one file: the first `cap` kept, the rest counted."""

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        self.cap = cap
        self.items: list[FileProblem] = []
        self.more = 0

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, problem: FileProblem) -> None:
        if len(self.items) < self.cap:
            self.items.append(problem)
        else:
            self.more += 1

    def at(self, row: int | None, column: int | None, field: str, message: str) -> None:
        self.add(FileProblem(row, column_letter(column), field, message))

    def sorted(self) -> list[FileProblem]:
        """By row (file-wide problems first), then column."""
        return sorted(
            self.items,
            key=lambda p: (p.row or 0, len(p.column), p.column),
        )


class FileRefusedError(ValueError):
    """A file that cannot be read as readings at all (wrong kind, no header...)."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems[:3]))


def column_letter(index: int | None) -> str:
    """`0` → `A`; None → ``."""
    return "" if index is None else get_column_letter(index + 1)


def _refused(message: str) -> FileRefusedError:
    return FileRefusedError([FileProblem(None, "", "", message)])
