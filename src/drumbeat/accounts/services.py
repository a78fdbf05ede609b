"""Writes about people and their roles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from drumbeat.accounts.models import Membership, Team
from drumbeat.kpis.models import KPI


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str


@transaction.atomic
def demo_users_create(*, editor_team: str, owner_name: str) -> list[DemoUser]:
    """One user per role, each with a fresh random password (printed by the
    caller): safe to run again, the passwords change each time."""
    team = Team.objects.get(key=editor_team)
    made = []
    for username, role in (
        ("admin", "admin: manages people, teams, cycles and the KPI dictionary"),
        ("editor", f"editor of team {team.key}: writes its OKRs and checks in"),
        ("owner", f"owner of {owner_name}'s KPIs: edits them, records readings"),
        ("viewer", "viewer: reads everything"),
    ):
        user, _ = User.objects.get_or_create(username=username)
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.is_staff = user.is_superuser = username == "admin"
        user.save()
        made.append(DemoUser(username, password, role))
    Membership.objects.update_or_create(
        user=User.objects.get(username="editor"),
        team=team,
        defaults={"role": Membership.Role.EDITOR},
    )
    Membership.objects.update_or_create(
        user=User.objects.get(username="viewer"),
        team=team,
        defaults={"role": Membership.Role.VIEWER},
    )
    KPI.objects.filter(owner_name=owner_name).update(
        owner=User.objects.get(username="owner")
    )
    return made
