"""Page timings of the web application against one raw SQL query for the rows each
page shows, and how they grow with history.

    .venv/bin/python benchmarks/web_bench.py [--fraction 1] [--repeat 5] [--reuse DIR]
    .venv/bin/python benchmarks/web_bench.py --history [--kpis 200] [--years 1,10]

The first form generates the synthetic workspace of `core_bench.py` (2,000 KPIs
with three years of weekly readings, 1,000 objectives, 4,000 KRs at full size),
applies it to a fresh SQLite database on the core benchmark's day (2025-12-22:
2025-Q4 runs, 2026-Q1 is being planned), then times each page through Django's
test client (the whole request: middleware, session, queries, templates) and the
raw queries that fetch the rows the page shows. For each page: the median time, the
raw time, their ratio and the HTML bytes.

`--history` runs the second form once per number of years (each in a process of its
own, with a database of its own): `--kpis` KPIs with daily readings over that many
years, the same pages and recording a reading, and prints each page's time with the
most years over its time with the fewest (goal: at most 1.2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from core_bench import Size, generate_workspace

BENCH_DAY = dt.datetime(2025, 12, 22, 9, 30, tzinfo=dt.UTC)
"""The core benchmark's as-of day: 2025-Q4 runs, 2026-Q1 is in planning."""

HISTORY_DAY = dt.datetime(2026, 11, 25, 9, 30, tzinfo=dt.UTC)
"""The history-growth day: 2026-Q4 runs, 2027-Q1 comes."""


@dataclass
class Row:
    """One page's figures."""

    page: str
    ms: float
    raw_ms: float | None
    kb: float

    @property
    def ratio(self) -> float | None:
        return self.ms / self.raw_ms if self.raw_ms else None


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """The median of `repeat` timed runs, in milliseconds (after one untimed)."""
    action()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def _setup(directory: Path) -> None:
    os.environ["DRUMBEAT_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drumbeat.server.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    # Static files unhashed, as in the tests: no `collectstatic` needed.
    static = "django.contrib.staticfiles.storage.StaticFilesStorage"
    override_settings(
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": static},
        }
    ).enable()
    call_command("migrate", verbosity=0)


def _raw(
    database: Path, repeat: int
) -> Callable[[list[tuple[str, tuple[Any, ...]]]], float]:
    """A timer of raw SQL queries (each fetched whole) on `database`."""
    connection = sqlite3.connect(database)

    def timed(queries: list[tuple[str, tuple[Any, ...]]]) -> float:
        # A table this version of Drumbeat does not have reads no row.
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        known = [
            (sql, parameters)
            for sql, parameters in queries
            if "okrs_plansuggestion" not in sql or "okrs_plansuggestion" in tables
        ]

        def run() -> None:
            for sql, parameters in known:
                connection.execute(sql, parameters).fetchall()

        return median_ms(run, repeat)

    return timed


KPIS_WITH_STATUS = (
    "SELECT k.*, s.* FROM kpis_kpi k LEFT JOIN kpis_kpistatus s ON s.kpi_id = k.id "
    "WHERE k.archived_at IS NULL"
)


