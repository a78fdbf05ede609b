"""`drumbeat manage demo_users`: one demo user per role, passwords printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from drumbeat.accounts.services import demo_users_create
from drumbeat.kpis.services.definitions import kpis_owner_assign


class Command(BaseCommand):
    help = "Create (or reset) one demo user per role and print their passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--editor-team", default="customer-success")
        parser.add_argument("--owner", default="Grace Liu")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            users = demo_users_create(
                editor_team=options["editor_team"], owner_name=options["owner"]
            )
            kpis_owner_assign(owner_name=options["owner"], username="owner")
        self.stdout.write("Demo users (new passwords on every start):")
        for user in users:
            self.stdout.write(f"  {user.username:<8} {user.password:<14} {user.role}")
