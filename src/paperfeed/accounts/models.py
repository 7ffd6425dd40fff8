"""Per-user API tokens for the JSON API, hashed at rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A bearer token ``pf_<prefix>_<secret>``: the prefix finds the row, the secret is kept
    only as its SHA-256 (it is random and long, so a slow hash adds nothing)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, as its owner put it.")
    prefix = models.CharField(max_length=16, unique=True, help_text="Public part of the token.")
    hash = models.CharField(max_length=64, help_text="SHA-256 of the secret part, hex.")
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True, help_text="When it was revoked.")

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "-created"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"pf_{self.prefix}_… ({self.name})"

    @property
    def active(self) -> bool:
        return self.revoked is None


class UsernameSkeleton(models.Model):
    """A confusable skeleton of an account's username, hashed (paperfeed/accounts/usernames.py):
    refusing a look-alike of an existing name is one indexed lookup. Up to three a username (as
    shown, lower and upper case), written on every save of one (the receivers in usernames.py);
    the same hash may belong to several accounts made before the check existed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="username_skeletons"
    )
    hash = models.CharField(
        max_length=64, db_index=True, help_text="SHA-256 (hex) of a skeleton of the username."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "hash"], name="usernameskeleton_user_hash")
        ]

    def __str__(self) -> str:
        return f"skeleton of user {self.user_id}"
