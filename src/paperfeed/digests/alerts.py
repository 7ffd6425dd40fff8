"""What goes into the mail alerts of follows: whom they go to, when, and which papers.

A follow (:class:`paperfeed.personal.models.Follow`) whose ``alert`` is instant, daily or weekly
gets the papers it matches that are new since its last alert, never a paper twice.

- **When** (:func:`due`): instant alerts cover ten-minute buckets of UTC time
  (:func:`schedule.instant_period`), planned only when papers were stored since the follow's
  last alert; daily and weekly ones are due at the user's digest hour and time zone (their
  digest subscription, an active one first), else at 07:00 UTC -- the digests' periods
  (:mod:`paperfeed.digests.schedule`).
- **Which papers** (:func:`choose`): for each of the user's follows of that frequency, the
  visible papers it matches (:func:`paperfeed.personal.follows.papers_of`) that were stored in
  ``[window start, period end)``. The window starts at the follow's :class:`AlertMark` (where
  its last alert ended) minus :data:`GRACE` -- a paper whose import committed a little after
  its timestamp, or that the search index saw late, is not lost --, or, for a first alert, when
  the follow was made (never the back catalogue); only papers listed from :data:`SLACK_DAYS`
  before the window start count (an old paper imported today is not news). Left out: papers
  already in an alert to the user (:class:`AlertedPaper`), papers the user muted
  (:func:`paperfeed.personal.filters.muted_by_user`), and, when the user's
  ``Preferences.seen`` is "hide", papers they opened, dismissed or upvoted. At most
  :data:`PER_FOLLOW` papers a follow (newest first) and :data:`PER_MAIL` a mail.
- **Each paper once**: under the first follow that matches it (authors, searches,
  organisations, then categories), its reason naming every follow of the mail it matches.

:func:`reserve` writes the chosen papers as :class:`AlertedPaper` rows of the ledger row in one
transaction before anything is sent: the (user, paper) unique constraint is what makes "never
the same paper twice" hold between concurrent senders, and a resend after a crash mails exactly
the reserved papers again. :func:`advance_marks` moves the follows' marks when the alert is
sent (or found empty).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max

from paperfeed.accounts import usernames
from paperfeed.digests import compose, gather, schedule
from paperfeed.digests.models import AlertedPaper, AlertMark, AlertSend, SignupSite, Subscriber
from paperfeed.papers.models import Paper
from paperfeed.personal import filters, follows, seen
from paperfeed.personal.models import Follow

FREQUENCIES = (Follow.INSTANT, Follow.DAILY, Follow.WEEKLY)
DEFAULT_HOUR, DEFAULT_ZONE = 7, "UTC"
"""When daily and weekly alerts go to a user without a digest subscription."""
GRACE = dt.timedelta(hours=1)
"""How far a window reaches back before the follow's mark (papers already alerted are left out
anyway)."""
SLACK_DAYS = 3
"""Listing days before the window start that still count as new (harvests run behind the
listing, and weekends)."""
PER_FOLLOW = 50
PER_MAIL = 100
KIND_ORDER = {Follow.AUTHOR: 0, Follow.SEARCH: 1, Follow.ORG: 2, Follow.CATEGORY: 3}
KIND_TITLE = dict(Follow.KINDS)


@dataclass(frozen=True)
class Timing:
    """When a user's daily and weekly alerts go out."""

    hour: int = DEFAULT_HOUR
    zone: str = DEFAULT_ZONE


def timings(user_ids: Iterable[int]) -> dict[int, Timing]:
    """Each user's digest hour and zone (of an active subscription first, else any), for
    those who have a subscription; others get :class:`Timing`'s default."""
    found: dict[int, tuple[bool, Timing]] = {}
    ids = sorted(set(user_ids))
    for chunk in gather.chunks(ids):
        subscriptions = Subscriber.objects.filter(user_id__in=chunk).order_by("pk")
        for user_id, status, hour, zone in subscriptions.values_list(
            "user_id", "status", "send_hour", "timezone"
        ):
            active = status == Subscriber.Status.ACTIVE
            if user_id not in found or (active and not found[user_id][0]):
                found[user_id] = (active, Timing(hour, zone))
    return {user_id: timing for user_id, (_, timing) in found.items()}


def period_of(frequency: str, timing: Timing, now: dt.datetime) -> schedule.Period:
    return schedule.period_containing(frequency, timing.hour, timing.zone, now)


