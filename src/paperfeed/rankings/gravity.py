"""Hacker News "gravity": a count decayed by age, the math of the decaying rankings.

The formula (Hacker News' "gravity" ranking, as described by Amir Salihefendic, "How Hacker
News ranking algorithm works", 2010, and in the Arc source of news.arc)::

    score = count / (age_hours + OFFSET_HOURS) ** GRAVITY

with ``GRAVITY = 1.8`` and ``OFFSET_HOURS = 2``; ``count`` is what the ranking decays (upvotes
for trending, the blended points for hot: :mod:`paperfeed.rankings.hot`). ``age_hours`` is the
time since the paper entered the daily feed (:func:`~paperfeed.rankings.inputs.entered_at`: the
moment a user submitted it, else the start, 00:00 UTC, of its ``feed_day``). A larger count never ranks lower at equal age; an older paper
never ranks higher at an equal count.

The trending list only considers papers of the last :data:`WINDOW_DAYS` days: older papers have
decayed by a factor of at least ``(14*24 + 2) ** 1.8 / 2 ** 1.8`` (about 40,000) and would need
tens of thousands of votes to reach the first page, so the window keeps the query small without
changing what is shown in practice.
"""

from __future__ import annotations

import datetime as dt

GRAVITY = 1.8
"""Exponent of the age penalty (Hacker News uses 1.8)."""
OFFSET_HOURS = 2.0
"""Hours added to the age so that a brand-new paper does not divide by zero."""
WINDOW_DAYS = 14
"""Days of papers considered for the trending list."""


def score(
    count: float, age_hours: float, *, gravity: float = GRAVITY, offset_hours: float = OFFSET_HOURS
) -> float:
    """``count / (age_hours + offset_hours) ** gravity`` (Hacker News gravity ranking).

    A negative age (a paper dated in the future) counts as zero; a negative count as zero.

    >>> round(score(10, 0), 4)        # 10 / 2 ** 1.8
    2.8717
    >>> round(score(100, 46), 4)      # 100 / 48 ** 1.8
    0.0941
    >>> score(0, 5)
    0.0
    """
    age = max(0.0, float(age_hours))
    return max(0, count) / (age + offset_hours) ** gravity


def age_hours(entered: dt.datetime | None, now: dt.datetime) -> float:
    """Hours between ``entered`` and ``now`` (an undated paper counts as very old).

    >>> now = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
    >>> age_hours(dt.datetime(2025, 6, 10, tzinfo=dt.UTC), now), age_hours(None, now)
    (12.0, 33600.0)
    """
    if entered is None:
        return float(WINDOW_DAYS * 24 * 100)
    return max(0.0, (now - entered).total_seconds() / 3600.0)


def window_start(now: dt.datetime, days: int = WINDOW_DAYS) -> dt.date:
    """First feed day inside the trending window that ends at ``now``."""
    return (now - dt.timedelta(days=days)).date()