def measure_pages(database: Path, repeat: int) -> list[Row]:
    """Time each main page and its raw queries on the database set up."""
    from django.contrib.auth.models import User
    from django.db.models import Count
    from django.test import Client

    from drumbeat.kpis.models import KPI
    from drumbeat.okrs.models import Cycle, Objective

    user, _ = User.objects.get_or_create(username="bench")
    # My week: the bench user owns the KPIs and objectives of one owner name.
    owner = (
        KPI.objects.exclude(owner_name="")
        .values_list("owner_name", flat=True)
        .order_by("owner_name")
        .first()
    )
    KPI.objects.filter(owner_name=owner).update(owner=user)
    Objective.objects.filter(owner_name=owner).update(owner=user)
    client = Client()
    client.force_login(user)
    today = dt.date.today()
    # The busiest cycle: the board's cost grows with its objectives, not history.
    busiest = Cycle.objects.annotate(size=Count("objectives")).order_by("-size")[0]
    # The cycle being planned: the last to start (its suggestions stored, where
    # this version of Drumbeat stores them).
    planned = Cycle.objects.filter(end__gte=today).order_by("-start")[0]
    past = Cycle.objects.filter(end__lt=today).order_by("-end").first()
    kpi = KPI.objects.annotate(size=Count("readings")).order_by("-size")[0]
    objective = Objective.objects.filter(cycle=busiest).order_by("key")[0]
    kpi_id, objective_id = kpi.pk, objective.pk
    page_size = 24  # TILES_PER_PAGE
    in_section = (
        f"{KPIS_WITH_STATUS} AND k.north_star = 0 AND k.perspective = ? "
        f"ORDER BY k.position, k.key LIMIT {page_size + 1}"
    )
    exceptions = (
        f"{KPIS_WITH_STATUS} AND k.north_star = 0 AND (s.health IN ('red', 'amber') "
        f"OR s.stale) ORDER BY k.position, k.key LIMIT {page_size + 1}"
    )
    counts = (
        "SELECT k.perspective, s.health, s.stale, count(*) FROM kpis_kpi k LEFT JOIN "
        "kpis_kpistatus s ON s.kpi_id = k.id WHERE k.archived_at IS NULL "
        "AND k.north_star = 0 GROUP BY 1, 2, 3"
    )
    north_star = (f"{KPIS_WITH_STATUS} AND k.north_star = 1 LIMIT 1", ())
    board = (
        "SELECT o.*, r.* FROM okrs_objective o LEFT JOIN okrs_keyresult r "
        "ON r.objective_id = o.id WHERE o.cycle_id = ?"
    )
    findings = "SELECT * FROM okrs_lintfinding WHERE cycle_id = ?"
    suggestions = (
        "SELECT p.*, k.* FROM okrs_plansuggestion p JOIN kpis_kpi k ON k.id = p.kpi_id "
        "WHERE p.cycle_id = ? ORDER BY p.band, p.precedence, p.benchmark_gap DESC "
        "LIMIT 51"
    )
    dashboard_raw = [(counts, ()), (exceptions, ()), north_star]
    pages: list[tuple[str, str, list[tuple[str, tuple[Any, ...]]], dict[str, str]]] = [
        ("dashboard /", "/", dashboard_raw, {}),
        ("dashboard, exceptions only", "/?exceptions=1", dashboard_raw, {}),
        (
            "dashboard, a perspective opened",
            "/dashboard/customer/",
            [(in_section, ("customer",))],
            {"HX-Request": "true"},
        ),
        ("KPI dictionary /kpis/", "/kpis/", [(KPIS_WITH_STATUS, ())], {}),
        (
            f"cycle board {busiest.key}",
            f"/cycles/{busiest.key}/",
            [(board, (busiest.pk,))],
            {},
        ),
        (
            f"cycle plan {planned.key} (stored)",
            f"/cycles/{planned.key}/plan/",
            [
                (suggestions, (planned.pk,)),
                (board, (planned.pk,)),
                (findings, (planned.pk,)),
            ],
            {},
        ),
    ]
    if past is not None:
        pages.append(
            (
                f"cycle plan {past.key} (past: computed)",
                f"/cycles/{past.key}/plan/",
                [(board, (past.pk,)), (findings, (past.pk,))],
                {},
            )
        )
    pages += [
        (
            "KPI page (most readings)",
            f"/kpis/{kpi.key}/",
            [
                (f"{KPIS_WITH_STATUS} AND k.id = ?", (kpi_id,)),
                (
                    "SELECT * FROM kpis_reading WHERE kpi_id = ? "
                    "AND superseded_at IS NULL ORDER BY day",
                    (kpi_id,),
                ),
            ],
            {},
        ),
        (
            "objective page",
            f"/objectives/{objective.key}/",
            [
                (board.replace("o.cycle_id", "o.id"), (objective_id,)),
                (
                    "SELECT c.* FROM okrs_checkin c JOIN okrs_keyresult r "
                    "ON r.id = c.key_result_id WHERE r.objective_id = ?",
                    (objective_id,),
                ),
            ],
            {},
        ),
        (
            "My week /me/",
            "/me/",
            [
                (f"{KPIS_WITH_STATUS} AND k.owner_id = ?", (user.pk,)),
                (board.replace("o.cycle_id", "o.owner_id"), (user.pk,)),
            ],
            {},
        ),
    ]
    raw = _raw(database, repeat)
    rows = []
    for name, url, queries, headers in pages:
        response = client.get(url, headers=headers)
        if response.status_code == 404:
            continue  # a page this version of Drumbeat does not have
        assert response.status_code == 200, (url, response.status_code)

        def fetch(url: str = url, headers: dict[str, str] = headers) -> object:
            return client.get(url, headers=headers)

        rows.append(
            Row(
                page=name,
                ms=median_ms(fetch, repeat),
                raw_ms=raw(queries),
                kb=len(response.content) / 1024,
            )
        )
    return rows


