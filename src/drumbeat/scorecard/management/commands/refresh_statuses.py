"""`drumbeat manage refresh_statuses`: recompute every KPI status and KR score.

Statuses depend on the date (staleness, lifecycle, the cycles running): run this
once a day (cron, a systemd timer) so that pages read today's state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from drumbeat.scorecard.services import statuses_refresh


class Command(BaseCommand):
    help = "Recompute every KPI status and KR score as of today (or --as-of)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        statuses_refresh(as_of=options["as_of"])
        self.stdout.write("Statuses and scores refreshed.")
