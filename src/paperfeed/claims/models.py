"""A user's claim to be an author: written only by :mod:`paperfeed.claims.claims`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paperfeed.papers.models import Author


class Claim(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "pending"
        APPROVED = "approved", "approved"
        REJECTED = "rejected", "rejected"
        WITHDRAWN = "withdrawn", "withdrawn"

    OPEN = (State.PENDING, State.APPROVED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="claims")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    orcid = models.CharField(max_length=19, blank=True, default="", help_text="0000-0002-1825-0097")
    note = models.TextField(blank=True, default="", help_text="What the user told the moderators.")
    evidence = models.JSONField(default=dict, help_text="Gathered when the claim was made.")
    disputed = models.BooleanField(
        default=False, help_text="Made while another user's claim on the author was approved."
    )
    reason = models.TextField(blank=True, default="", help_text="Why it was rejected.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The moderator; empty when approved automatically or not decided.",
    )
    auto_rule = models.CharField(
        max_length=200, blank=True, default="", help_text="The rule that approved it, if any."
    )
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "author"],
                condition=models.Q(state__in=["pending", "approved"]),
                name="claim_one_open_per_user_author",
            )
        ]
        indexes = [models.Index(fields=["author", "state"])]

    def __str__(self) -> str:
        return f"{self.user_id} claims {self.author_id} ({self.state})"
