"""`drumbeat serve`: gunicorn running the web application, configured from the
environment, answering the pages and their static files (docs/deploy.md)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner
from django.core.management import call_command
from django.test import override_settings

from drumbeat.cli import main
from drumbeat.server import settings as production
from tests.conftest import environment_without_drumbeat

DRUMBEAT = [sys.executable, "-m", "drumbeat"]
START_SECONDS = 90
"""The most a start may take (a second or two on an idle machine)."""


def test_the_help_names_each_option_with_its_variable_and_default():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for text in (
        "--bind",
        "DRUMBEAT_BIND",
        "127.0.0.1:8000",
        "--workers",
        "DRUMBEAT_WEB_WORKERS",
        "--threads",
        "DRUMBEAT_WEB_THREADS",
        "--timeout",
        "DRUMBEAT_WEB_TIMEOUT",
        "drumbeat manage collectstatic --no-input",
    ):
        assert text in result.output


def test_the_environment_configures_gunicorn(monkeypatch: pytest.MonkeyPatch):
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append(argv))
    result = CliRunner().invoke(
        main,
        ["serve", "--threads", "8"],
        env={
            "DRUMBEAT_BIND": "0.0.0.0:9000",
            "DRUMBEAT_WEB_WORKERS": "3",
            "DRUMBEAT_WEB_TIMEOUT": "45",
        },
    )
    assert result.exit_code == 0, result.output
    [argv] = started
    assert argv[:4] == [
        sys.executable,
        "-m",
        "gunicorn",
        "drumbeat.server.wsgi:application",
    ]
    assert argv[4:] == [
        "--bind=0.0.0.0:9000",
        "--workers=3",
        "--threads=8",
        "--timeout=45",
        "--access-logfile=-",
        "--error-logfile=-",
        "--no-control-socket",
    ]


def test_a_worker_count_below_one_is_refused_naming_its_variable():
    result = CliRunner().invoke(main, ["serve"], env={"DRUMBEAT_WEB_WORKERS": "0"})
    assert result.exit_code == 2
    assert (
        "Invalid value for '--workers' (env var: 'DRUMBEAT_WEB_WORKERS'): "
        "0 is not in the range x>=1." in result.output
    )


def test_an_address_without_a_port_number_is_refused():
    result = CliRunner().invoke(main, ["serve", "--bind", "localhost:http"])
    assert result.exit_code == 2
    assert "'localhost:http' is not HOST:PORT or unix:PATH" in result.output


def test_it_will_not_start_before_the_static_files_are_collected(tmp_path: Path):
    """Without them every page would fail on its first stylesheet."""
    result = subprocess.run(
        [*DRUMBEAT, "serve"],
        env=_environment(tmp_path, port=_free_port()),
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"drumbeat: the static files are not collected into {tmp_path / 'static'}: "
        "run `drumbeat manage collectstatic --no-input` first\n"
    )


# --- A real start --------------------------------------------------------------


class Server(NamedTuple):
    url: str
    log: Path
    process: subprocess.Popen[bytes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(data_dir: Path, *, port: int) -> dict[str, str]:
    """Drumbeat's production defaults, on a data directory of its own."""
    return environment_without_drumbeat(
        DRUMBEAT_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'drumbeat.sqlite3'}",
        DRUMBEAT_BIND=f"127.0.0.1:{port}",
        DRUMBEAT_WEB_WORKERS="1",
        DRUMBEAT_WEB_THREADS="2",
    )


def _get(url: str) -> Any:
    return urllib.request.urlopen(url, timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`drumbeat serve` on a free port of 127.0.0.1, once `collectstatic` (with
    the production storage) has run into its data directory; stopped after."""
    data_dir = tmp_path_factory.mktemp("serve")
    # Collected with hashed names and their manifest, as production's storage does,
    # but not compressed: gzip and Brotli of every file were most of the module's
    # time (21 s of CPU), and the server serves the files whole without them.
    manifest_only = production.STORAGES | {
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        }
    }
    with override_settings(STATIC_ROOT=data_dir / "static", STORAGES=manifest_only):
        call_command("collectstatic", interactive=False, verbosity=0)
    port = _free_port()
    log = data_dir / "stdout.log"
    with log.open("wb") as stdout:
        process = subprocess.Popen(
            [*DRUMBEAT, "serve"],
            env=_environment(data_dir, port=port),
            stdout=stdout,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                _get(f"{url}/sign-in/")
                break
            except OSError:  # not listening yet, or its worker still booting
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"drumbeat serve did not start:\n{log.read_text()}")
                time.sleep(0.1)
        yield Server(url, log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_gunicorn_answers_the_sign_in_page_with_its_headers(server: Server):
    with _get(f"{server.url}/sign-in/") as response:
        page = response.read().decode()
        headers = response.headers
    assert response.status == 200
    assert headers["Server"] == "gunicorn"
    assert '<input type="password" name="password"' in page
    assert "no-store" in headers["Cache-Control"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_its_static_files_have_hashed_names_cached_for_ten_years(server: Server):
    with _get(f"{server.url}/sign-in/") as response:
        page = response.read().decode()
    [stylesheet] = [
        line.split('href="')[1].split('"')[0]
        for line in page.splitlines()
        if "drumbeat/drumbeat." in line
    ]
    assert stylesheet != "/static/drumbeat/drumbeat.css"  # a hash in its name
    with _get(f"{server.url}{stylesheet}") as response:
        assert response.status == 200
        assert (
            response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
        )
        assert response.read().startswith(b"/* Drumbeat")


def test_each_request_is_logged_on_standard_output(server: Server):
    _get(f"{server.url}/sign-in/?logged=yes").close()
    deadline = time.monotonic() + 5
    while '"GET /sign-in/?logged=yes HTTP/1.1" 200' not in server.log.read_text():
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.05)
