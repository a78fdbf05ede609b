"""Backup benchmark: `drumbeat backup` and `drumbeat restore --replace` of a large
database, in rows per second, with the file's size.

    .venv/bin/python benchmarks/backup_bench.py [--size 1] [--readings 1000000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/drumbeat_bench \\
        .venv/bin/python benchmarks/backup_bench.py

The database is the core benchmark's workspace (`core_bench.py`: at --size 1, 2,000
KPIs with 312,000 weekly readings, 1,000 objectives, check-ins and their history)
applied with `drumbeat apply`, topped up with daily readings before its first week
to --readings in all. The backup is gzip-compressed, as a nightly one would be; the
restore replaces the database's content with it, and the row counts are checked to
be the same after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from core_bench import Size, generate_workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1.0)
    parser.add_argument("--readings", type=int, default=1_000_000)
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="drumbeat-backup-bench-"))
    os.environ["DRUMBEAT_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drumbeat.server.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from drumbeat.backups.selectors import backup_models
    from drumbeat.backups.services import database_backup, database_restore
    from drumbeat.kpis.bulk import ReadingRow, readings_insert
    from drumbeat.kpis.models import KPI, Reading
    from drumbeat.scorecard.sync import workspace_apply
    from drumbeat.workspace import load_workspace

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":  # a database kept between runs
        call_command("flush", interactive=False, verbosity=0)
    workspace = directory / "okrs.yaml"
    generate_workspace(Size.of(args.size), workspace)
    began = time.perf_counter()
    workspace_apply(load_workspace(workspace))
    print(f"applied {workspace.name} in {time.perf_counter() - began:.1f} s")
    kpi_ids = list(KPI.objects.order_by("pk").values_list("pk", flat=True))
    missing = max(0, args.readings - Reading.objects.count())
    per_kpi = -(-missing // len(kpi_ids))
    first = Reading.objects.order_by("day").values_list("day", flat=True).first()
    assert first is not None
    days = [first - dt.timedelta(days=n) for n in range(1, per_kpi + 1)]
    rows = [
        ReadingRow(kpi_id, day.isoformat(), day, float(n % 97))
        for kpi_id in kpi_ids
        for n, day in enumerate(days)
    ][:missing]
    with transaction.atomic():
        readings_insert(
            rows,
            source="api",
            source_detail="bench",
            recorded_by_id=None,
            recorded_at=timezone.now(),
        )
    del rows

    def counts() -> dict[str, int]:
        return {m._meta.label_lower: m._base_manager.count() for m in backup_models()}

    before = counts()
    total = sum(before.values())
    print(
        f"{total:,} rows ({before['kpis.reading']:,} readings) in "
        f"{len(before)} tables, {connection.vendor}, {directory}"
    )
    backup = directory / "backup.jsonl.gz"
    for name, action in (
        ("backup", lambda: database_backup(path=backup)),
        ("restore --replace", lambda: database_restore(path=backup, replace=True)),
    ):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{name:<18} {wall:>7.1f} s {total / wall:>10,.0f} rows/s   "
            f"({cpu:.1f} s of CPU in this process)"
        )
    print(f"file: {backup.stat().st_size / 1_000_000:.1f} MB")
    assert counts() == before, "the restore should hold every row of the backup"


if __name__ == "__main__":
    main()
