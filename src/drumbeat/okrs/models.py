"""Cycles, objectives, key results and check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from drumbeat.common.editing import Archivable, Edited
from drumbeat.core import model as core


class Cycle(Edited, Archivable):
    """A named OKR period: planning before its start, active to its end, closing
    until someone closes it (`CycleClose`), then closed."""

    key = models.CharField(max_length=50, unique=True)
    start = models.DateField()
    end = models.DateField()
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contained",
        help_text="The cycle that contains this one (a year, for its quarters).",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        # A year before the quarters it contains: by start, the longest first.
        ordering = ["start", "-end", "key"]

    def __str__(self) -> str:
        return self.key


class Objective(Edited, Archivable):
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
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_objectives",
    )
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


class KeyResult(Edited, Archivable):
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
    relative_target = models.FloatField(
        null=True,
        blank=True,
        help_text='The percent change the target was set as ("+10%" is 10); '
        "`target` holds it resolved against the baseline",
    )
    deadline = models.DateField(null=True, blank=True)
    owner_name = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_key_results",
    )
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


class CheckIn(Archivable):
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


class PlanSuggestion(models.Model):
    """A KPI worth elevating in a cycle (`drumbeat.core.suggest`), stored by the
    refresh that stores statuses, so that the plan page reads it in one query
    instead of judging every KPI's history on each request.

    Ordered as the core ranks them: `band` (red, then amber or signalling, then
    behind its benchmark), `precedence` (the annual direction, then north star,
    then by tier), the larger
    `benchmark_gap` first (0 without a benchmark), then the dictionary's order."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="suggestions"
    )
    kpi = models.ForeignKey(
        "kpis.KPI", on_delete=models.CASCADE, related_name="plan_suggestions"
    )
    band = models.PositiveSmallIntegerField()
    precedence = models.PositiveSmallIntegerField()
    benchmark_gap = models.FloatField(
        default=0.0, help_text="How far behind its benchmark; 0 without one"
    )
    kind = models.CharField(max_length=10)
    title = models.CharField(max_length=400)
    why = models.TextField()
    baseline = models.FloatField(null=True)
    commit = models.JSONField(null=True, help_text="A number, or [low, high]")
    stretch = models.JSONField(null=True, help_text="A number, or [low, high]")
    health = models.CharField(max_length=10)
    stale = models.BooleanField(default=False)
    stagnating = models.BooleanField(
        default=False, help_text="Short of green or benchmark, and not moving"
    )
    annual_direction = models.JSONField(
        default=list,
        help_text="The keys of the containing cycle's KRs that target the KPI",
    )
    draft_query = models.TextField(help_text="Opens the KR form with the draft KR")
    as_of = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "kpi"], name="one_suggestion_per_cycle_and_kpi"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.kpi_id}"

    @property
    def commit_target(self) -> core.Target | None:
        return _target(self.commit)

    @property
    def stretch_target(self) -> core.Target | None:
        return _target(self.stretch)


def _target(stored: object) -> core.Target | None:
    """A target as `plain_target` stored it: a number, or [low, high]."""
    if isinstance(stored, list):
        return core.Band(float(stored[0]), float(stored[1]))
    if isinstance(stored, int | float):
        return float(stored)
    return None


class CycleClose(models.Model):
    """A cycle's close: who closed it and when, the final grades frozen then
    (`FinalGrade`) and the corrective choices applied (`CloseChoice`). A reopening
    keeps the close with who, when and why; closing again makes a new one."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="closes")
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    graded_as_of = models.DateField(
        help_text="The day the final grades were computed as of (the day after the end)"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["cycle", "closed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(reopened_at__isnull=True),
                name="one_standing_close_per_cycle",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} closed {self.closed_at:%Y-%m-%d}"

    @property
    def standing(self) -> bool:
        return self.reopened_at is None


class FinalGrade(models.Model):
    """An objective's or a key result's grade frozen by a close (a KR's row has
    `key_result_key`; the objective's own row leaves it blank). Copied, not
    referred to, so that later edits or archiving never change it."""

    close = models.ForeignKey(
        CycleClose, on_delete=models.CASCADE, related_name="grades"
    )
    objective = models.ForeignKey(
        Objective, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    key_result = models.ForeignKey(
        KeyResult, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    objective_key = models.CharField(max_length=100)
    key_result_key = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300)
    team_name = models.CharField(max_length=200, blank=True)
    commitment = models.CharField(max_length=12, blank=True)
    kpi_key = models.CharField(max_length=100, blank=True, db_index=True)
    kind = models.CharField(max_length=10, blank=True)
    baseline = models.FloatField(null=True)
    target = models.JSONField(null=True)
    current = models.FloatField(null=True, help_text="Achieved: the value graded")
    progress = models.FloatField(null=True)
    score = models.FloatField(null=True)
    grade = models.CharField(max_length=10, blank=True)
    outcome = models.CharField(max_length=12, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["close", "position"]

    def __str__(self) -> str:
        return f"{self.objective_key}/{self.key_result_key or '-'}: {self.score}"

    @property
    def outcome_text(self) -> str:
        """The outcome in words: "fell short"."""
        return self.outcome.replace("_", " ")


class CloseChoice(models.Model):
    """One item of the corrective flow as applied at a close, with its choice."""

    class Kind(models.TextChoices):
        HISTORY = "history", "the KPI records the cycle in its history"
        THRESHOLD = "threshold", "a completed KPI's maintenance threshold"
        TRANSIENT = "transient", "a transient KPI kept or retired"

    class Choice(models.TextChoices):
        RECORDED = "recorded"
        SKIPPED = "skipped"
        ACCEPTED = "accepted"
        EDITED = "edited"
        DECLINED = "declined"
        KEPT = "kept"
        RETIRED = "retired"

    close = models.ForeignKey(
        CycleClose, on_delete=models.CASCADE, related_name="choices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    kpi_key = models.CharField(max_length=100)
    key_result_key = models.CharField(max_length=100, blank=True)
    objective_key = models.CharField(max_length=100, blank=True)
    choice = models.CharField(max_length=10, choices=Choice.choices)
    value = models.FloatField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["close", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.kpi_key}: {self.choice}"


class Retrospective(models.Model):
    """What happened and what we learned: for an objective, or (no objective) the
    cycle's summary. Editable by the team's editors for the rest of the following
    cycle; every version kept with who and when."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="retrospectives"
    )
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="retrospectives",
    )
    happened = models.TextField(blank=True)
    learned = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["cycle", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "objective"], name="one_retrospective_per_objective"
            ),
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(objective__isnull=True),
                name="one_summary_per_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.objective or 'summary'}"
