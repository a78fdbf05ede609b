"""The workers that run background tasks, as each last showed it was alive."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """A worker process (`drumbeat worker`) and when it was last seen alive: its
    scheduler beats every few seconds. A task still running on a worker not seen
    for a while was left by a worker that died, and is reaped."""

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"
