"""Teams and memberships. Admins are Django staff users.

Teams and memberships keep their history (who changed them, when); changes to
people are logged in Django's admin log (see `accounts.services`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from drumbeat.common.editing import Archivable


class Team(Archivable):
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


class ApiToken(models.Model):
    """A personal API token for scripts. Only a SHA-256 digest of it is kept (the
    token is 256 random bits, so a fast digest is enough); the token itself is
    shown once, when it is made."""

    class Scope(models.TextChoices):
        READ = "read", "read: everything a person may read"
        READINGS_WRITE = "readings:write", "readings:write: push readings"
        ADMIN = "admin", "admin: every change the person may make"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="Shown to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
