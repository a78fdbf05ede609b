"""Reading an XLSX workbook within bounds, so that a small file cannot take a
process's memory, nor hours of its time.

An XLSX file is a ZIP archive of XML parts, and a part can unpack to a thousand
times its size: a 1 MB workbook held a text of 1 GiB. openpyxl reads some parts
whole (the shared strings, which hold every text of the workbook, the styles and
the workbook's structure), and in read-only mode it keeps an element for every row
it has streamed past. So, before any part is unpacked (`check_archive`):

- the archive's table of contents is at most 1 MB (some 10,000 parts);
- the parts' declared sizes add up to at most `WorkbookLimits.unpacked_bytes`, and
  a part of over 1 MB unpacks to at most `WorkbookLimits.ratio` times its packed
  size. Python's zipfile never unpacks more of a part than it declares (it stops
  there, and the checksum fails), so the declared sizes bound what is read.

And while the workbook is read (`BoundedWorkbook`):

- a part that openpyxl reads whole is at most 8 MB;
- the shared strings unpack to at most 64 MB and are streamed here, with at most
  2,000,000 texts;
- a sheet is streamed row by row keeping nothing of the rows already read, with at
  most 1,048,576 rows of at most 16,384 cells (Excel's own limits);
- a text is at most 32,767 characters (Excel's limit for a cell);
- the XML streamed nests at most 32 deep, and at most 1 MB of it passes without a
  tag's end (a start tag is held whole, with its attributes, before it is seen).

Each bound refuses the file (FileRefusedError) with what was found and the limit.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError, iterparse
from xml.parsers import expat

from openpyxl.cell.read_only import ReadOnlyCell  # type: ignore[import-untyped]
from openpyxl.reader.excel import (  # type: ignore[import-untyped]
    SHARED_STRINGS,
    ExcelReader,
)
from openpyxl.styles.stylesheet import (  # type: ignore[import-untyped]
    apply_stylesheet,
)
from openpyxl.utils.cell import range_boundaries  # type: ignore[import-untyped]
from openpyxl.worksheet._reader import (  # type: ignore[import-untyped]
    WorkSheetParser,
)
from openpyxl.xml.constants import SHEET_MAIN_NS  # type: ignore[import-untyped]

from drumbeat.core.display import format_size
from drumbeat.imports.readers.problems import (
    FileProblem,
    FileRefusedError,
    _refused,
    column_letter,
)

MB = 1024 * 1024
DEFAULT_UNPACKED_BYTES = 200 * MB
DEFAULT_RATIO = 100
RATIO_FROM_BYTES = 1 * MB
"""Parts smaller than this unpacked are not held to the ratio: a small sheet of
blank cells packs tighter than any bomb, and cannot hurt."""
MAX_CONTENTS_BYTES = 1 * MB
MAX_WHOLE_PART_BYTES = 8 * MB
MAX_SHARED_STRINGS_BYTES = 64 * MB
MAX_SHARED_STRINGS = 2_000_000
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_ROW_ELEMENTS = 200_000
"""XML elements in one row (cells, values, formulas, runs of rich text)."""
MAX_TEXT_CHARACTERS = 32_767
MAX_MARKUP_BYTES = 1 * MB
"""The most XML that may pass without a `>`: a start tag is held whole, with its
attributes, and a text too, before anything sees them; the longest a workbook
needs is a cell's text of 32,767 characters (some 160 KB, escaped)."""
MAX_DEPTH = 32
"""How deep a part's XML may nest (a sheet needs five levels)."""

SAVE_AGAIN = "save it again as an Excel Workbook (.xlsx)"
SPLIT = "split it into smaller workbooks, or save it as CSV UTF-8 (.csv)"


@dataclass(frozen=True)
class WorkbookLimits:
    """How much a workbook may unpack to: its parts together, and each part of
    over 1 MB against its packed size (settings DRUMBEAT_IMPORT_MAX_UNPACKED_BYTES
    and DRUMBEAT_IMPORT_MAX_RATIO)."""

    unpacked_bytes: int = DEFAULT_UNPACKED_BYTES
    ratio: int = DEFAULT_RATIO


def _ratio_text(unpacked: int, packed: int) -> str:
    return f"{unpacked // max(packed, 1):,}:1"


# --- The archive, before anything is unpacked ----------------------------------------


_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"


def _contents_bytes(path: Path) -> int | None:
    """The size of the archive's table of contents (its central directory), read
    from its end record as zipfile reads it (None: no end record, not a ZIP)."""
    with path.open("rb") as file:
        file.seek(0, 2)
        size = file.tell()
        file.seek(max(size - (22 + 65_535), 0))
        tail = file.read()
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < 22:
        return None
    (contents,) = struct.unpack_from("<I", tail, at + 12)
    locator = at - 20
    if locator >= 56 and tail[locator : locator + 4] == _END64_LOCATOR:
        # A ZIP64 end record, just before its locator, overrides the sizes.
        (contents64,) = struct.unpack_from("<Q", tail, locator - 56 + 40)
        contents = max(contents, contents64)
    return int(contents)


