"""A flood of sign-ins against a real server: do lockouts hold, and how much memory
does the server take?

Starts `drumbeat manage runserver` (threaded) on a free port of 127.0.0.1 with a
fresh SQLite database in a temporary directory, then:

1. **serial**: `--serial` (100) wrong passwords for one account, then the right one:
   how many were refused as locked out (429), and whether the right one signed in;
2. **concurrent**: `--concurrent` (40) wrong sign-ins at once, each for its own
   account (the address limit raised so that none is refused unhashed, which is
   the worst case for memory): the server's peak resident memory (VmHWM) before and
   after.

Linux only (reads /proc). Sends requests to 127.0.0.1 only, bounded in count.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "a flood of wrong guesses"  # the benchmark's own accounts'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def peak_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+) kB", status)
    assert found, "no VmHWM in /proc/<pid>/status"
    return int(found.group(1)) / 1024


def sign_in(base: str, username: str, password: str) -> int:
    session = requests.Session()
    page = session.get(f"{base}/sign-in/", timeout=60).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    response = session.post(
        f"{base}/sign-in/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": f"{base}/sign-in/"},
        allow_redirects=False,
        timeout=120,
    )
    return response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serial", type=int, default=100)
    parser.add_argument("--concurrent", type=int, default=40)
    args = parser.parse_args()
    drumbeat = str(ROOT / ".venv" / "bin" / "drumbeat")
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "DRUMBEAT_DATA_DIR": data,
            "DRUMBEAT_SECURE_COOKIES": "false",
            "DRUMBEAT_LOCKOUT_ADDRESS_FAILURES": str(10 * args.concurrent),
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        }
        env.pop("DATABASE_URL", None)

        def manage(*arguments: str) -> None:
            subprocess.run(
                [drumbeat, "manage", *arguments],
                env=env,
                check=True,
                capture_output=True,
            )

        manage("migrate", "--no-input")
        for number in range(args.concurrent + 1):
            manage(
                "createsuperuser",
                "--no-input",
                f"--username=person{number}",
                "--email=",
            )
        port = free_port()
        server = subprocess.Popen(
            [drumbeat, "manage", "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    requests.get(f"{base}/sign-in/", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.2)
            started = peak_mib(server.pid)
            clock = time.perf_counter()
            codes = [sign_in(base, "person0", "wrong") for _ in range(args.serial)]
            right = sign_in(base, "person0", PASSWORD)
            print(
                f"serial: {args.serial} wrong passwords in "
                f"{time.perf_counter() - clock:.1f} s: {codes.count(200)} refused as "
                f"wrong, {codes.count(429)} as locked out; then the right one: "
                f"{'signed in' if right == 302 else f'refused ({right})'}"
            )
            before = peak_mib(server.pid)
            clock = time.perf_counter()
            with ThreadPoolExecutor(args.concurrent) as pool:
                answers = list(
                    pool.map(
                        lambda n: sign_in(base, f"person{n + 1}", "wrong"),
                        range(args.concurrent),
                    )
                )
            print(
                f"concurrent: {args.concurrent} wrong sign-ins at once in "
                f"{time.perf_counter() - clock:.1f} s ({answers.count(200)} refused "
                f"as wrong); the server's peak memory: {started:.0f} MiB at start, "
                f"{before:.0f} MiB before, {peak_mib(server.pid):.0f} MiB after"
            )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
