"""Trending: a paper's rank is a pure function of its upvotes and its age (Hacker News gravity).

The formula (Hacker News' "gravity" ranking, as described by Amir Salihefendic, "How Hacker
News ranking algorithm works", 2010, and in the Arc source of news.arc)::

    score = upvotes / (age_hours + OFFSET_HOURS) ** GRAVITY

with ``GRAVITY = 1.8`` and ``OFFSET_HOURS = 2``. ``age_hours`` is the time since the paper
entered the daily feed: the moment a user submitted it, else the start (00:00 UTC) of its
``feed_day``. More votes never rank lower at equal age; an older paper never ranks higher at
equal votes. Ties are broken by the newer paper first, then by arXiv id, so the order is total.

Only papers of the last :data:`WINDOW_DAYS` days are candidates: older papers have decayed by a
factor of at least ``(14*24 + 2) ** 1.8 / 2 ** 1.8`` (about 40,000) and would need tens of
thousands of votes to reach the first page, so the window keeps the query small without changing
what is shown in practice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

GRAVITY = 1.8
"""Exponent of the age penalty (Hacker News uses 1.8)."""
OFFSET_HOURS = 2.0
"""Hours added to the age so that a brand-new paper does not divide by zero."""
WINDOW_DAYS = 14
"""Days of papers considered for the trending list."""


def score(
    upvotes: int, age_hours: float, *, gravity: float = GRAVITY, offset_hours: float = OFFSET_HOURS
) -> float:
    """``upvotes / (age_hours + offset_hours) ** gravity`` (Hacker News gravity ranking).

    A negative age (a paper dated in the future) counts as zero; negative upvotes as zero.

    >>> round(score(10, 0), 4)        # 10 / 2 ** 1.8
    2.8717
    >>> score(0, 5)
    0.0
    """
    age = max(0.0, float(age_hours))
    return max(0, upvotes) / (age + offset_hours) ** gravity


def entered_at(
    feed_day: dt.date | None, submitted: dt.datetime | None = None
) -> dt.datetime | None:
    """When a paper entered the feed: its submission time, else 00:00 UTC of its feed day."""
    if submitted is not None:
        return submitted
    if feed_day is None:
        return None
    return dt.datetime.combine(feed_day, dt.time.min, tzinfo=dt.UTC)


def age_hours(entered: dt.datetime | None, now: dt.datetime) -> float:
    """Hours between ``entered`` and ``now`` (an undated paper counts as very old)."""
    if entered is None:
        return float(WINDOW_DAYS * 24 * 100)
    return max(0.0, (now - entered).total_seconds() / 3600.0)


@dataclass(frozen=True)
class Candidate:
    """What the ranking needs to know about one paper."""

    id: str
    upvotes: int
    feed_day: dt.date | None
    submitted: dt.datetime | None = None


def rank(candidates: Iterable[Candidate], now: dt.datetime) -> list[tuple[str, float]]:
    """``(paper id, score)`` best first; ties: the newer paper first, then the smaller id."""
    scored = []
    for c in candidates:
        entered = entered_at(c.feed_day, c.submitted)
        value = score(c.upvotes, age_hours(entered, now))
        newness = entered.timestamp() if entered is not None else float("-inf")
        scored.append((value, newness, c.id))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [(paper_id, value) for value, _, paper_id in scored]


def newest_first(candidates: Iterable[Candidate]) -> list[str]:
    """Ids in :func:`rank`'s tie order (newer entry first, then id), for equal scores."""
    keyed = []
    for c in candidates:
        entered = entered_at(c.feed_day, c.submitted)
        keyed.append((-(entered.timestamp()) if entered is not None else float("inf"), c.id))
    keyed.sort()
    return [paper_id for _, paper_id in keyed]


def window_start(now: dt.datetime, days: int = WINDOW_DAYS) -> dt.date:
    """First feed day inside the trending window that ends at ``now``."""
    return (now - dt.timedelta(days=days)).date()