def check_archive(path: Path, limits: WorkbookLimits) -> int:
    """Refuse a workbook whose archive would unpack to more than the limits allow,
    from its table of contents alone; the bytes it unpacks to, if not refused."""
    contents = _contents_bytes(path)
    if contents is None:
        raise _refused(
            "this workbook cannot be opened (it is not a complete ZIP archive, as "
            f"an XLSX file is): {SAVE_AGAIN}"
        )
    if contents > MAX_CONTENTS_BYTES:
        raise _refused(
            f"the workbook's table of contents is {format_size(contents)}, over the "
            f"{format_size(MAX_CONTENTS_BYTES)} limit (it holds far more parts than "
            f"a workbook has): {SAVE_AGAIN}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refused(
            "this workbook cannot be opened (it is damaged, encrypted or not an "
            f"XLSX file): {SAVE_AGAIN}"
        ) from None
    unpacked = sum(part.file_size for part in parts)
    packed = path.stat().st_size
    if unpacked > limits.unpacked_bytes:
        raise _refused(
            f"the workbook unpacks to {format_size(unpacked)} (ratio "
            f"{_ratio_text(unpacked, packed)}): over the "
            f"{format_size(limits.unpacked_bytes)} limit; {SPLIT}"
        )
    for part in parts:
        if (
            part.file_size > RATIO_FROM_BYTES
            and part.file_size > limits.ratio * part.compress_size
        ):
            raise _refused(
                f"the workbook's part {part.filename} unpacks to "
                f"{format_size(part.file_size)} from {format_size(part.compress_size)} "
                f"(ratio {_ratio_text(part.file_size, part.compress_size)}): over "
                f"the {limits.ratio:,}:1 limit, which no spreadsheet reaches; "
                f"{SAVE_AGAIN}"
            )
    return unpacked


# --- Reading it ----------------------------------------------------------------------


class _BoundedArchive(zipfile.ZipFile):
    """The workbook's archive as openpyxl sees it: a part it reads whole (the
    styles, the workbook, the relationships) is refused over MAX_WHOLE_PART_BYTES;
    the parts read here are streamed (`_streamed`)."""

    def read(self, name: Any, pwd: bytes | None = None) -> bytes:
        part = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if part.file_size > MAX_WHOLE_PART_BYTES:
            raise FileRefusedError(
                [
                    FileProblem(
                        None,
                        "",
                        "",
                        f"the workbook's part {part.filename} is "
                        f"{format_size(part.file_size)}, over the "
                        f"{format_size(MAX_WHOLE_PART_BYTES)} limit of a part read "
                        f"whole: {SAVE_AGAIN}",
                    )
                ]
            )
        return super().read(name, pwd)


@dataclass(frozen=True)
class SheetPart:
    """A worksheet of the workbook: its name and the archive's part that holds it."""

    name: str
    path: str


class _Reader(ExcelReader):  # type: ignore[misc]
    """openpyxl's reader of a workbook's structure and styles, with the archive
    bounded and the shared strings read by `_shared_strings`; worksheets are only
    listed (openpyxl's read-only sheets scan a sheet without a size whole)."""

    def __init__(self, path: Path) -> None:
        self.archive = _BoundedArchive(path)
        self.valid_files = self.archive.namelist()
        self.read_only = True
        self.keep_vba = False
        self.data_only = False
        self.keep_links = False
        self.rich_text = False
        self.shared_strings: list[str] = []
        self.sheets: list[SheetPart] = []

    def read_strings(self) -> None:
        part = self.package.find(SHARED_STRINGS)
        if part is None:
            return
        name = part.PartName[1:]
        size = self.archive.getinfo(name).file_size
        if size > MAX_SHARED_STRINGS_BYTES:
            raise _refused(
                f"the workbook's texts ({name}) unpack to {format_size(size)}, over "
                f"the {format_size(MAX_SHARED_STRINGS_BYTES)} limit; {SPLIT}"
            )
        with self.archive.open(name) as source:
            self.shared_strings = _shared_strings(_Streamed(source))

    def read(self) -> None:
        self.read_manifest()
        self.read_strings()
        self.read_workbook()
        apply_stylesheet(self.archive, self.wb)
        self.sheets = [
            SheetPart(sheet.name, rel.target)
            for sheet, rel in self.parser.find_sheets()
            if rel.target in self.valid_files and rel.Type.endswith("/worksheet")
        ]


def _local(name: str) -> str:
    return name.rpartition("}")[2]


