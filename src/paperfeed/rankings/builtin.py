"""The rankings paperfeed offers: each one small pure function, registered once right here.

Adding a ranking is one function with its ``@ranking(...)`` declaration in this module, and one
test module in ``tests/rankings/`` (docs/rankings.md shows a real example).
"""

from __future__ import annotations

import datetime as dt

from paperfeed.rankings import gravity
from paperfeed.rankings import hot as hot_formula
from paperfeed.rankings.inputs import Row, day_number, day_start, entered_at
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
    "hot",
    label="Hot",
    help="Upvotes here and on Hugging Face, GitHub stars gained this week and citations, "
    "blended and decayed by age: what people are reading now first.",
    inputs=("upvotes", "hf_upvotes", "stars_gained", "citations", "feed_day"),
    where=LISTS,
    tie=NEWER_DAY_FIRST,
    zero_unless=("upvotes", "hf_upvotes", "stars_gained", "citations"),
    monotone=True,
)
def hot(row: Row, now: dt.datetime) -> float:
    """:func:`hot_formula.score` (the blend, decayed like trending) with the weights in use;
    papers without any signal score 0 and keep the lists' usual order.

    The age counts from the start of the paper's feed day, also for a submitted paper (which
    joins the daily list being collected): in one day's list every paper has the same age, so
    the points alone decide, as on Hugging Face's daily page.

    >>> now = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
    >>> round(hot(Row("a", upvotes=1, hf_upvotes=7, feed_day=now.date()), now), 4)  # 10 / 14 ** 1.8
    0.0865
    """
    age = gravity.age_hours(day_start(row.feed_day), now)
    weights = hot_formula.current()
    return hot_formula.score(
        row.upvotes, row.hf_upvotes, row.stars_gained, row.citations, age, weights
    )


STAR_SPAN = 2**26
"""Star counts and weekly gains are taken to be below 2**26 (67 million) in size; GitHub's
most-starred repository has under half a million. That bound makes :func:`stars_score` exact."""


def stars_score(gained: int | None, stars: int | None) -> float:
    """One float that orders as ``(gain known, gain, stars known, stars)``, higher first: the
    order the ``stars`` ranking's pushdown gives in SQL (the gain NULLS LAST, then the stars
    NULLS LAST). Exact for values within :data:`STAR_SPAN` (at most ``2**52``).

    >>> keys = [(None, None), (None, 0), (None, 9000), (-3, 40), (0, 5), (0, 6), (1, 0)]
    >>> scores = [stars_score(g, s) for g, s in keys]
    >>> scores == sorted(set(scores)), scores[0]
    (True, 0.0)
    """
    half = STAR_SPAN // 2
    total = 0 if stars is None else 1 + min(max(stars, 0), STAR_SPAN - 2)
    if gained is None:
        return float(total)
    gain = min(max(gained, -half), half - 1) + half  # 0 .. STAR_SPAN - 1
    return float((1 + gain) * STAR_SPAN + total)


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


@ranking(
    "stars",
    label="Stars",
    help="GitHub stars gained this week first (as Hugging Face ranks trending papers); "
    "without a weekly gain, total stars; then the newer paper.",
    inputs=("stars_gained", "stars", "feed_day"),
    where=LISTS,
    tie=NEWER_DAY_FIRST,
    pushdown=(
        Term("stars_gained", nulls_last=True),
        Term("stars", nulls_last=True),
        *NEWER_DAY_FIRST,
    ),
)
def stars(row: Row, now: dt.datetime) -> float:
    """:func:`stars_score` of the paper's best repository (0: no stars known)."""
    return stars_score(row.stars_gained, row.stars)


@ranking(
    "for_you",
    label="For you",
    help="Your own order: papers like those you upvoted, saved or marked, and by the authors, "
    "categories, organisations and searches you follow, blended with Hot (signed-in members "
    "with a profile only).",
    inputs=("personal", "feed_day"),
    where=("pages", "api", "search"),
    tie=NEWER_DAY_FIRST,
    personal=True,
)
def for_you(row: Row, now: dt.datetime) -> float:
    """The paper's for-you score (:func:`paperfeed.personal.foryou.order_papers`, given to the
    row by whoever ranks: the lists, search); a paper it did not score comes last.

    >>> for_you(Row("a", personal=1.5), dt.datetime.now(dt.UTC)), for_you(Row("b"), None)
    (1.5, 0.0)
    """
    return 0.0 if row.personal is None else float(row.personal)
