"""Community data around papers: upvotes, submissions to the daily feed, comments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from paperfeed.papers.models import Paper

DELETED_USER = "deleted user"
"""Shown for the author of a comment, or the submitter of a paper, whose account was deleted."""


class Vote(models.Model):
    """One upvote of one user for one paper; ``Paper.upvotes`` is the kept count."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="votes")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="vote_once_per_user")]
        indexes = [models.Index(fields=["user", "-created"], name="vote_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} ▲ {self.paper_id}"


class Submission(models.Model):
    """A paper brought to the daily feed by a user (one submission per paper).

    A paper already stored enters the feed at once (``done``). One that is not is ``queued``
    for the worker to fetch from arXiv (``fetching`` while it does), then ``done`` or ``failed``
    with ``error`` saying why (:mod:`paperfeed.community.feed_entry`). ``paper`` is set exactly
    when the state is ``done``; every submission but a failed one holds its ``arxiv_id``.
    """

    QUEUED, FETCHING, DONE, FAILED = "queued", "fetching", "done", "failed"
    STATES = [
        (QUEUED, "queued: waiting for the worker to fetch it from arXiv"),
        (FETCHING, "fetching from arXiv"),
        (DONE, "in the feed"),
        (FAILED, "failed"),
    ]
    PENDING = (QUEUED, FETCHING)
    WAITING_LONG = dt.timedelta(minutes=10)  # pending this long: is a worker running?
    ABANDONED = dt.timedelta(hours=1)  # pending this long: a worker died on it; resubmittable

    arxiv_id = models.CharField(max_length=40, help_text="The submitted paper's arXiv id.")
    paper = models.OneToOneField(
        Paper, null=True, blank=True, on_delete=models.CASCADE, related_name="submission"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        help_text="Who submitted it; empty once that account was deleted (the paper stays).",
    )
    state = models.CharField(max_length=10, choices=STATES, default=DONE)
    error = models.TextField(blank=True, help_text="Why it failed, as the submitter reads it.")
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created"], name="submission_user_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["arxiv_id"],
                condition=~models.Q(state="failed"),
                name="submission_once_per_paper",
            ),
            models.CheckConstraint(
                condition=models.Q(state="done", paper__isnull=False)
                | (~models.Q(state="done") & models.Q(paper__isnull=True)),
                name="submission_paper_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.arxiv_id} by {self.user_id} ({self.state})"

    def save(self, *args, **kwargs):
        if not self.arxiv_id and self.paper_id:  # Submission(paper=...): a stored paper
            self.arxiv_id = self.paper_id
        super().save(*args, **kwargs)

    @property
    def submitter_name(self) -> str:
        """The submitter's username, or :data:`DELETED_USER` once the account was deleted."""
        return self.user.get_username() if self.user_id else DELETED_USER

    @property
    def pending(self) -> bool:
        return self.state in self.PENDING

    def waiting_long(self, now: dt.datetime | None = None) -> bool:
        """Pending for over :attr:`WAITING_LONG` (a fetch takes seconds when a worker runs)."""
        return self.pending and (now or timezone.now()) - self.updated > self.WAITING_LONG

    def abandoned(self, now: dt.datetime | None = None) -> bool:
        """Pending for over :attr:`ABANDONED`: no fetch takes that long (the arXiv client gives
        up after about 93 s), so the worker stopped on it; submitting again replaces it."""
        return self.pending and (now or timezone.now()) - self.updated > self.ABANDONED


class Comment(models.Model):
    """A comment on a paper; replies are one level deep (``parent`` is a top-level comment)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
        help_text="The author; empty once the author deleted their account and kept their "
        "comments as a deleted user (paperfeed/accounts/deletion.py).",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(help_text="Markdown source as the user wrote it.")
    body_html = models.TextField(help_text="Rendered and sanitised HTML.")
    created = models.DateTimeField(auto_now_add=True)
    edited = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator.")

    class Meta:
        ordering = ["created"]
        indexes = [models.Index(fields=["paper", "created"], name="comment_paper_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.paper_id}"

    @property
    def author_name(self) -> str:
        """The author's username, or :data:`DELETED_USER` once the account was deleted."""
        return self.user.get_username() if self.user_id else DELETED_USER
