"""`drumbeat manage demo_users`: one demo user per role, passwords printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from drumbeat.accounts.services import demo_users_create


class Command(BaseCommand):
    help = "Create (or reset) one demo user per role and print their passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--editor-team", default="customer-success")
        parser.add_argument("--owner", default="Grace Liu")

    def handle(self, *args: Any, **options: Any) -> None:
        users = demo_users_create(
            editor_team=options["editor_team"], owner_name=options["owner"]
        )
        self.stdout.write("Demo users (new passwords on every start):")
        for user in users:
            self.stdout.write(f"  {user.username:<8} {user.password:<14} {user.role}")
