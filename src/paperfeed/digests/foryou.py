"""The "For you" page: a logged-in user's recommended papers of the recent feed days.

Nothing new is ranked here: the user is handed to :func:`paperfeed.digests.content.build_all`
as an unsaved subscriber (recommendations on, no trending, the categories of their digest
subscription if they have one), so the page shows exactly what the digest's "Recommended for
you" and "New in CATEGORIES" sections would pick from the last :data:`RECENT_DAYS` feed days:
the per-user ridge classifier over their upvotes and "more like this", never a liked,
disliked ("less like this") or upvoted paper, each with its reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max

from paperfeed.digests import content, feedback, gather
from paperfeed.digests.compose import Section
from paperfeed.digests.models import Subscriber
from paperfeed.papers.models import Paper

RECENT_DAYS = 14
"""Feed days (ending with the newest in the store) that recommendations come from."""
TRANSIENT_PK = -1
"""The stand-in subscriber's key: matches no saved search, mailed paper or feedback row."""


@dataclass
class ForYou:
    """The user's recommendations and what they were built from."""

    sections: list[Section] = field(default_factory=list)
    liked: int = 0  # upvotes + "more like this" the profile is trained on
    categories: list[str] = field(default_factory=list)
    first_day: dt.date | None = None
    last_day: dt.date | None = None

    @property
    def items(self):
        return [item for section in self.sections for item in section.items]


def _stand_in(user) -> Subscriber:
    """An unsaved subscriber for ``user``: never stored, so nothing is marked mailed."""
    subscription = (
        Subscriber.objects.filter(user=user).exclude(categories="").order_by("pk").first()
    )
    categories = subscription.categories if subscription else ""
    return Subscriber(
        pk=TRANSIENT_PK,
        email="",
        user=user,
        top_n=0,
        categories=categories,
        recommendations=True,
    )


def recent_days(days: int = RECENT_DAYS) -> tuple[dt.date, dt.date] | None:
    """The first and last of the newest ``days`` feed days in the store (None: no papers)."""
    last = Paper.objects.visible().aggregate(last=Max("feed_day"))["last"]
    if last is None:
        return None
    return last - dt.timedelta(days=days - 1), last


def for_you(user, days: int = RECENT_DAYS) -> ForYou:
    """``user``'s recommendations among the newest ``days`` feed days, best first; each paper
    carries the user's "more / less like this" signal as ``feedback_signal``."""
    stand_in = _stand_in(user)
    liked = len(gather.load_signals([stand_in])[stand_in.pk].liked)
    result = ForYou(liked=liked, categories=stand_in.category_list)
    span = recent_days(days)
    if span is None or not (liked or stand_in.category_list):
        return result
    first, last = span
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    digest = content.build_all([stand_in], start, end)[0]
    result.sections = [s for s in digest.sections if s.items]
    result.first_day, result.last_day = first, last
    signals = feedback.feedback_by_paper(user, (item.paper.pk for item in result.items))
    for item in result.items:
        item.paper.feedback_signal = signals.get(item.paper.pk)  # the buttons' current state
    return result
