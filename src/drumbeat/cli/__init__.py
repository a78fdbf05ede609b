"""The `drumbeat` command: the commands on workspace files (`files`), on the
database (`database`) and the web server (`serve`), printed by `output`, sharing
`options`.

Exit codes are part of the contract: 0 success, 1 when `lint` finds an error, 2 on
unusable input (with a one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import click

from drumbeat.cli import database, files, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drumbeat")
def main() -> None:
    """Drumbeat: KPIs and OKRs as one system.

    Work on workspace files (KPIs, readings, cycles and OKRs as YAML).
    """


for command in (
    files.lint,
    files.score,
    files.suggest_command,
    files.review,
    files.close,
    files.attribution_command,
    files.assess_command,
    database.apply,
    database.export,
    database.pull,
    database.worker,
    database.import_group,
    database.backup,
    database.restore,
    database.manage,
    serve.serve,
):
    main.add_command(command)
