"""Cycles, objectives, key results and check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from drumbeat.common.editing import Edited
from drumbeat.core import model as core


class Cycle(Edited):
    """A named OKR period: planning before its start, closed after its end."""

    key = models.CharField(max_length=50, unique=True)
    start = models.DateField()
    end = models.DateField()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["start", "key"]

    def __str__(self) -> str:
        return self.key


class Objective(Edited):
    """A qualitative statement of the change wanted, with 2-5 key results."""

    key = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=300)
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="objectives"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL
    )
    team_name = models.CharField(max_length=200, blank=True)
    owner_name = models.CharField(max_length=200, blank=True)
    commitment = models.CharField(
        max_length=12,
        choices=[(c.value, c.value) for c in core.Commitment],
        default=core.Commitment.ASPIRATIONAL.value,
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    position = models.PositiveIntegerField(default=0)
    score = models.FloatField(
        null=True, help_text="Computed: weighted mean of KR scores"
    )
    history = HistoricalRecords(excluded_fields=["position", "score", "updated_at"])

    class Meta:
        ordering = ["cycle__start", "position", "key"]

    def __str__(self) -> str:
        return self.title


class KeyResult(Edited):
    """A measurable result read from a dictionary KPI (by key: a KR may name a KPI
    that is not in the dictionary yet, which lint reports)."""

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="key_results"
    )
    key = models.CharField(max_length=100)
    title = models.CharField(max_length=300, blank=True)
    kpi_key = models.CharField(max_length=100, db_index=True)
    kind = models.CharField(
        max_length=10,
        choices=[(k.value, k.value) for k in core.KeyResultKind],
        default=core.KeyResultKind.CHANGE.value,
    )
    baseline = models.FloatField(null=True, blank=True)
    target = models.JSONField(help_text="A number, or [low, high] for a band")
    deadline = models.DateField(null=True, blank=True)
    owner_name = models.CharField(max_length=200, blank=True)
    weight = models.FloatField(default=1.0)
    position = models.PositiveIntegerField(default=0)
    # Computed from the KPI's readings whenever they or the KR change.
    computed_baseline = models.FloatField(null=True)
    current = models.FloatField(null=True)
    progress = models.FloatField(null=True)
    score = models.FloatField(null=True)
    history = HistoricalRecords(
        excluded_fields=[
            "position",
            "computed_baseline",
            "current",
            "progress",
            "score",
            "updated_at",
        ]
    )

    class Meta:
        ordering = ["objective", "position", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["objective", "key"], name="key_result_key_unique_in_objective"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.key


class CheckIn(models.Model):
    """A person's dated word on a KR: confidence, what changed, blockers."""

    key_result = models.ForeignKey(
        KeyResult, on_delete=models.CASCADE, related_name="checkins"
    )
    at = models.DateField()
    by_name = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    confidence = models.FloatField(null=True, blank=True)
    note = models.TextField(blank=True)
    blockers = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key_result", "at", "created_at"]

    def __str__(self) -> str:
        return f"{self.key_result} {self.at}"


class LintFinding(models.Model):
    """A lint finding as of the last refresh, kept so that pages show it beside
    the OKR or KPI it concerns without re-running lint on every view."""

    rule = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    subject = models.CharField(max_length=220)
    message = models.TextField()
    cycle = models.ForeignKey(
        Cycle, null=True, on_delete=models.CASCADE, related_name="findings"
    )
    objective_key = models.CharField(max_length=100, blank=True, db_index=True)
    key_result_key = models.CharField(max_length=100, blank=True)
    kpi_key = models.CharField(max_length=100, blank=True, db_index=True)
    as_of = models.DateField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.rule} {self.subject}"
