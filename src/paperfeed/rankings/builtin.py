"""The rankings paperfeed offers: each one small pure function, registered once right here.

Adding a ranking is one function with its ``@ranking(...)`` declaration in this module, and one
test module in ``tests/rankings/`` (docs/rankings.md shows a real example).
"""

from __future__ import annotations

import datetime as dt

from paperfeed.rankings import gravity
from paperfeed.rankings.inputs import Row, day_number, entered_at
from paperfeed.rankings.order import NEWER_DAY_FIRST, NEWER_ENTRY_FIRST, Term
from paperfeed.rankings.registry import ranking

LISTS = ("pages", "api", "feeds")
"""The list surfaces: the sort tabs of the pages, the API feeds and the RSS/Atom feeds."""


@ranking(
    "relevance",
    label="Relevance",
    help="Best matches for the query first: keyword (BM25) and meaning scores fused.",
    inputs=("relevance", "feed_day"),
    where=("search",),
    tie=NEWER_DAY_FIRST,
)
def relevance(row: Row, now: dt.datetime) -> float:
    """The retrieval score of a search hit (search orders its hits in the index itself)."""
    return row.relevance


@ranking(
    "upvotes",
    label="Most upvoted",
    help="Most upvoted first; equal votes: the newer feed day first.",
    inputs=("upvotes", "feed_day"),
    where=(*LISTS, "search"),
    tie=NEWER_DAY_FIRST,
    pushdown=(Term("upvotes"), *NEWER_DAY_FIRST),
)
def upvotes(row: Row, now: dt.datetime) -> float:
    return row.upvotes


@ranking(
    "newest",
    label="Newest",
    help="The latest feed day first; within a day, the later arXiv id first.",
    inputs=("feed_day",),
    where=(*LISTS, "search"),
    tie=NEWER_DAY_FIRST,
    pushdown=NEWER_DAY_FIRST,
)
def newest(row: Row, now: dt.datetime) -> float:
    """The feed day as YYYYMMDD (0 for an undated paper, which comes last)."""
    return day_number(row.feed_day)


@ranking(
    "trending",
    label="Trending",
    help="Upvotes decayed by age (Hacker News gravity): recent papers with many votes first.",
    inputs=("upvotes", "feed_day", "submitted_at"),
    where=(*LISTS, "digests"),
    tie=NEWER_ENTRY_FIRST,
    zero_unless="upvotes",
)
def trending(row: Row, now: dt.datetime) -> float:
    """:func:`gravity.score` of the upvotes at the paper's age (from when it entered the feed).

    >>> now = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
    >>> round(trending(Row("a", upvotes=10, feed_day=now.date()), now), 4)  # 10 / 14 ** 1.8
    0.0865
    """
    return gravity.score(row.upvotes, gravity.age_hours(entered_at(row), now))


@ranking(
    "discussed",
    label="Most discussed",
    help="Visible comments decayed by age (Hacker News gravity): lively recent discussions first.",
    inputs=("comments", "feed_day", "submitted_at"),
    where=LISTS,
    tie=NEWER_ENTRY_FIRST,
    zero_unless="comments",
)
def discussed(row: Row, now: dt.datetime) -> float:
    """:func:`gravity.score` of the visible comments at the paper's age, as trending does votes.

    >>> now = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
    >>> round(discussed(Row("a", comments=3, feed_day=now.date()), now), 4)  # 3 / 14 ** 1.8
    0.0259
    """
    return gravity.score(row.comments, gravity.age_hours(entered_at(row), now))
