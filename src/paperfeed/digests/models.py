"""Digest subscriptions, the send ledger, papers already mailed, and recommendation feedback."""

from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from paperfeed.papers.models import Paper

FREQUENCIES = ("daily", "weekly")


def normalise_email(address: str) -> str:
    """The stored form of an address: trimmed and lower-cased (RFC 5321 keeps the local part
    case-sensitive, but mailbox providers fold it, and one person must not subscribe twice)."""
    return (address or "").strip().lower()


@functools.cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def validate_timezone(name: str) -> None:
    """Refuse a time zone that is not an IANA zoneinfo name ("Europe/Paris", "UTC")."""
    if name not in time_zone_names():
        raise ValidationError(f"{name!r} is not a known time zone (e.g. Europe/Paris, UTC)")


def validate_categories(value: str) -> None:
    """Categories are space-separated arXiv category names ("cs.LG stat.ML")."""
    for cat in value.split():
        if not all(ch.isalnum() or ch in ".-" for ch in cat) or len(cat) > 32:
            raise ValidationError(f"{cat!r} is not an arXiv category (e.g. cs.LG)")


class Subscriber(models.Model):
    """One email address that gets digests; an account is optional."""

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "unconfirmed"
        ACTIVE = "active", "active"
        PAUSED = "paused", "paused (hard failures)"
        UNSUBSCRIBED = "unsubscribed", "unsubscribed"

    class Frequency(models.TextChoices):
        DAILY = "daily", "daily"
        WEEKLY = "weekly", "weekly"

    email = models.EmailField(unique=True, help_text="Normalised (trimmed, lower case).")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_subscriptions",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNCONFIRMED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    notice_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last confirmation / notice email went out."
    )
    confirm_round = models.PositiveIntegerField(
        default=0,
        help_text="Counts unsubscribes: a confirmation link carries the round it was mailed in "
        "and stops working when the address unsubscribes (digests.tokens).",
    )
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.DAILY)
    send_hour = models.PositiveSmallIntegerField(
        default=7, help_text="Local hour (0-23) at which the digest is sent."
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    top_n = models.PositiveSmallIntegerField(
        default=10, help_text="How many trending papers to include (0: none)."
    )
    categories = models.CharField(
        max_length=500,
        blank=True,
        default="",
        validators=[validate_categories],
        help_text="Space-separated arXiv categories to follow, e.g. 'cs.LG cs.CL'.",
    )
    recommendations = models.BooleanField(
        default=True, help_text="Include personal recommendations (account holders)."
    )
    site_url = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="Scheme and host the address subscribed on (e.g. https://papers.example.org): "
        "the links in its mails when PAPERFEED_BASE_URL is not set.",
    )
    hard_failures = models.PositiveIntegerField(
        default=0, help_text="Consecutive permanent delivery failures; reset by a delivery."
    )
    last_error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "frequency"], name="subscriber_due_idx")]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not 0 <= self.send_hour <= 23:
            raise ValidationError({"send_hour": "send hour must be 0-23"})

    @property
    def category_list(self) -> list[str]:
        return self.categories.split()

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class SavedSearch(models.Model):
    """An alert: new papers matching ``query`` go into the subscriber's digest."""

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="saved_searches"
    )
    query = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "query"], name="saved_search_once")
        ]
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return self.query


class Ledger(models.Model):
    """What the send ledgers share (:class:`DigestSend`, :class:`AlertSend`): one row per
    (recipient, period), claimed and committed around each send by :mod:`paperfeed.digests.ledger`
    so that a restarted sender neither repeats nor loses a mail."""

    class State(models.TextChoices):
        PENDING = "pending", "pending"
        SENDING = "sending", "sending"
        SENT = "sent", "sent"
        FAILED = "failed", "failed (gave up)"
        EMPTY = "empty", "nothing to send"
        SKIPPED = "skipped", "skipped (no longer active)"

    period_key = models.CharField(max_length=32, help_text='e.g. "daily:2026-11-27".')
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    message_id = models.CharField(max_length=255, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class DigestSend(Ledger):
    """The digests' ledger: one row per (subscriber, period)."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="sends")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "period_key"], name="digest_once")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="digestsend_due_idx")]

    def __str__(self) -> str:
        return f"{self.subscriber_id} {self.period_key} {self.state}"


class MailedPaper(models.Model):
    """A paper that went out to a subscriber: never mailed to them again."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="mailed")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    digest = models.ForeignKey(DigestSend, on_delete=models.CASCADE, related_name="papers")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "paper"], name="mailed_paper_once")
        ]

    def __str__(self) -> str:
        return f"{self.paper_id} to {self.subscriber_id}"