def period_from_key(key: str, timing: Timing) -> schedule.Period:
    return schedule.period_from_key(key, timing.hour, timing.zone)


def window_start(follow: Follow) -> dt.datetime:
    """Where the next alert of ``follow`` starts looking: its mark minus :data:`GRACE`, or its
    creation (never before it)."""
    mark = getattr(follow, "alert_mark", None)
    if mark is None:
        return follow.created
    return max(follow.created, mark.until - GRACE)


def _alerting(users: Iterable[int] | None = None):
    rows = Follow.objects.filter(alert__in=FREQUENCIES, user__is_active=True)
    if users is not None:
        rows = rows.filter(user_id__in=list(users))
    return rows.select_related("alert_mark")


def due(now: dt.datetime) -> list[tuple[int, schedule.Period]]:
    """(user id, period) of each alert whose period has ended by ``now`` and may hold papers:
    an instant one only when a paper was stored since its earliest window start, a daily or
    weekly one when a follow of that frequency existed before the period's end."""
    starts: dict[tuple[int, str], dt.datetime] = {}
    for follow in _alerting().only("pk", "user_id", "alert", "created", "alert_mark__until"):
        key = (follow.user_id, follow.alert)
        start = window_start(follow)
        starts[key] = min(start, starts.get(key, start))
    newest = Paper.objects.visible().aggregate(newest=Max("created_at"))["newest"]
    timing = timings(user for user, _ in starts)
    found = []
    for (user_id, frequency), start in sorted(starts.items()):
        period = period_of(frequency, timing.get(user_id, Timing()), now)
        if frequency == Follow.INSTANT and (newest is None or newest < start):
            continue  # nothing stored since: no ledger row every ten minutes for nothing
        if start < period.end:
            found.append((user_id, period))
    return found


def recipient(user) -> compose.Recipient | None:
    """Where ``user``'s alerts go: their account address when it is verified (sign-up
    requires it), links on the host they signed up on (:class:`SignupSite`), else on their
    digest subscription's; None for an inactive account or an unverified address."""
    if not user.is_active or not user.email:
        return None
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return None
    site = SignupSite.objects.filter(user=user).values_list("site_url", flat=True).first()
    if not site:
        subscribed = Subscriber.objects.filter(user=user).exclude(site_url="").order_by("-pk")
        site = subscribed.values_list("site_url", flat=True).first() or ""
    return compose.Recipient(user.pk, user.email, site)


@dataclass
class Choice:
    """A paper chosen for an alert: the section (first follow) it goes under and why."""

    paper_id: str
    section: str
    reasons: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


def section_title(follow: Follow) -> str:
    """ "Author: Ada Lovelace", "Category: cs.CL", "Search: speculative decoding"."""
    return f"{KIND_TITLE[follow.kind]}: {follow.label or follow.value}"


def reason(follow: Follow) -> str:
    name = follow.label or follow.value
    if follow.kind == Follow.AUTHOR:
        return f"by {name}, whom you follow"
    if follow.kind == Follow.SEARCH:
        return f'matches your followed search "{follow.value}"'
    if follow.kind == Follow.ORG:
        return f"from {name}, which you follow"
    return f"in {name}, which you follow"


def _new_papers(follow: Follow, start: dt.datetime, end: dt.datetime) -> list[str]:
    """Ids of the papers ``follow`` matches stored in ``[start, end)``, newest first."""
    papers = follows.papers_of(follow, since=(start - dt.timedelta(days=SLACK_DAYS)).date())
    if not papers.query.is_sliced:
        papers = papers.filter(created_at__gte=start, created_at__lt=end)
    return [pid for pid, stored in papers.values_list("pk", "created_at") if start <= stored < end]


def left_out(user, paper_ids: Iterable[str]) -> set[str]:
    """Which of ``paper_ids`` ``user`` is not to get: alerted before, muted, or seen (when
    their preferences hide seen papers)."""
    ids = sorted(set(paper_ids))
    out: set[str] = set()
    for chunk in gather.chunks(ids):
        alerted = AlertedPaper.objects.filter(user=user, paper_id__in=chunk)
        out.update(alerted.values_list("paper_id", flat=True))
    out |= filters.muted_by_user([user.pk], ids).get(user.pk, set())
    out |= seen.hidden_by_user([user.pk], ids).get(user.pk, set())
    return out


