"""A user's mutes: papers matching one are left out of that user's lists, search and digests."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Mute(models.Model):
    """One muted keyword, author or category of one user.

    ``value`` is stored normalised (:func:`paperfeed.personal.mutes.normalise`): a keyword in
    lower case with single spaces (it matches title or abstract case-insensitively), an
    author's name exactly as :class:`~paperfeed.papers.models.Author` stores it, a category as
    arXiv writes it (``cs`` mutes every ``cs.*``). The same mute twice is one row.
    """

    KEYWORD = "keyword"
    AUTHOR = "author"
    CATEGORY = "category"
    KINDS = [(KEYWORD, "Keyword"), (AUTHOR, "Author"), (CATEGORY, "Category")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mutes"
    )
    kind = models.CharField(max_length=10, choices=KINDS)
    value = models.CharField(max_length=1000)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "value"], name="mute_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"
