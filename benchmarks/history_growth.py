"""How the cost of what a person does grows with history: the KPI page, recording
a reading and the list pages, with 1 and with 10 years of daily readings.

    .venv/bin/python benchmarks/history_growth.py [--kpis 200] [--repeat 5]

Each history length runs in its own process on a fresh SQLite database: `--kpis`
daily KPIs (the first two read by KRs in the last four quarters and the current
one, two KRs on the first), written straight into the tables, then every status
refreshed once. The same OKRs in both, so that only the history grows. Printed:
the best of `--repeat` timings of each action, the ratio 10 years / 1 year
(goal: at most 1.2), and the bytes of the KPI page's HTML and chart data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def best(action: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs of `action`, in seconds."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return min(times)


YEARS = (1, 10)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def measure(years: int, kpis: int, repeat: int) -> dict[str, float]:
    """Build the workspace with `years` of daily readings; time each action."""
    directory = Path(tempfile.mkdtemp(prefix="drumbeat-history-growth-"))
    os.environ["DRUMBEAT_DATA_DIR"] = str(directory)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drumbeat.server.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client, override_settings

    # Static files as the package holds them: no `collectstatic` run needed.
    plain = "django.contrib.staticfiles.storage.StaticFilesStorage"
    override_settings(
        STORAGES=settings.STORAGES | {"staticfiles": {"BACKEND": plain}}
    ).enable()

    from drumbeat.kpis.models import KPI, Reading
    from drumbeat.kpis.services.readings import reading_record
    from drumbeat.okrs.models import Cycle, KeyResult, Objective
    from drumbeat.scorecard.services import statuses_refresh

    call_command("migrate", verbosity=0)
    today = dt.date.today()

    def add_kpis(prefix: str, count: int, years: int, position: int) -> None:
        """`count` daily KPIs keyed `prefix-0000`... with `years` of readings."""
        days = [today - dt.timedelta(days=n) for n in range(365 * years, 0, -1)]
        made = KPI.objects.bulk_create(
            KPI(
                key=f"{prefix}-{n:04d}",
                name=f"{prefix} {n}",
                direction="up",
                cadence="daily",
                tier="key",
                perspective="customer",
                thresholds={"green": 110.0, "red": 90.0},
                position=position + n,
            )
            for n in range(count)
        )
        for offset, kpi in enumerate(KPI.objects.filter(pk__in=[k.pk for k in made])):
            Reading.objects.bulk_create(
                (
                    Reading(
                        kpi=kpi,
                        at=day.isoformat(),
                        day=day,
                        value=100.0 + (n * 7 + offset) % 13,
                        source="import",
                    )
                    for n, day in enumerate(days)
                ),
                batch_size=5000,
            )

    add_kpis("kpi", kpis, years, 0)
    # Beside a long history, two KPIs of one year with the same OKRs: the page and
    # the write timed in turns with the long ones, in one process, so that the
    # machine's other work weighs on both alike.
    prefixes = ["kpi", "side"] if years > 1 else ["kpi"]
    if years > 1:
        add_kpis("side", 2, 1, kpis)
    starts = [quarter_start(today)]
    for _ in range(4):
        starts.insert(0, quarter_start(starts[0] - dt.timedelta(days=1)))
    for first in starts:
        last = quarter_start(first + dt.timedelta(days=100)) - dt.timedelta(days=1)
        cycle = Cycle.objects.create(key=f"q-{first:%Y-%m}", start=first, end=last)
        for prefix in prefixes:
            objective = Objective.objects.create(
                key=f"{prefix}-grow-{first:%Y-%m}", title="Grow", cycle=cycle
            )
            for position, (key, kpi_key) in enumerate(
                [
                    ("a", f"{prefix}-0000"),
                    ("b", f"{prefix}-0000"),
                    ("c", f"{prefix}-0001"),
                ]
            ):
                KeyResult.objects.create(
                    objective=objective,
                    key=key,
                    kpi_key=kpi_key,
                    target=115.0,
                    position=position,
                )
    statuses_refresh()

    user = User.objects.create_superuser("bench", password="not-used-here")
    client = Client()
    client.force_login(user)
    board = Cycle.objects.order_by("-start").first()
    assert board is not None
    pages = {
        "KPI page": "/kpis/kpi-0000/",
        "dashboard": "/",
        "dictionary": "/kpis/",
        "cycle board": f"/cycles/{board.key}/",
    }
    timings: dict[str, float] = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if name == "KPI page":
            html = response.content.decode()
            timings["KPI page HTML bytes"] = len(response.content)
            chart = html.split('data-xmr-chart="', 1)[1].split('"', 1)[0]
            timings["KPI page chart bytes"] = len(chart)

        def fetch(url: str = url) -> object:
            return client.get(url)

        timings[name] = best(fetch, repeat) * 1000
    kpi = KPI.objects.get(key="kpi-0000")
    values = iter(range(1000))

    def record() -> object:
        return reading_record(kpi=kpi, at=today, value=float(next(values)), by=user)

    timings["record a reading"] = best(record, repeat) * 1000
    if years > 1:
        side = KPI.objects.get(key="side-0000")

        def record_side() -> object:
            return reading_record(
                kpi=side, at=today, value=float(next(values)), by=user
            )

        pairs = {
            "KPI page": (
                lambda: client.get("/kpis/kpi-0000/"),
                lambda: client.get("/kpis/side-0000/"),
            ),
            "record a reading": (record, record_side),
        }
        for name, (long_one, short_one) in pairs.items():
            long_ms, short_ms = best_in_turns(long_one, short_one, repeat)
            timings[f"{name}, in turns, 10 years"] = long_ms
            timings[f"{name}, in turns, 1 year"] = short_ms
    return timings


def best_in_turns(
    first: Callable[[], object], second: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """The best times of two actions in ms, each run in turn with the other."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for action, kept in ((first, times[0]), (second, times[1])):
            began = time.perf_counter()
            action()
            kept.append((time.perf_counter() - began) * 1000)
    return min(times[0]), min(times[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--years", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.years:  # one history length, in a process of its own
        print(json.dumps(measure(args.years, args.kpis, args.repeat)))
        return
    results = {}
    for years in YEARS:
        began = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--years",
                str(years),
                "--kpis",
                str(args.kpis),
                "--repeat",
                str(args.repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[years] = json.loads(out.strip().splitlines()[-1])
        took = time.perf_counter() - began
        print(f"{years} year(s): {args.kpis} KPIs of daily readings, {took:.0f} s")
    short, long = (results[years] for years in YEARS)
    print("Two databases, timed minutes apart (the machine's load weighs):")
    print(f"{'action':<24} {'1 year':>10} {'10 years':>10} {'ratio':>7}")
    for name in [name for name in short if "in turns" not in name]:
        unit = "B" if "bytes" in name else "ms"
        print(
            f"{name:<24} {short[name]:>8.1f}{unit:>2} {long[name]:>8.1f}{unit:>2} "
            f"{long[name] / short[name]:>7.2f}"
        )
    print("One database, a 1-year and a 10-year KPI timed in turns:")
    for name in ("KPI page", "record a reading"):
        one, ten = (
            long[f"{name}, in turns, 1 year"],
            long[f"{name}, in turns, 10 years"],
        )
        print(f"{name:<24} {one:>8.1f}ms {ten:>8.1f}ms {ten / one:>7.2f}")


if __name__ == "__main__":
    main()