_TOO_DEEP = (
    f"the workbook's XML nests more than {MAX_DEPTH} levels deep: the workbook is "
    f"damaged; {SAVE_AGAIN}"
)


class _Streamed:
    """A part's XML as the parsers read it: at most 64 KB at a time, refused where
    more than MAX_MARKUP_BYTES pass without a `>`."""

    def __init__(self, part: IO[bytes]) -> None:
        self.part = part
        self.since_tag_end = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.part.read(min(size, 1 << 16) if size > 0 else 1 << 16)
        end = chunk.rfind(b">")
        if end < 0:
            self.since_tag_end += len(chunk)
        else:
            self.since_tag_end = len(chunk) - end - 1
        if self.since_tag_end > MAX_MARKUP_BYTES:
            raise _refused(
                f"the workbook's XML runs on for more than "
                f"{format_size(MAX_MARKUP_BYTES)} without a tag's end (no cell "
                f"holds that much): the workbook is damaged; {SAVE_AGAIN}"
            )
        return chunk


def _shared_strings(source: _Streamed) -> list[str]:
    """The workbook's shared texts, streamed: a text is its plain part and its
    runs of rich text, without phonetic guides (as openpyxl reads them)."""
    strings: list[str] = []
    path: list[str] = []
    pieces: list[str] = []
    length = 0

    def start(name: str, attributes: Any) -> None:
        nonlocal length
        local = _local(name)
        path.append(local)
        if len(path) > MAX_DEPTH:
            raise _refused(_TOO_DEEP)
        if local == "si":
            if len(strings) >= MAX_SHARED_STRINGS:
                raise _refused(
                    f"the workbook holds more than {MAX_SHARED_STRINGS:,} different "
                    f"texts: {SPLIT}"
                )
            pieces.clear()
            length = 0

    def end(name: str) -> None:
        path.pop()
        if _local(name) == "si":
            strings.append("".join(pieces).replace("x005F_", ""))

    def text(data: str) -> None:
        nonlocal length
        if path[-1] != "t" or len(path) < 3:
            return
        if path[-2] != "si" and (path[-2] != "r" or path[-3] != "si"):
            return
        length += len(data)
        if length > MAX_TEXT_CHARACTERS:
            raise _refused(_long_text(f"text number {len(strings) + 1:,}"))
        pieces.append(data)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.ParseFile(source)
    return strings


def _long_text(what: str) -> str:
    return (
        f"{what} of the workbook is longer than {MAX_TEXT_CHARACTERS:,} characters "
        "(the most a spreadsheet cell holds): shorten it"
    )


class BoundedWorkbook:
    """A workbook opened within bounds: its worksheets, and a sheet's rows as
    openpyxl's read-only cells, streamed. Raises FileRefusedError over a bound;
    other errors are openpyxl's, for a damaged file."""

    def __init__(self, path: Path) -> None:
        self._reader = _Reader(path)
        try:
            self._reader.read()
        except BaseException:
            self._reader.archive.close()
            raise
        self.workbook = self._reader.wb
        self.sheets = self._reader.sheets
        self._number_formats: dict[int, str] = {}

    def close(self) -> None:
        self._reader.archive.close()

    def rows_estimate(self, sheet: SheetPart) -> int | None:
        """The last row the sheet's `dimension` names (it comes before the cells:
        only the sheet's first 64 KB are read)."""
        try:
            with self._reader.archive.open(sheet.path) as source:
                head = source.read(64 * 1024)
        except _DAMAGED:
            return None  # reading the rows says what is wrong
        found = _DIMENSION.search(head)
        if found is None:
            return None
        try:
            last = range_boundaries(found.group(1).decode())[3]
        except (TypeError, ValueError, UnicodeDecodeError):
            return None
        return int(last) if last else None

    def number_format(self, sheet: Any, style_id: int) -> str:
        """A style's number format (openpyxl's own lookup, once per style)."""
        if style_id not in self._number_formats:
            try:
                found = ReadOnlyCell(sheet, 1, 1, None, "n", style_id).number_format
            except (IndexError, KeyError):
                found = "General"
            self._number_formats[style_id] = found
        return self._number_formats[style_id]

    def rows(
        self,
        sheet: SheetPart,
        cell: Callable[[dict[str, Any], str], Any],
    ) -> Generator[tuple[int, list[Any]], None, None]:
        """(row number from 1, cells from column A) for every row up to the last,
        blank ones too; `cell` turns openpyxl's parsed cell and its number format
        into a value. Nothing of a row is kept once it is yielded."""
        owner = _SheetOwner(self.workbook, sheet.name)
        with self._reader.archive.open(sheet.path) as part:
            source = _Streamed(part)
            parser = _CellParser(
                source,
                self._reader.shared_strings,
                data_only=False,
                epoch=self.workbook.epoch,
                date_formats=self.workbook._date_formats,
                timedelta_formats=self.workbook._timedelta_formats,
            )
            expected = 1
            for number, parsed in _sheet_rows(source, parser):
                if number < expected:
                    raise FileRefusedError(
                        [
                            FileProblem(
                                number,
                                "",
                                "",
                                f"the sheet's rows are out of order (row {number} "
                                f"after row {expected - 1}): the workbook is "
                                f"damaged; {SAVE_AGAIN}",
                            )
                        ]
                    )
                while expected < number:
                    yield expected, []
                    expected += 1
                width = max((c["column"] for c in parsed), default=0)
                if width > MAX_COLUMNS:
                    raise FileRefusedError([_too_wide(number)])
                cells: list[Any] = [None] * width
                for found in parsed:
                    value = found["value"]
                    if isinstance(value, str) and len(value) > MAX_TEXT_CHARACTERS:
                        raise FileRefusedError(
                            [
                                FileProblem(
                                    number,
                                    column_letter(found["column"] - 1),
                                    "",
                                    _long_text("this cell"),
                                )
                            ]
                        )
                    style = found["style_id"]
                    number_format = (
                        self.number_format(owner, style) if style else "General"
                    )
                    cells[found["column"] - 1] = cell(found, number_format)
                yield number, cells
                expected = number + 1


