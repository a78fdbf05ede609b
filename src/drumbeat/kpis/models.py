"""The KPI dictionary: versioned definitions, readings with provenance, and the
computed status that pages read (so that a page's cost never grows with history)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from drumbeat.common.editing import Archivable, Edited
from drumbeat.core import model as core
from drumbeat.core.display import measure_decimals


def _choices(enum: Any) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("_", " ")) for member in enum]


class KPI(Edited, Archivable):
    """A dictionary entry. Every change to it is kept with who and when."""

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=50, blank=True)
    direction = models.CharField(max_length=10, choices=_choices(core.Direction))
    cadence = models.CharField(
        max_length=10, choices=_choices(core.Cadence), blank=True
    )
    review_cadence = models.CharField(
        max_length=10,
        choices=_choices(core.Cadence),
        blank=True,
        help_text="How often it comes up at the KPI review; by default, its cadence.",
    )
    owner_name = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_kpis",
        help_text="The person who may edit the definition and record readings.",
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL
    )
    team_name = models.CharField(max_length=200, blank=True)
    perspective = models.CharField(
        max_length=10, choices=_choices(core.Perspective), blank=True
    )
    tier = models.CharField(max_length=10, choices=_choices(core.Tier))
    indicator = models.CharField(
        max_length=10, choices=_choices(core.Indicator), blank=True
    )
    north_star = models.BooleanField(default=False)
    financial = models.BooleanField(default=False)
    thresholds = models.JSONField(default=dict, blank=True)
    benchmarks = models.JSONField(default=dict, blank=True)
    drives = models.JSONField(default=list, blank=True)
    ceo_attention = models.BooleanField(default=False)
    corrective_action = models.TextField(blank=True)
    critical_success_factors = models.JSONField(
        default=list,
        blank=True,
        help_text="Keys of the critical success factors this KPI moves.",
    )
    dark_side = models.TextField(blank=True)
    guardrail = models.CharField(
        max_length=100, blank=True, help_text="The key of the KPI that watches it."
    )
    source = models.JSONField(default=dict, blank=True)
    spc_baseline_start = models.DateField(null=True, blank=True)
    spc_baseline_end = models.DateField(null=True, blank=True)
    spc_periods = models.JSONField(
        default=list,
        blank=True,
        help_text="Dividers as the workspace file writes them: "
        '[{"from": DATE, "baseline": {"start": DATE, "end": DATE}}]',
    )
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords(excluded_fields=["position", "updated_at"])

    class Meta:
        ordering = ["position", "key"]
        verbose_name = "KPI"

    def __str__(self) -> str:
        return self.name

    @property
    def source_failing(self) -> SourceState | None:
        """The state of its source's pulls while they fail, for the pages' "source
        failing since ..." (no query when the state was selected with the KPI)."""
        if self.source.get("type") != "sql":
            return None
        try:
            state = self.source_state
        except SourceState.DoesNotExist:
            return None
        return state if state.failing_since else None


class CriticalSuccessFactor(models.Model):
    """What the organisation must do well to succeed, defined once; KPIs name the
    ones they move (Parmenter's sixth characteristic)."""

    key = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.name


class DeclinedDivider(models.Model):
    """A proposed divider someone declined: the same run is not proposed again.

    A run is known by the day of its first reading (`run_start`)."""

    kpi = models.ForeignKey(
        KPI, on_delete=models.CASCADE, related_name="declined_dividers"
    )
    run_start = models.DateField()
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    declined_at = models.DateTimeField(auto_now_add=True)
    why = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "run_start"], name="one_decline_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi.key} divider at {self.run_start} declined"


class ReadingQuerySet(models.QuerySet["Reading"]):
    def current(self) -> ReadingQuerySet:
        """The readings no correction superseded: one per KPI and moment."""
        return self.filter(superseded_at__isnull=True)

    def known_at(self, moment: datetime) -> ReadingQuerySet:
        """The readings as they stood at `moment`: recorded by then and not yet
        superseded (a closed cycle's report reads them, whatever came after)."""
        return self.filter(recorded_at__lte=moment).filter(
            models.Q(superseded_at__isnull=True) | models.Q(superseded_at__gt=moment)
        )


class Reading(models.Model):
    """One value of a KPI at a date or a time. A correction supersedes the earlier
    value, which stays, so a score can be shown as it stood at the time."""

    objects = ReadingQuerySet.as_manager()

    class Source(models.TextChoices):
        MANUAL = "manual"
        APPLY = "apply"
        IMPORT = "import"
        API = "api"
        PULL = "pull"

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="readings")
    at = models.CharField(max_length=40, help_text="ISO date or timestamp, as given")
    day = models.DateField(help_text="The day the rules compare (UTC for timestamps)")
    value = models.FloatField()
    note = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_detail = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kpi", "day", "at"]
        indexes = [models.Index(fields=["kpi", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "at"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_reading_per_moment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi.key} {self.at} = {self.value}"


class KPIStatus(models.Model):
    """A KPI's computed state, kept up to date on every change, read by pages."""

    kpi = models.OneToOneField(KPI, on_delete=models.CASCADE, related_name="status")
    as_of = models.DateField()
    latest_value = models.FloatField(null=True)
    latest_day = models.DateField(null=True)
    health = models.CharField(max_length=10)
    threshold_health = models.CharField(max_length=10)
    stale = models.BooleanField(default=False)
    lifecycle = models.CharField(max_length=12)
    signals = models.JSONField(default=list)
    sparkline = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.kpi.key}: {self.health}"

    @property
    def decimals(self) -> int:
        """The decimals the KPI's readings are written with (its recent ones, as
        the last refresh stored them), which its targets and thresholds show."""
        values = list(self.sparkline.get("values") or [])
        if self.latest_value is not None:
            values.append(self.latest_value)
        return measure_decimals(values)


class SourceState(models.Model):
    """Where the pulls of a KPI's data source stand (`drumbeat worker`, `drumbeat
    pull`): when it last ran and last worked, and since when and why it fails.

    Never holds a connection URL or a password: those stay in the environment or
    the secrets file, read when a pull runs.
    """

    kpi = models.OneToOneField(
        KPI, on_delete=models.CASCADE, related_name="source_state"
    )
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="The first failure of the current run of them"
    )
    last_error = models.TextField(blank=True, help_text="Passwords masked")
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_summary = models.CharField(
        max_length=200, blank=True, help_text="What the last good pull recorded"
    )
    next_due_at = models.DateTimeField(null=True, blank=True)
    last_run_id = models.CharField(max_length=64, blank=True)
    query_version = models.CharField(
        max_length=16, blank=True, help_text="A short hash of the query last run"
    )
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a pull was queued and not yet done"
    )
    queued_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "source state"

    def __str__(self) -> str:
        return f"{self.kpi.key}: {'failing' if self.failing_since else 'ok'}"
