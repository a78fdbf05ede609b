"""Workbooks written part by part, as an attacker would: a sheet's XML as given,
shared strings, parts of any size (streamed, so a gigabyte costs no memory)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _skeleton(shared: bool) -> dict[str, str]:
    strings = (
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{OFFICE}'
        '.sharedStrings+xml"/>'
        if shared
        else ""
    )
    return {
        "[Content_Types].xml": (
            f'<Types xmlns="{TYPES}"><Default Extension="rels" ContentType='
            '"application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}'
            '.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{OFFICE}.worksheet+xml"/>{strings}</Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets><sheet name="Sheet1" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
            f'Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
    }


def sheet_xml(rows: str) -> str:
    return f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'


def strings_xml(texts: Iterable[str]) -> str:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return f'<sst xmlns="{MAIN}">{items}</sst>'


HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>kpi</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>at</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>value</t></is></c></row>'
)


def write_workbook(
    path: Path,
    rows: str = HEADER,
    *,
    strings: Iterable[str] | None = None,
    parts: dict[str, str] | None = None,
) -> Path:
    """An XLSX file of one sheet whose `<sheetData>` holds `rows`, with shared
    strings if given, and other parts (replacing the skeleton's of that name)."""
    contents = _skeleton(strings is not None)
    contents["xl/worksheets/sheet1.xml"] = sheet_xml(rows)
    if strings is not None:
        contents["xl/sharedStrings.xml"] = strings_xml(strings)
    contents.update(parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in contents.items():
            archive.writestr(name, text)
    return path


def write_bomb(path: Path, megabytes: int, *, level: int = 1) -> Path:
    """A workbook whose one shared string is `megabytes` of the letter a: the
    ZIP bomb of a spreadsheet (1 GiB packs into 1 MB at level 9; 256 MB into
    1.2 MB in under a second at level 1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, text in _skeleton(True).items():
            zf.writestr(name, text)
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
        )
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{MAIN}"><si><t>'.encode())
            block = b"a" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(block)
            part.write(b"</t></si></sst>")
    return path