def choose(user, frequency: str, end: dt.datetime) -> tuple[list[Choice], list[int]]:
    """The papers of ``user``'s alert of ``frequency`` for the period ending at ``end``, in mail
    order, and the follows it covers (their marks move when it is sent)."""
    chosen = sorted(
        (f for f in _alerting([user.pk]).filter(alert=frequency) if f.created < end),
        key=lambda f: (KIND_ORDER.get(f.kind, 9), (f.label or f.value).lower(), f.pk),
    )
    matches: list[tuple[Follow, list[str]]] = [
        (f, _new_papers(f, window_start(f), end)) for f in chosen
    ]
    skip = left_out(user, (pid for _, ids in matches for pid in ids))
    picks: dict[str, Choice] = {}
    for follow, ids in matches:
        kept = 0
        for pid in ids:
            if pid in skip:
                continue
            if pid in picks:
                picks[pid].reasons.append(reason(follow))
            elif kept < PER_FOLLOW and len(picks) < PER_MAIL:
                picks[pid] = Choice(pid, section_title(follow), [reason(follow)])
                kept += 1
    return list(picks.values()), [f.pk for f in chosen]


def reserve(row: AlertSend, end: dt.datetime) -> list[AlertedPaper]:
    """The papers of the claimed ledger ``row``: those reserved by an earlier attempt, else
    chosen now and written as :class:`AlertedPaper` rows in one transaction (a paper another
    alert of the user holds already is dropped by the unique constraint)."""
    with transaction.atomic():
        held = list(row.papers.order_by("position"))
        if held:
            return held
        frequency = row.period_key.partition(":")[0]
        choices, _ = choose(row.user, frequency, end)
        AlertedPaper.objects.bulk_create(
            [
                AlertedPaper(
                    user_id=row.user_id,
                    paper_id=c.paper_id,
                    alert=row,
                    position=i,
                    section=c.section[:300],
                    why=c.why[:1000],
                )
                for i, c in enumerate(choices)
            ],
            ignore_conflicts=True,
        )
        return list(row.papers.order_by("position"))


def alert_of(
    to: compose.Recipient, period_key: str, items: Iterable[tuple[str, str, str]]
) -> compose.Alert:
    """The :class:`compose.Alert` of ``items`` ((paper id, section, why) in mail order)."""
    items = list(items)
    papers = gather.papers_by_id(pid for pid, _, _ in items)
    sections: dict[str, compose.Section] = {}
    for pid, title, why in items:
        if pid in papers:
            section = sections.setdefault(title, compose.Section(title))
            section.items.append(compose.DigestItem(papers[pid], why))
    return compose.Alert(to, period_key, list(sections.values()))


def advance_marks(user_id: int, frequency: str, end: dt.datetime) -> None:
    """Move the marks of ``user_id``'s follows of ``frequency`` made before ``end`` up to
    ``end`` (never back)."""
    ids = list(
        Follow.objects.filter(user_id=user_id, alert=frequency, created__lt=end).values_list(
            "pk", flat=True
        )
    )
    AlertMark.objects.bulk_create(
        [AlertMark(follow_id=pk, until=end) for pk in ids], ignore_conflicts=True
    )
    AlertMark.objects.filter(follow_id__in=ids, until__lt=end).update(until=end)


def preview(user, frequency: str, now: dt.datetime) -> compose.Alert | None:
    """``user``'s next alert of ``frequency`` as it stands now (nothing written); None when
    their address cannot get alerts."""
    to = recipient(user)
    if to is None:
        return None
    timing = timings([user.pk]).get(user.pk, Timing())
    period = schedule.next_period(frequency, timing.hour, timing.zone, now)
    choices, _ = choose(user, frequency, period.end)
    return alert_of(to, period.key, ((c.paper_id, c.section, c.why) for c in choices))


def users_with_alerts() -> dict[int, set[str]]:
    """User id -> the alert frequencies of their follows (the preview's choices)."""
    found: dict[int, set[str]] = defaultdict(set)
    for user_id, alert in _alerting().values_list("user_id", "alert"):
        found[user_id].add(alert)
    return dict(found)


def user_by_name_or_email(name: str):
    """The account a command names (username or address, case-insensitive), or None."""
    users = get_user_model().objects
    name = usernames.normalize(name)  # as usernames are stored
    return users.filter(username__iexact=name).first() or users.filter(email__iexact=name).first()


def alerting(user) -> int:
    """How many of ``user``'s follows send mail alerts."""
    return Follow.objects.filter(user=user, alert__in=FREQUENCIES).count()