def measure_recording(repeat: int, on: dt.date) -> Row:
    """Recording one reading on a KPI that KRs read, with its status, the scores of
    the objectives on it, the lint of their cycles and the suggestions refreshed."""
    from django.contrib.auth.models import User

    from drumbeat.kpis.models import KPI
    from drumbeat.kpis.services.readings import reading_record
    from drumbeat.okrs.models import KeyResult

    user = User.objects.get(username="bench")
    targeted = KPI.objects.get(key=KeyResult.objects.values("kpi_key")[0]["kpi_key"])
    values = iter(range(1000))

    def record() -> object:
        return reading_record(kpi=targeted, at=on, value=float(next(values)), by=user)

    return Row(
        "record a reading (refreshes included)", median_ms(record, repeat), None, 0
    )


def print_rows(rows: list[Row]) -> None:
    print(f"{'page':<42} {'median ms':>10} {'raw ms':>8} {'× raw':>7} {'KB':>8}")
    for row in rows:
        raw = f"{row.raw_ms:.2f}" if row.raw_ms else "–"
        ratio = f"{row.ratio:.1f}" if row.ratio else "–"
        kb = f"{row.kb:.1f}" if row.kb else "–"
        print(f"{row.page:<42} {row.ms:>10.1f} {raw:>8} {ratio:>7} {kb:>8}")


# --- 2,000 KPIs -----------------------------------------------------------------


def scale(fraction: float, repeat: int, reuse: Path | None) -> None:
    import time_machine

    directory = reuse or Path(tempfile.mkdtemp(prefix="drumbeat-web-bench-"))
    with time_machine.travel(BENCH_DAY, tick=True):
        _setup(directory)
        from drumbeat.scorecard.sync import workspace_apply
        from drumbeat.workspace import load_workspace

        loaded = applied = 0.0
        if reuse is None:
            path = directory / "workspace.yaml"
            generate_workspace(Size.of(fraction), path)
            began = time.perf_counter()
            workspace = load_workspace(path)
            loaded = time.perf_counter() - began
            began = time.perf_counter()
            workspace_apply(workspace)
            applied = time.perf_counter() - began
        database = directory / "drumbeat.sqlite3"
        kpis, readings = (
            sqlite3.connect(database)
            .execute(
                "SELECT (SELECT count(*) FROM kpis_kpi), "
                "(SELECT count(*) FROM kpis_reading)"
            )
            .fetchone()
        )
        print(
            f"Workspace: {kpis} KPIs, {readings} readings; load {loaded:.1f} s, "
            f"apply {applied:.1f} s (SQLite, {directory}), as of {BENCH_DAY:%Y-%m-%d}"
        )
        rows = measure_pages(database, repeat)
        rows.append(measure_recording(repeat, BENCH_DAY.date()))
        print_rows(rows)


# --- History growth -------------------------------------------------------------


