"""Hostile and large files: the time and peak memory of reading an XLSX workbook's
preview and all its rows, of refusing a ZIP bomb, and of refusing a YAML alias bomb.

    .venv/bin/python benchmarks/files_bench.py [--rows 1000000] [--keep DIR]

Each phase runs in a fresh process, so that its peak RSS is its own. See
benchmarks/README.md for the goal and the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

PHASE = """
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
result = {}
phase, path = sys.argv[1], Path(sys.argv[2])
if phase == "yaml":
    from drumbeat.workspace import WorkspaceError, load_workspace
    try:
        load_workspace(path)
    except WorkspaceError as error:
        result["refused"] = error.lines[0]
else:
    from drumbeat.imports.readers.files import opened
    from drumbeat.imports.readers.layouts import detect_layout, header_rows
    from drumbeat.imports.readers.problems import FileRefusedError
    from drumbeat.imports.readers.rows import KPIAccess, preview_rows
    try:
        with opened(path) as table:
            if phase == "preview":
                header_rows(table)
                table.rows_estimate()
                layout = detect_layout(table)
                access = KPIAccess(known={f"kpi_{n}" for n in range(50)})
                preview_rows(table, layout, access, 10)
            else:
                result["rows"] = sum(1 for _row in table.rows())
    except FileRefusedError as error:
        result["refused"] = error.problems[0].message
result["seconds"] = time.perf_counter() - start
result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def write_sheet(path: Path, rows: int) -> None:
    """A long-format workbook of `rows` readings, as openpyxl writes one."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("readings")
    sheet.append(["kpi", "at", "value", "note"])
    start = dt.date(2000, 1, 1)
    for n in range(rows):
        sheet.append(
            [
                f"kpi_{n % 50}",
                start + dt.timedelta(days=n // 50),
                (n * 37 % 1000) / 10,
                "" if n % 7 else f"note {n}",
            ]
        )
    workbook.save(path)


def write_zip_bomb(path: Path, megabytes: int) -> None:
    """One shared text of `megabytes` of the letter a (1 GiB packs into 1 MB)."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.imports.workbooks import write_bomb

    write_bomb(path, megabytes, level=9)


def write_alias_bomb(path: Path) -> None:
    lines = ["version: 1", f"a0: &a0 [{', '.join(['lol'] * 10)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    path.write_text("\n".join([*lines, "kpis: *a8", ""]))


def run(phase: str, path: Path) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, "-c", PHASE, phase, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(output)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="drumbeat-files-"))
    directory.mkdir(parents=True, exist_ok=True)
    sheet = directory / f"readings-{args.rows}.xlsx"
    if not sheet.exists():
        began = time.perf_counter()
        write_sheet(sheet, args.rows)
        print(f"wrote {sheet} in {time.perf_counter() - began:.0f} s")
    bomb = directory / "bomb.xlsx"
    if not bomb.exists():
        write_zip_bomb(bomb, 1024)
    alias = directory / "bomb.yaml"
    write_alias_bomb(alias)
    with zipfile.ZipFile(sheet) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    print(
        f"{sheet.name}: {sheet.stat().st_size / 2**20:.1f} MiB, "
        f"unpacks to {unpacked / 2**20:.1f} MiB"
    )
    print(f"{'phase':<28}{'seconds':>9}{'peak MiB':>10}  result")
    for label, phase, path in (
        (f"preview of {args.rows:,} rows", "preview", sheet),
        (f"all {args.rows:,} rows", "rows", sheet),
        (f"zip bomb ({bomb.stat().st_size:,} B)", "preview", bomb),
        (f"alias bomb ({alias.stat().st_size:,} B)", "yaml", alias),
    ):
        result = run(phase, path)
        said = result.get("refused") or f"{result.get('rows', 'read')}"
        print(
            f"{label:<28}{result['seconds']:>9.2f}{result['peak_mib']:>10.0f}  "
            f"{str(said)[:70]}"
        )


if __name__ == "__main__":
    main()
