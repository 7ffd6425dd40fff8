"""Community data around papers: upvotes, submissions to the daily feed, comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperfeed.papers.models import Paper


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
    """A paper brought to the daily feed by a user (one submission per paper)."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="submission")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created"], name="submission_user_idx")]

    def __str__(self) -> str:
        return f"{self.paper_id} by {self.user_id}"


class Comment(models.Model):
    """A comment on a paper; replies are one level deep (``parent`` is a top-level comment)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
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
