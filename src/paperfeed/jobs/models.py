"""What the scheduler remembers between rounds, processes and machines: when each periodic job
was last enqueued, and the id of that task run (see :mod:`paperfeed.jobs.scheduler`)."""

from __future__ import annotations

from django.db import models


class PeriodicRun(models.Model):
    """One row per periodic job of :data:`paperfeed.jobs.schedule.PERIODIC`."""

    name = models.CharField(max_length=64, primary_key=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    result_id = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.name} last enqueued at {self.enqueued_at} ({self.result_id or 'no run'})"
