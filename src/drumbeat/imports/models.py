"""An import of a readings file through the web pages, from upload to result."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """A readings file uploaded through the web pages: where it is kept until it
    is imported (under a random name in DATA_DIR/imports, deleted after the import
    or after a day), how its columns are read and its preview (read once, by the
    worker for a large file, so that a visit never reads the file), and what the
    import changed or why the file was refused. Progress while it runs is kept
    beside the file, since the import's own transaction hides this row's changes
    until it ends."""

    class Status(models.TextChoices):
        READING = "reading"  # waiting for a worker to read its preview
        UPLOADED = "uploaded"  # previewed, waiting for the person to import it
        QUEUED = "queued"  # waiting for a worker
        RUNNING = "running"
        DONE = "done"
        REFUSED = "refused"  # the file has problems: nothing was written
        FAILED = "failed"  # stopped on an unexpected error: nothing was written
        EXPIRED = "expired"  # never imported; the file was deleted after a day

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255, help_text="As uploaded")
    stored_name = models.CharField(max_length=100, unique=True)
    size = models.PositiveBigIntegerField()
    sheet = models.CharField(max_length=100, blank=True)
    kpi = models.CharField(
        max_length=100, blank=True, help_text="The one KPI chosen on upload, if any"
    )
    layout = models.JSONField(
        default=dict, blank=True, help_text="How the columns are read (readers.Layout)"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.UPLOADED
    )
    preview = models.JSONField(
        default=dict,
        blank=True,
        help_text="The file's first rows as text, and as read with the layout",
    )
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    corrected = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    kpi_keys = models.JSONField(default=list, blank=True)
    problems = models.JSONField(default=list, blank=True)
    more_problems = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def total(self) -> int:
        return self.created + self.corrected + self.unchanged

    @property
    def finished(self) -> bool:
        return self.status in (
            self.Status.DONE,
            self.Status.REFUSED,
            self.Status.FAILED,
            self.Status.EXPIRED,
        )
