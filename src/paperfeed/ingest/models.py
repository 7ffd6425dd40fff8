"""Where a network harvest stands, so a killed or failed run resumes instead of starting over.

:mod:`paperfeed.ingest.harvest` is the only code that reads or writes these rows. A checkpoint is
advanced only after the page it describes has been stored, so resuming never skips records.
"""

from __future__ import annotations

from django.db import models


class HarvestCheckpoint(models.Model):
    RUNNING = "running"
    DONE = "done"
    ABANDONED = "abandoned"
    STATUSES = [
        (RUNNING, "running or interrupted: the next run of the same set resumes it"),
        (DONE, "complete: the next run starts the day after its until date"),
        (ABANDONED, "superseded by a --restart or a run with other dates"),
    ]

    set_spec = models.CharField(max_length=100, db_index=True, help_text="OAI-PMH set, e.g. cs.")
    base_url = models.CharField(max_length=500, help_text="OAI-PMH endpoint harvested.")
    from_date = models.DateField(help_text="OAI 'from' of the harvest (inclusive).")
    until_date = models.DateField(help_text="OAI 'until' of the harvest (inclusive).")
    resumption_token = models.TextField(
        blank=True,
        default="",
        help_text="Token for the next page; empty before page 1 and at the end.",
    )
    last_datestamp = models.DateField(
        null=True, blank=True, help_text="Latest record datestamp of the pages stored so far."
    )
    pages_done = models.PositiveIntegerField(default=0, help_text="Pages stored so far.")
    records = models.PositiveIntegerField(default=0, help_text="Records stored so far.")
    status = models.CharField(max_length=20, choices=STATUSES, default=RUNNING, db_index=True)
    message = models.TextField(blank=True, default="", help_text="Last error or notice.")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.set_spec} {self.from_date}..{self.until_date} {self.status}, "
            f"{self.pages_done} pages, {self.records} records"
        )
