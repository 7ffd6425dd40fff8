"""A reader's own rows: mutes, follows, seen papers and preferences (one writer module each)."""

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


class Follow(models.Model):
    """One thing a user follows: an author, a category, an organisation or a saved search.

    ``value`` says which, in a stored form that does not change: an author's
    :class:`~paperfeed.papers.models.Author` primary key (as text: following is after
    disambiguation, so the id, not a name shared by several people), a category as arXiv writes
    it (``cs`` follows every ``cs.*``), an organisation's Hugging Face name
    (``PaperSignals.org_name``), a search query with its white space collapsed. ``label`` is
    what pages show (the author's name, the organisation's full name). ``alert`` is the mail
    alert of new matching papers (none / instant / daily / weekly).
    """

    AUTHOR = "author"
    CATEGORY = "category"
    ORG = "org"
    SEARCH = "search"
    KINDS = [(AUTHOR, "Author"), (CATEGORY, "Category"), (ORG, "Organisation"), (SEARCH, "Search")]

    NO_ALERT = "none"
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"
    ALERTS = [
        (NO_ALERT, "No mail"),
        (INSTANT, "Instant"),
        (DAILY, "Daily"),
        (WEEKLY, "Weekly"),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    kind = models.CharField(max_length=10, choices=KINDS)
    value = models.CharField(max_length=1000)
    label = models.CharField(max_length=1000, blank=True, default="")
    alert = models.CharField(max_length=8, choices=ALERTS, default=NO_ALERT)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "label", "value"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "value"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["alert", "kind"], name="follow_alert_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.label or self.value}"


class Seen(models.Model):
    """A paper one user has opened or dismissed ("seen"; votes count as seen too, from the
    vote table). One row per (user, paper): dismissing an opened paper upgrades its row."""

    OPENED = "opened"
    DISMISSED = "dismissed"
    HOWS = [(OPENED, "opened"), (DISMISSED, "dismissed")]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seen"
    )
    paper = models.ForeignKey("papers.Paper", on_delete=models.CASCADE, related_name="+")
    how = models.CharField(max_length=10, choices=HOWS, default=OPENED)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="seen_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.how} {self.paper_id}"


class Preferences(models.Model):
    """One user's choices about their lists: order, what happens to seen papers, the secret of
    their private feeds, and whether onboarding is done. Absent row: the defaults."""

    ORDER_AUTO = "auto"
    ORDER_COMMUNITY = "community"
    ORDER_FOR_YOU = "for_you"
    ORDERS = [
        (ORDER_AUTO, "For you once your profile is strong enough"),
        (ORDER_COMMUNITY, "Community order"),
        (ORDER_FOR_YOU, "For you"),
    ]
    SEEN_SHOW = "show"
    SEEN_DIM = "dim"
    SEEN_HIDE = "hide"
    SEEN_CHOICES = [
        (SEEN_SHOW, "Show them as usual"),
        (SEEN_DIM, "Dim them"),
        (SEEN_HIDE, "Hide them (new to you only)"),
    ]

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preferences",
    )
    order = models.CharField(max_length=10, choices=ORDERS, default=ORDER_AUTO)
    seen = models.CharField(max_length=4, choices=SEEN_CHOICES, default=SEEN_DIM)
    feed_token = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Secret of the user's private RSS feeds (empty: none yet); rotating it makes "
        "the old feed URLs stop working.",
    )
    onboarded_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "preferences"
        indexes = [models.Index(fields=["feed_token"], name="prefs_feed_token_idx")]

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