def history_workspace(kpis: int, years: int, today: dt.date) -> str:
    """`kpis` KPIs with a daily reading over the last `years` years up to
    yesterday, 2026-Q3 to 2027-Q1, and an objective in 2026-Q4 for each ten KPIs
    with KRs on two of them (deterministic)."""
    rng = random.Random(f"history-{kpis}")
    perspectives = ("financial", "customer", "internal", "learning")
    first = today - dt.timedelta(days=365 * years)
    days = [first + dt.timedelta(days=n) for n in range((today - first).days)]
    out = ["version: 1\norganisation: History Co\nkpis:\n"]
    for n in range(kpis):
        level = rng.uniform(40, 60)
        out.append(
            f"  - key: kpi-{n}\n    name: KPI {n}\n    unit: points\n"
            f"    cadence: daily\n    owner: Owner {n % 7}\n"
            f"    perspective: {perspectives[n % 4]}\n"
            f"    tier: {'key' if n % 10 == 0 else 'secondary'}\n"
            f"    thresholds: {{green: {level + 2:.1f}, red: {level - 4:.1f}}}\n"
            f"    benchmarks: {{industry: {level + 5:.1f}}}\n    readings:\n"
        )
        out.extend(
            f"      - {{at: {day.isoformat()}, value: {level + rng.gauss(0, 2):.2f}}}\n"
            for day in days
        )
    out.append(
        "cycles:\n"
        "  - {key: 2026-Q3, start: 2026-07-01, end: 2026-09-30}\n"
        "  - {key: 2026-Q4, start: 2026-10-01, end: 2026-12-31}\n"
        "  - {key: 2027-Q1, start: 2027-01-01, end: 2027-03-31}\n"
        "objectives:\n"
    )
    for n in range(0, kpis, 10):
        out.append(
            f"  - key: objective-{n}\n    title: Objective {n}\n    cycle: 2026-Q4\n"
            f"    owner: Owner {n % 7}\n    key_results:\n"
            f"      - {{key: kr-a, kpi: kpi-{n}, target: 70}}\n"
            f"      - {{key: kr-b, kpi: kpi-{n + 1}, target: 70}}\n"
        )
    return "".join(out)


def history_child(kpis: int, years: int, repeat: int, output: Path) -> None:
    """One history size: build it, measure, write the rows to `output` as JSON."""
    import time_machine

    directory = Path(tempfile.mkdtemp(prefix=f"drumbeat-history-{years}y-"))
    with time_machine.travel(HISTORY_DAY, tick=True):
        _setup(directory)
        from drumbeat.scorecard.sync import workspace_apply
        from drumbeat.workspace import load_workspace_text

        text = history_workspace(kpis, years, HISTORY_DAY.date())
        workspace_apply(load_workspace_text(text))
        database = directory / "drumbeat.sqlite3"
        rows = measure_pages(database, repeat)
        rows.append(measure_recording(repeat, HISTORY_DAY.date()))
    output.write_text(json.dumps([asdict(row) for row in rows]))


def history(kpis: int, years: list[int], repeat: int) -> None:
    results: dict[int, list[Row]] = {}
    for count in years:
        output = Path(tempfile.mkstemp(suffix=".json")[1])
        began = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--history-child",
                str(count),
                "--kpis",
                str(kpis),
                "--repeat",
                str(repeat),
                "--output",
                str(output),
            ],
            check=True,
        )
        results[count] = [Row(**row) for row in json.loads(output.read_text())]
        print(
            f"{kpis} KPIs, {count} year{'s' if count > 1 else ''} of daily readings: "
            f"built and measured in {time.perf_counter() - began:.0f} s"
        )
    low, high = min(years), max(years)
    print(
        f"{'page':<42} {f'{low} y ms':>9} {f'{high} y ms':>9} {'ratio':>6} "
        f"{f'{low} y KB':>8} {f'{high} y KB':>8}"
    )
    by_page = {row.page: row for row in results[high]}
    for row in results[low]:
        other = by_page.get(row.page)
        if other is None:
            continue
        kb = f"{row.kb:>8.1f} {other.kb:>8.1f}" if row.kb else f"{'–':>8} {'–':>8}"
        print(
            f"{row.page:<42} {row.ms:>9.1f} {other.ms:>9.1f} "
            f"{other.ms / row.ms:>6.2f} {kb}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reuse",
        type=Path,
        help="the directory of an earlier run's database: measure it again",
    )
    parser.add_argument("--history", action="store_true")
    parser.add_argument("--kpis", type=int, default=200)
    parser.add_argument("--years", default="1,10")
    parser.add_argument("--history-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.history_child:
        history_child(args.kpis, args.history_child, args.repeat, args.output)
    elif args.history:
        history(args.kpis, [int(y) for y in args.years.split(",")], args.repeat)
    else:
        scale(args.fraction, args.repeat, args.reuse)


if __name__ == "__main__":
    main()