class _SheetOwner:
    """What openpyxl's read-only cell asks of its sheet: the workbook."""

    def __init__(self, workbook: Any, title: str) -> None:
        self.parent = workbook
        self.title = title


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]+)"')


class _CellParser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's parser of a sheet's cells, with a formula kept as its text:
    formulas are refused whatever they say, and openpyxl would keep a translator
    of every shared formula for the rest of the sheet."""

    def parse_formula(self, element: Any) -> str:
        formula = element.find(_FORMULA)
        return "=" + (formula.text or "")


_FORMULA = f"{{{SHEET_MAIN_NS}}}f"


def _too_wide(number: int) -> FileProblem:
    return FileProblem(
        number,
        "",
        "",
        f"this row holds more than {MAX_COLUMNS:,} cells (the most a spreadsheet "
        f"row holds): the workbook is damaged; {SAVE_AGAIN}",
    )


_DAMAGED = (ParseError, zipfile.BadZipFile, zlib.error, EOFError, ValueError)


def _sheet_rows(
    source: _Streamed, parser: Any
) -> Generator[tuple[int, list[dict[str, Any]]], None, None]:
    """The rows of a sheet's XML as openpyxl parses its cells, each dropped from
    the tree once parsed (openpyxl's own loop keeps an element for every row), and
    a row refused as soon as it holds too many cells."""
    open_elements: list[Any] = []
    in_row = False
    cells = elements = 0
    number = 0
    try:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                if len(open_elements) > MAX_DEPTH:
                    raise FileRefusedError(
                        [FileProblem(number or None, "", "", _TOO_DEEP)]
                    )
                if in_row:
                    elements += 1
                    if elements > MAX_ROW_ELEMENTS or (
                        element.tag == _CELL and (cells := cells + 1) > MAX_COLUMNS
                    ):
                        raise FileRefusedError([_too_wide(number)])
                elif element.tag == _ROW:
                    in_row = True
                    cells = elements = 0
                    number = _row_number(element, number)
                continue
            open_elements.pop()
            if in_row and element.tag == _ROW:
                in_row = False
                parser.row_counter = number
                parser.col_counter = 0
                parsed = [parser.parse_cell(cell) for cell in element]
                yield number, parsed
            if not in_row and open_elements:
                open_elements[-1].remove(element)
    except FileRefusedError:
        raise
    except (*_DAMAGED, IndexError, KeyError, TypeError):
        raise FileRefusedError(
            [
                FileProblem(
                    number + 1 if not in_row else number,
                    "",
                    "",
                    f"the sheet cannot be read from here: the workbook is damaged; "
                    f"{SAVE_AGAIN}",
                )
            ]
        ) from None


_ROW = f"{{{SHEET_MAIN_NS}}}row"
_CELL = f"{{{SHEET_MAIN_NS}}}c"


def _row_number(element: Any, previous: int) -> int:
    """A row's number: its `r`, else the one after the previous row's."""
    text = element.get("r")
    number = previous + 1
    if text is not None:
        try:
            number = int(float(text))
        except ValueError:
            number = 0
    if not 1 <= number <= MAX_ROWS:
        raise FileRefusedError(
            [
                FileProblem(
                    None,
                    "",
                    "",
                    f"the sheet names row {text or number}, beyond row {MAX_ROWS:,} "
                    f"(the last a spreadsheet has): the workbook is damaged; "
                    f"{SAVE_AGAIN}",
                )
            ]
        )
    return number
