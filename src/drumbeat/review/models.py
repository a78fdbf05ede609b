"""What the KPI review decides, kept with who and when: a KPI acknowledged with a
note at a review, and investigations ("if it's red, assign an owner to
investigate offline": seed 004) opened, assigned and closed with their finding."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ReviewNote(models.Model):
    """A KPI taken at a review: acknowledged (or only noted), with what was said
    and the health it had then (a red KPI reviewed twice running is flagged when
    nobody investigates it)."""

    class Action(models.TextChoices):
        ACKNOWLEDGED = "acknowledged"
        NOTED = "noted"

    kpi = models.ForeignKey(
        "kpis.KPI", on_delete=models.CASCADE, related_name="review_notes"
    )
    action = models.CharField(
        max_length=14, choices=Action.choices, default=Action.ACKNOWLEDGED
    )
    note = models.TextField(blank=True)
    health = models.CharField(max_length=10, help_text="The KPI's health then")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["kpi", "-at"]
        indexes = [models.Index(fields=["kpi", "-at"])]

    def __str__(self) -> str:
        return f"{self.kpi} {self.action} {self.at:%Y-%m-%d}"


class Investigation(models.Model):
    """A KPI's exception handed to a person to investigate by a date; closed with
    what they found."""

    kpi = models.ForeignKey(
        "kpis.KPI", on_delete=models.CASCADE, related_name="investigations"
    )
    question = models.TextField(blank=True, help_text="What to find out")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="investigations",
    )
    due = models.DateField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    finding = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due", "pk"]
        indexes = [models.Index(fields=["assignee", "closed_at"])]

    def __str__(self) -> str:
        return f"investigation of {self.kpi}"

    @property
    def open(self) -> bool:
        return self.closed_at is None


class AssessmentAnswer(models.Model):
    """One answer to a question of the assessment's questionnaire (Kelly's
    decision tree: what the data cannot know), with who gave it and when. Answers
    are never overwritten: the latest per question counts, the rest is history."""

    question = models.CharField(max_length=40)
    answer = models.BooleanField(null=True, help_text="Yes, no, or don't know (null)")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["question", "-at"])]

    def __str__(self) -> str:
        return f"{self.question}: {self.answer} {self.at:%Y-%m-%d}"
