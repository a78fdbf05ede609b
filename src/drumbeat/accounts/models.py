"""Teams and memberships. Admins are Django staff users.

Teams and memberships keep their history (who changed them, when); changes to
people are logged in Django's admin log (see `accounts.services`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class Team(models.Model):
    """A team of the organisation; `parent` makes the tree (company at the top)."""

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]  # as the organisation lists them

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in a team: editors write the team's OKRs, viewers read."""

    class Role(models.TextChoices):
        EDITOR = "editor"
        VIEWER = "viewer"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_role_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} of {self.team}"


class Organisation(models.Model):
    """The organisation's name, shown in the header (one row)."""

    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name