class Feedback(models.Model):
    """A "more like this" (+1) or "less like this" (-1) signal on a paper, from a subscriber
    (email link) or a user (site); the latest signal for a paper replaces an earlier one."""

    subscriber = models.ForeignKey(
        Subscriber, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="paper_feedback",
    )
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    signal = models.SmallIntegerField(choices=[(1, "more like this"), (-1, "less like this")])
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subscriber__isnull=False) | models.Q(user__isnull=False),
                name="feedback_has_owner",
            ),
            models.CheckConstraint(
                condition=models.Q(signal__in=[1, -1]), name="feedback_signal_pm1"
            ),
            models.UniqueConstraint(
                fields=["subscriber", "paper"],
                condition=models.Q(subscriber__isnull=False),
                name="feedback_once_per_subscriber",
            ),
            models.UniqueConstraint(
                fields=["user", "paper"],
                condition=models.Q(user__isnull=False),
                name="feedback_once_per_user",
            ),
        ]

    def __str__(self) -> str:
        owner = f"subscriber {self.subscriber_id}" if self.subscriber_id else f"user {self.user_id}"
        return f"{owner} {self.signal:+d} {self.paper_id}"


class SenderLease(models.Model):
    """A named lease (one row per job, e.g. "worker"): whoever holds an unexpired lease runs the
    job; the others wait. Taken with a conditional UPDATE, valid on SQLite and PostgreSQL."""

    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=64, blank=True, default="")
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} held by {self.holder or 'nobody'} until {self.expires_at}"


class AlertSend(Ledger):
    """The alerts' ledger: one row per (user, alert period) -- "instant:2026-12-06T08:10" (a
    ten-minute bucket), "daily:2026-12-06", "weekly:2026-W49" -- for the user's follows with
    that alert (:mod:`paperfeed.digests.alerts`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_sends"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period_key"], name="alert_once")]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="alertsend_due_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period_key} {self.state}"


class AlertedPaper(models.Model):
    """A paper in one alert of a user: the row is written (committed) before the mail goes out,
    and unique per (user, paper), so no two alerts of a user ever hold the same paper. The
    section and reason are the mail's, kept so that a resend after a crash is the same mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(AlertSend, on_delete=models.CASCADE, related_name="papers")
    position = models.PositiveSmallIntegerField(help_text="Order in the mail.")
    section = models.CharField(max_length=300, help_text='e.g. "Author: Ada Lovelace".')
    why = models.CharField(max_length=1000, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "paper"], name="alerted_paper_once")]

    def __str__(self) -> str:
        return f"{self.paper_id} to user {self.user_id}"


class AlertMark(models.Model):
    """How far one follow's alerts have gone: papers stored before ``until`` were covered by an
    alert already (sent, or found empty). Absent: no alert yet, the follow's creation counts."""

    follow = models.OneToOneField(
        "personal.Follow", on_delete=models.CASCADE, primary_key=True, related_name="alert_mark"
    )
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"follow {self.follow_id} alerted until {self.until}"


class SignupSite(models.Model):
    """The scheme and host an account signed up on (e.g. https://papers.example.org): where the
    links of its alert mails point when PAPERFEED_BASE_URL is not set (``compose.site_root``).
    Stored at sign-up only for a host ALLOWED_HOSTS names outright (``compose.request_site``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="signup_site",
    )
    site_url = models.CharField(max_length=255)

    def __str__(self) -> str:
        return f"{self.user_id} signed up on {self.site_url}"
