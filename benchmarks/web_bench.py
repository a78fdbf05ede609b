"""Page timings of the web application at the benchmark size, against one raw SQL
query that fetches the same rows.

    .venv/bin/python benchmarks/web_bench.py [--fraction 1] [--repeat 5]

It generates the synthetic workspace of `core_bench.py` (2,000 KPIs with three
years of weekly readings, 1,000 objectives, 4,000 KRs at full size), applies it to
a fresh SQLite database, then times each page through Django's test client (the
whole request: middleware, session, queries, templates) and the raw query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from core_bench import Size, generate_workspace


def best(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="drumbeat-web-bench-"))
    os.environ["DRUMBEAT_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drumbeat.server.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from drumbeat.kpis.models import KPI
    from drumbeat.kpis.services.readings import reading_record
    from drumbeat.okrs.models import Cycle, KeyResult, Objective
    from drumbeat.scorecard.sync import workspace_apply
    from drumbeat.workspace import load_workspace

    path = directory / "workspace.yaml"
    generate_workspace(Size.of(args.fraction), path)
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    workspace = load_workspace(path)
    loaded = time.perf_counter() - began
    began = time.perf_counter()
    workspace_apply(workspace)
    applied = time.perf_counter() - began

    user = User.objects.create_user("bench", password="not-used-here")
    client = Client()
    client.force_login(user)
    # The busiest cycle: the board's cost grows with its objectives, not history.
    cycle = Cycle.objects.annotate(size=Count("objectives")).order_by("-size").first()
    assert cycle is not None
    busiest = KPI.objects.annotate(size=Count("readings")).order_by("-size").first()
    objective = Objective.objects.filter(cycle=cycle).first()
    assert busiest is not None
    assert objective is not None
    pages = {
        "dashboard /": "/",
        "dashboard, exceptions only": "/?exceptions=1",
        "KPI dictionary /kpis/": "/kpis/",
        f"cycle board /cycles/{cycle.key}/": f"/cycles/{cycle.key}/",
        f"KPI page /kpis/{busiest.key}/": f"/kpis/{busiest.key}/",
        f"objective page /objectives/{objective.key}/": (
            f"/objectives/{objective.key}/"
        ),
        f"cycle plan /cycles/{cycle.key}/plan/": f"/cycles/{cycle.key}/plan/",
    }
    database = directory / "drumbeat.sqlite3"
    raw = sqlite3.connect(database)
    raw_sql = (
        "SELECT k.*, s.* FROM kpis_kpi k LEFT JOIN kpis_kpistatus s ON s.kpi_id = k.id "
        "ORDER BY k.position, k.key"
    )
    raw_time = best(lambda: raw.execute(raw_sql).fetchall(), args.repeat)
    rows = len(raw.execute(raw_sql).fetchall())
    readings = raw.execute("SELECT count(*) FROM kpis_reading").fetchone()[0]

    print(
        f"Workspace: {rows} KPIs, {readings} readings; load {loaded:.1f} s, "
        f"apply {applied:.1f} s (SQLite, {directory})"
    )
    print(f"raw SQL, KPIs with their status: {raw_time * 1000:.1f} ms ({rows} rows)")
    print(f"{'page':<40} {'ms':>8} {'× raw SQL':>10}")
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

        def fetch(url: str = url) -> object:
            return client.get(url)

        page_time = best(fetch, args.repeat)
        print(f"{name:<40} {page_time * 1000:>8.1f} {page_time / raw_time:>10.1f}")

    # A write: one reading on a KPI that KRs read, with its status, the scores of
    # the objectives on it and the lint of their cycles refreshed before it returns.
    targeted = KPI.objects.get(key=KeyResult.objects.values("kpi_key")[0]["kpi_key"])
    values = iter(range(1000))

    def record() -> object:
        return reading_record(
            kpi=targeted, at=dt.date.today(), value=float(next(values)), by=user
        )

    write_time = best(record, args.repeat)
    print(f"{'record a reading (refreshes included)':<40} {write_time * 1000:>8.1f}")


if __name__ == "__main__":
    main()
