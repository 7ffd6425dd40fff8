"""Which day a paper belongs to in the daily feed, and which day the home page shows.

**The day of a paper** (``Paper.feed_day``): the arXiv listing day it was announced in (else the
date of its first version). A paper that a user submits joins *the current daily list*, as on
Hugging Face, where a submission is filed under the daily list being collected
(``submittedOnDailyAt``), not under a day of its own: the newest day of papers nobody submitted
(the latest listing), when that day is at most :data:`STALE_DAYS` old. Only a store that has
not been fed for longer files a submission under the day it was made. So one submission early in
the morning no longer makes "today" a one-paper day.

**The day the home page shows** (and the daily RSS, the API's default day): the latest *full* day
— the newest of the last :data:`RECENT_DAYS` feed days that holds at least :data:`NEAR_EMPTY` of
the median number of papers of those days (:func:`full_day`). A day still being harvested, or a
day of stray submissions, is skipped while a full one exists; it stays reachable at its URL.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence

from django.db.models import Count

from paperfeed.papers.models import Paper

STALE_DAYS = 7
"""A submission joins the latest listing day only when that day is at most this many days old."""
RECENT_DAYS = 10
"""How many of the latest feed days the home page compares."""
NEAR_EMPTY = 0.2
"""A day with fewer papers than this share of the recent days' median is near-empty."""


def full_day(counts: Sequence[tuple[dt.date, int]]) -> dt.date | None:
    """The latest day of ``counts`` (``(day, papers)``, any order) holding at least
    :data:`NEAR_EMPTY` of the median count; None for no days.

    >>> d = dt.date(2026, 6, 12)
    >>> full_day([(d, 1), (d - dt.timedelta(1), 310), (d - dt.timedelta(2), 290)])
    datetime.date(2026, 6, 11)
    >>> full_day([(d, 120), (d - dt.timedelta(1), 310)])  # a smaller day is still a day
    datetime.date(2026, 6, 12)
    >>> full_day([(d, 1)])
    datetime.date(2026, 6, 12)
    """
    if not counts:
        return None
    ordered = sorted(counts, reverse=True)
    floor = NEAR_EMPTY * statistics.median(n for _, n in ordered)
    return next(day for day, n in ordered if n >= floor)


def recent_day_counts(on_or_before: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """``(day, visible papers)`` of the latest :data:`RECENT_DAYS` feed days, newest first."""
    qs = Paper.objects.visible().filter(feed_day__isnull=False)
    if on_or_before is not None:
        qs = qs.filter(feed_day__lte=on_or_before)
    rows = qs.order_by("-feed_day").values("feed_day").annotate(n=Count("pk"))
    return [(row["feed_day"], row["n"]) for row in rows[:RECENT_DAYS]]


def latest_full_day(on_or_before: dt.date | None = None) -> dt.date | None:
    """The day the home page shows (see the module doc); None when there are no papers."""
    return full_day(recent_day_counts(on_or_before))


def submission_day(submitted_on: dt.date) -> dt.date:
    """The feed day of a paper submitted on ``submitted_on`` (see the module doc)."""
    latest = (
        Paper.objects.visible()
        .filter(submission__isnull=True, feed_day__lte=submitted_on)
        .order_by("-feed_day")
        .values_list("feed_day", flat=True)
        .first()
    )
    if latest is not None and (submitted_on - latest).days <= STALE_DAYS:
        return latest
    return submitted_on
