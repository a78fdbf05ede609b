"""Ingest benchmark: readings per second through the batch API, the CSV import
and `drumbeat apply`, against a raw bulk insert of the same rows into the same
database (executemany on SQLite, COPY on PostgreSQL); and the time from a pushed
reading to its KPI's new status being served.

    .venv/bin/python benchmarks/ingest_bench.py [--readings 1000000] [--kpis 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/drumbeat_bench \\
        .venv/bin/python benchmarks/ingest_bench.py

The goal: each way in reaches at least half the raw rate, and a pushed reading is
served in its status within a second. Each KPI gets daily readings; the API posts
batches of 10,000 (whole KPIs, as a backfill script would), the CSV is one long
file of every reading. Each phase starts from an empty readings table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--kpis", type=int, default=1_000)
    args = parser.parse_args()
    per_kpi = args.readings // args.kpis
    total = per_kpi * args.kpis

    directory = Path(tempfile.mkdtemp(prefix="drumbeat-ingest-bench-"))
    os.environ["DRUMBEAT_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drumbeat.server.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from drumbeat.accounts.services import token_create
    from drumbeat.core.model import Reading as CoreReading
    from drumbeat.imports.services import ImportProgress, readings_import_file
    from drumbeat.kpis.bulk import ReadingRow, readings_insert
    from drumbeat.kpis.models import KPI, KPIStatus, Reading
    from drumbeat.scorecard.selectors import database_workspace
    from drumbeat.scorecard.sync import workspace_apply
    from drumbeat.workspace.yamlio import collector_paused

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":  # a database kept between runs
        call_command("flush", interactive=False, verbosity=0)
    admin = User.objects.create_user("bench", is_staff=True, is_superuser=True)
    KPI.objects.bulk_create(
        KPI(
            key=f"kpi-{n:04d}",
            name=f"KPI {n}",
            direction="up",
            tier="secondary",
            cadence="daily",
            position=n,
        )
        for n in range(args.kpis)
    )
    kpis = list(KPI.objects.order_by("position"))
    start = dt.date(2023, 1, 1)
    days = [start + dt.timedelta(days=d) for d in range(per_kpi)]

    def value(n: int, d: int) -> float:
        return float(100 + (n * 7 + d * 13) % 50)

    def empty() -> None:
        Reading.objects.all().delete()
        KPIStatus.objects.all().delete()
        if connection.vendor == "postgresql":  # no dead rows left for the next phase
            with connection.cursor() as cursor:
                for model in (Reading, KPIStatus):
                    cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")

    print(
        f"{total:,} readings ({args.kpis:,} KPIs × {per_kpi:,} days), "
        f"{connection.vendor}, {directory}"
    )

    # Raw: the same rows straight into the table, in one transaction. Twice, the
    # faster counting (the first also pays for the database's cold start), so that
    # the ratios below are not flattered by a slow reference; with the cycle
    # collector paused, as the ways in pause it.
    rows = [
        ReadingRow(kpi.pk, day.isoformat(), day, value(n, d))
        for n, kpi in enumerate(kpis)
        for d, day in enumerate(days)
    ]
    times = []
    for _run in range(2):
        began = time.perf_counter()
        with transaction.atomic(), collector_paused():
            readings_insert(
                rows,
                source="api",
                source_detail="raw",
                recorded_by_id=admin.pk,
                recorded_at=timezone.now(),
            )
        times.append(time.perf_counter() - began)
        assert Reading.objects.count() == total
        empty()
    del rows
    raw = min(times)
    raw_rate = total / raw
    runs = " / ".join(f"{t:.1f}" for t in times)
    label = "raw bulk insert (best of 2)"
    print(f"{label:<34} {raw:>8.1f} s {raw_rate:>12,.0f} /s   ({runs} s)")

    # The batch API: 10,000 readings per POST, whole KPIs per batch.
    secret = token_create(
        user=admin, name="bench", scopes=["readings:write"], expires_at=None
    ).secret
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    per_batch = max(1, 10_000 // per_kpi)

    def batches() -> Iterator[str]:
        for first in range(0, len(kpis), per_batch):
            yield json.dumps(
                {
                    "readings": [
                        {"kpi": kpi.key, "at": day.isoformat(), "value": value(n, d)}
                        for n, kpi in enumerate(kpis[first : first + per_batch], first)
                        for d, day in enumerate(days)
                    ]
                }
            )

    bodies = list(batches())  # encoding the requests is the client's cost
    began = time.perf_counter()
    for body in bodies:
        response = client.post(
            "/api/v1/readings", body, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:300]
    api = time.perf_counter() - began
    del bodies
    assert Reading.objects.filter(superseded_at__isnull=True).count() == total
    api_rate = total / api
    label = "batch API (POST /api/v1/readings)"
    print(
        f"{label:<34} {api:>8.1f} s {api_rate:>12,.0f} /s"
        f"   {api_rate / raw_rate:.2f} × raw"
    )
    # Batches over 1,000 readings leave the statuses to the worker: time it too.
    began = time.perf_counter()
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0
    )
    worker = time.perf_counter() - began
    assert KPIStatus.objects.count() == args.kpis
    whole = total / (api + worker)
    label = "  + the worker refreshing statuses"
    print(
        f"{label:<34} {worker:>8.1f} s {whole:>12,.0f} /s"
        f"   {whole / raw_rate:.2f} × raw, statuses included"
    )
    empty()

    # The CSV import: one long file of every reading.
    path = directory / "readings.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["kpi", "at", "value"])
        for n, kpi in enumerate(kpis):
            for d, day in enumerate(days):
                writer.writerow([kpi.key, day.isoformat(), value(n, d)])
    phases: dict[str, float] = {}

    def progress(step: ImportProgress) -> None:
        phases.setdefault(step.phase, time.perf_counter())

    began = time.perf_counter()
    result = readings_import_file(path=path, by=admin, progress=progress)
    imported = time.perf_counter() - began
    assert result.created == total, result
    read = phases["refresh"] - began  # the file read, checked and written
    csv_rate = total / read
    print(
        f"{'CSV import, read and written':<34} {read:>8.1f} s {csv_rate:>12,.0f} /s"
        f"   {csv_rate / raw_rate:.2f} × raw"
    )
    whole = total / imported
    label = "  + refreshing statuses"
    print(
        f"{label:<34} {imported - read:>8.1f} s {whole:>12,.0f} /s"
        f"   {whole / raw_rate:.2f} × raw, statuses included"
    )

    empty()

    # `drumbeat apply` of the same readings in a workspace (already parsed: the
    # parse is core_bench's), through the same reading service as every way in.
    dictionary = database_workspace()
    workspace = replace(
        dictionary,
        kpis=tuple(
            replace(
                core_kpi,
                readings=tuple(
                    CoreReading(day, value(n, d)) for d, day in enumerate(days)
                ),
            )
            for n, core_kpi in enumerate(dictionary.kpis)
        ),
    )
    began = time.perf_counter()
    applied = workspace_apply(workspace, by=admin)
    first = time.perf_counter() - began
    assert applied.created["reading"] == total, applied.summary()
    apply_rate = total / first
    print(
        f"{'drumbeat apply, statuses included':<34} {first:>8.1f} s"
        f" {apply_rate:>12,.0f} /s   {apply_rate / raw_rate:.2f} × raw"
    )
    began = time.perf_counter()
    again = workspace_apply(workspace, by=admin)
    second = time.perf_counter() - began
    assert not again.changed, again.summary()
    print(f"{'  the same file again (no change)':<34} {second:>8.1f} s")

    # A pushed reading, to its status served by the API.
    kpi = kpis[0]
    pushed_day = days[-1] + dt.timedelta(days=1)
    reader = Client(
        headers={
            "Authorization": "Bearer "
            + token_create(
                user=admin, name="r", scopes=["read"], expires_at=None
            ).secret
        }
    )
    reader.get("/api/v1/cycles")  # the token's first use is recorded once
    began = time.perf_counter()
    client.post(
        "/api/v1/readings",
        json.dumps(
            {"readings": [{"kpi": kpi.key, "at": pushed_day.isoformat(), "value": 1e6}]}
        ),
        content_type="application/json",
    )
    status = reader.get(f"/api/v1/kpis/{kpi.key}/status").json()
    served = time.perf_counter() - began
    assert status["latest_value"] == 1e6, status
    print(
        f"{'pushed reading → status served':<34} {served * 1000:>8.0f} ms"
        f"   (KPI with {per_kpi:,} readings)"
    )


if __name__ == "__main__":
    main()
