"""Who may change what. Everyone signed in may read everything."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from drumbeat.accounts.models import Membership, Team
from drumbeat.kpis.models import KPI

AnyUser = AbstractBaseUser | AnonymousUser


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_staff", False))


def can_record_readings(user: AnyUser, kpi: KPI) -> bool:
    """A KPI's owner records and corrects its readings; so do admins."""
    return is_admin(user) or (user.is_authenticated and kpi.owner_id == user.pk)


def can_edit_definition(user: AnyUser, kpi: KPI) -> bool:
    """A KPI's owner edits its definition, thresholds and source; so do admins."""
    return can_record_readings(user, kpi)


def can_edit_team_okrs(user: AnyUser, team: Team | None) -> bool:
    """A team's editors write its objectives and KRs and check in; so do admins."""
    if is_admin(user):
        return True
    if team is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user_id=user.pk, team=team, role=Membership.Role.EDITOR
    ).exists()
