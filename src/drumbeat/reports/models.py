"""The board report's own records: the admins' commentary on each section."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from drumbeat.common.editing import Edited


class Section(models.TextChoices):
    """The sections of a cycle's board report, in the order it shows them."""

    KPIS = "kpis", "Key KPIs"
    OBJECTIVES = "objectives", "Objectives and outcomes"
    EXCEPTIONS = "exceptions", "Exceptions"


class ReportCommentary(Edited):
    """What the admins say about one section of a cycle's board report; every
    version kept with who and when."""

    cycle = models.ForeignKey(
        "okrs.Cycle", on_delete=models.CASCADE, related_name="report_commentary"
    )
    section = models.CharField(max_length=20, choices=Section.choices)
    text = models.TextField(blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["cycle", "section"]
        verbose_name_plural = "report commentary"
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "section"], name="one_commentary_per_report_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.section}"
