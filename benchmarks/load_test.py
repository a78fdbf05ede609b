"""Load test: many clients at once against the production server (gunicorn, as
`drumbeat serve` runs it) on 127.0.0.1, reading pages and pushing readings.

    .venv/bin/python benchmarks/load_test.py                       # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/drumbeat_load \\
        .venv/bin/python benchmarks/load_test.py                   # PostgreSQL
    .venv/bin/python benchmarks/load_test.py --clients 8 --seconds 10   # quick

Each client signs in once (a session made for it), then, until the time is up,
opens the dashboard, opens a KPI's page, or posts a batch of readings of random
KPIs and days of the sample (so that clients write the same moments: corrections,
on the same KPIs at once). It prints requests per second and the 50th, 95th and
99th percentile of each kind, then checks two things and exits 1 if either
fails: no answer was a server error (5xx), and every reading a 200 acknowledged
is in the database (current, or kept as a correction).

Bounded: at most --seconds of load, on 127.0.0.1 only, against a database made
for the run (SQLite in a temporary directory; PostgreSQL flushed first).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "okrs.yaml"
BATCH = 50


@dataclass
class Results:
    """What the clients saw, gathered under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    acknowledged: list[tuple[str, str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[(kind, status)] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        parser.error("at most 200 clients and 600 seconds")

    directory = Path(tempfile.mkdtemp(prefix="drumbeat-load-"))
    environment = {
        **os.environ,
        "DRUMBEAT_DATA_DIR": str(directory),
        "DRUMBEAT_SECRET_KEY": "load-test-" + os.urandom(8).hex(),
        "DRUMBEAT_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "drumbeat.server.settings",
    }
    os.environ.update(environment)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from drumbeat.accounts.services import token_create
    from drumbeat.kpis.models import KPI, Reading
    from drumbeat.scorecard.sync import workspace_apply
    from drumbeat.workspace import load_workspace

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    workspace_apply(load_workspace(SAMPLE))
    admin = User.objects.create_user("load", is_staff=True, is_superuser=True)
    secret = token_create(
        user=admin, name="load", scopes=["admin"], expires_at=None
    ).secret
    cookies = []
    for _ in range(args.clients):
        session = SessionStore()
        session["_auth_user_id"] = str(admin.pk)
        session["_auth_user_backend"] = "drumbeat.accounts.signin.PasswordBackend"
        session["_auth_user_hash"] = admin.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    kpis = list(KPI.objects.values_list("key", flat=True))
    connection.close()

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "drumbeat.server.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.web_workers),
            "--threads",
            str(args.threads),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=environment,
        cwd=ROOT,
    )
    try:
        _wait_until_up(port)
        print(
            f"{args.clients} clients for {args.seconds:g} s against gunicorn "
            f"({args.web_workers} workers × {args.threads} threads) on "
            f"{connection.vendor}, 127.0.0.1:{port}"
        )
        results = Results()
        stop_at = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=_client,
                args=(n, port, cookies[n], secret, kpis, stop_at, results),
            )
            for n in range(args.clients)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=30)

    _report(results, elapsed)
    lost = _lost(results, Reading)
    server_errors = sum(
        n for (_, status), n in results.statuses.items() if status >= 500
    )
    print(f"server errors (5xx): {server_errors}")
    print(f"acknowledged readings missing from the database: {lost}")
    for error in results.errors[:5]:
        print(f"  client error: {error}")
    if server_errors or lost or results.errors:
        sys.exit(1)


def _client(
    number: int,
    port: int,
    cookie: str,
    secret: str,
    kpis: list[str],
    stop_at: float,
    results: Results,
) -> None:
    rng = random.Random(number)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.monotonic() < stop_at:
        roll = rng.random()
        try:
            if roll < 0.4:
                _get(connection, "dashboard", "/", cookie, results)
            elif roll < 0.7:
                _get(
                    connection,
                    "kpi page",
                    f"/kpis/{rng.choice(kpis)}/",
                    cookie,
                    results,
                )
            else:
                _post_batch(connection, rng, kpis, secret, results)
        except (OSError, http.client.HTTPException) as error:
            with results.lock:
                results.errors.append(f"client {number}: {error!r}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.close()


def _get(
    connection: http.client.HTTPConnection,
    kind: str,
    path: str,
    cookie: str,
    results: Results,
) -> None:
    began = time.perf_counter()
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    results.add(kind, response.status, time.perf_counter() - began)


def _post_batch(
    connection: http.client.HTTPConnection,
    rng: random.Random,
    kpis: list[str],
    secret: str,
    results: Results,
) -> None:
    # Distinct moments within a batch (two values of one are refused), shared
    # across clients: days of 2025 on few KPIs, so that writes meet.
    moments = {
        (
            rng.choice(kpis[:8]),
            f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        )
        for _ in range(BATCH)
    }
    chosen = [(kpi, at, round(rng.uniform(0, 100), 3)) for kpi, at in sorted(moments)]
    readings = [{"kpi": kpi, "at": at, "value": value} for kpi, at, value in chosen]
    body = json.dumps({"readings": readings})
    began = time.perf_counter()
    connection.request(
        "POST",
        "/api/v1/readings",
        body=body,
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
        },
    )
    response = connection.getresponse()
    response.read()
    results.add("readings batch", response.status, time.perf_counter() - began)
    if response.status == 200:
        with results.lock:
            results.acknowledged.extend(chosen)


def _report(results: Results, elapsed: float) -> None:
    total = sum(len(seconds) for seconds in results.latencies.values())
    print(
        f"{'requests':<16} {total:>7,}  {total / elapsed:>7.1f} /s over {elapsed:.1f} s"
    )
    print(
        f"{'':<16} {'count':>7}  {'/s':>7}  {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
    )
    for kind, seconds in sorted(results.latencies.items()):
        quantiles = (
            statistics.quantiles(seconds, n=100) if len(seconds) > 1 else seconds * 99
        )
        print(
            f"{kind:<16} {len(seconds):>7,}  {len(seconds) / elapsed:>7.1f}  "
            f"{quantiles[49] * 1000:>8.0f} {quantiles[94] * 1000:>8.0f} "
            f"{quantiles[98] * 1000:>8.0f}"
        )
    answers = ", ".join(
        f"{kind} {status}: {n}"
        for (kind, status), n in sorted(results.statuses.items())
    )
    print(f"answers: {answers}")


def _lost(results: Results, reading_model: type) -> int:
    """Acknowledged readings not in the database (current or superseded)."""
    stored = set(
        reading_model.objects.values_list("kpi__key", "at", "value")  # type: ignore[attr-defined]
    )
    return sum(1 for reading in results.acknowledged if reading not in stored)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start within a minute")


if __name__ == "__main__":
    main()
