"""Teams and memberships. Admins are Django staff users.

Teams and memberships keep their history (who changed them, when); changes to
people are logged in Django's admin log (see `accounts.services`)."""

from __future__ import annotations

import datetime as dt

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
    check_in_weekday = models.PositiveSmallIntegerField(
        default=0, help_text="The team's check-in day: 0 Monday ... 6 Sunday"
    )
    check_in_time = models.TimeField(default=dt.time(9, 0))
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="IANA name; blank: the server's"
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


class Profile(models.Model):
    """What a person sets about themselves: the time zone their reminders follow
    and which messages they want by e-mail (each kind on or off)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="IANA name; blank: the team's, else the server's",
    )
    email_check_in_reminders = models.BooleanField(default=True)
    email_reading_reminders = models.BooleanField(default=True)
    email_digest = models.BooleanField(default=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user}'s profile"


class Invitation(models.Model):
    """An invitation by e-mail to join with a role in a team: its link sets the
    person's password and expires; only a digest of its token is kept."""

    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    role = models.CharField(max_length=10, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    digest = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation of {self.email}"
