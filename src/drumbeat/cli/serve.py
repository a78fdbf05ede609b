"""`drumbeat serve`: the web application in production, under gunicorn.

Each option has its environment variable, so that a supervisor's environment file
configures the web processes as it does the rest of Drumbeat. The settings are
loaded and the static files looked for first, so that a bad value or a missing
`collectstatic` stops start-up with one line, not a traceback in every worker;
then gunicorn takes over the process (the same process id, so a supervisor's
signals reach it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from drumbeat.cli.database import _django
from drumbeat.cli.options import Unusable

APPLICATION = "drumbeat.server.wsgi:application"
FC = TypeVar("FC", bound=Callable[..., Any])


def _address(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """HOST:PORT or unix:PATH, as gunicorn reads it."""
    from gunicorn.util import parse_address

    try:
        parse_address(value)
    except RuntimeError as error:
        raise click.BadParameter(
            f"{value!r} is not HOST:PORT or unix:PATH ({error})"
        ) from None
    return value


def _positive(
    option: str, variable: str, default: int, help: str
) -> Callable[[FC], FC]:
    """An option of a whole number, 1 or more, also read from `variable`."""
    return click.option(
        option,
        envvar=variable,
        type=click.IntRange(min=1),
        default=default,
        show_default=True,
        show_envvar=True,
        help=help,
    )


def gunicorn_arguments(
    *, bind: str, workers: int, threads: int, timeout: int
) -> list[str]:
    """gunicorn's command line for the web application: access log on standard
    output, errors on standard error, and no control socket (its default path is
    per user, so a second server on the machine would take the first one's)."""
    return [
        APPLICATION,
        f"--bind={bind}",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--timeout={timeout}",
        "--access-logfile=-",
        "--error-logfile=-",
        "--no-control-socket",
    ]


@click.command()
@click.option(
    "--bind",
    envvar="DRUMBEAT_BIND",
    default="127.0.0.1:8000",
    show_default=True,
    show_envvar=True,
    callback=_address,
    metavar="HOST:PORT",
    help="Where to listen: HOST:PORT, or unix:PATH for a socket.",
)
@_positive(
    "--workers", "DRUMBEAT_WEB_WORKERS", 2, "Worker processes (about two per CPU core)."
)
@_positive(
    "--threads",
    "DRUMBEAT_WEB_THREADS",
    4,
    "Threads per worker process: requests each answers at once.",
)
@_positive(
    "--timeout",
    "DRUMBEAT_WEB_TIMEOUT",
    30,
    "Seconds a worker may stay silent before it is restarted.",
)
def serve(**options: Any) -> None:
    """Run the web application for production (gunicorn, static files included).

    Run `drumbeat manage collectstatic --no-input` first, after each upgrade.
    Put it behind a proxy that ends HTTPS; run `drumbeat worker` beside it.
    Any other gunicorn setting: GUNICORN_CMD_ARGS="--keep-alive 5".
    """
    _django()
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    static = storages["staticfiles"]
    if (
        not settings.DEBUG
        and isinstance(static, ManifestFilesMixin)
        and not static.manifest_storage.exists(static.manifest_name)
    ):
        raise Unusable(
            f"the static files are not collected into {settings.STATIC_ROOT}: run "
            "`drumbeat manage collectstatic --no-input` first"
        )
    sys.stdout.flush()
    os.execv(
        sys.executable,
        [sys.executable, "-m", "gunicorn", *gunicorn_arguments(**options)],
    )
