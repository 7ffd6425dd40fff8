"""Trending: the Hacker News gravity formula by hand, its monotonicity, and its total order."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperfeed import rankings
from paperfeed.rankings import Row, gravity
from paperfeed.rankings.gravity import score

NOW = dt.datetime(2025, 6, 10, 12, 0, tzinfo=dt.UTC)
TRENDING = rankings.get("trending")


def test_constants_are_hacker_news_gravity():
    assert gravity.GRAVITY == 1.8
    assert gravity.OFFSET_HOURS == 2


@pytest.mark.parametrize(
    ("votes", "age", "expected"),
    [
        (10, 0, 10 / 2**1.8),  # 2.8717...
        (10, 22, 10 / 24**1.8),  # 0.0328...
        (100, 46, 100 / 48**1.8),  # 0.0941...
        (0, 5, 0.0),
        (7, -3, 7 / 2**1.8),  # future dates count as age 0
    ],
)
def test_score_by_hand(votes, age, expected):
    assert score(votes, age) == pytest.approx(expected, rel=1e-12)


def test_score_known_decimal_values():
    assert round(score(10, 0), 4) == 2.8717
    assert round(score(10, 22), 4) == 0.0328
    assert round(score(100, 46), 4) == 0.0941


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.floats(0, 10_000))
def test_more_votes_never_rank_lower_at_equal_age(a, b, age):
    low, high = sorted((a, b))
    assert score(low, age) <= score(high, age)


@given(st.integers(0, 10_000), st.floats(0, 10_000), st.floats(0, 10_000))
def test_older_never_ranks_higher_at_equal_votes(votes, a, b):
    young, old = sorted((a, b))
    assert score(votes, old) <= score(votes, young)


def test_declaration():
    assert TRENDING.label == "Trending" and TRENDING.zero_unless == "upvotes"
    assert {"pages", "api", "feeds", "digests"} <= TRENDING.where


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 20)),
        min_size=1,
        max_size=30,
        unique_by=lambda t: t,
    )
)
def test_rank_orders_by_score_and_is_total(pairs):
    rows = [
        Row(f"id{i}", upvotes=votes, feed_day=(NOW - dt.timedelta(days=days)).date())
        for i, (votes, days) in enumerate(pairs)
    ]
    ranked = TRENDING.rank(rows, NOW)
    assert sorted(pid for pid, _ in ranked) == sorted(r.id for r in rows)
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert TRENDING.rank(list(reversed(rows)), NOW) == ranked  # input order does not matter


def test_rank_uses_submission_time_over_feed_day_and_breaks_ties_by_newness():
    day = NOW.date()
    submitted = Row("sub", upvotes=5, feed_day=day, submitted_at=NOW - dt.timedelta(hours=1))
    listed = Row("lst", upvotes=5, feed_day=day)  # entered at 00:00, 12 hours ago
    tie_old = Row("old", feed_day=day - dt.timedelta(days=1))
    tie_new = Row("new", feed_day=day)
    undated = Row("aaa")
    ranked = [pid for pid, _ in TRENDING.rank([tie_old, undated, listed, tie_new, submitted], NOW)]
    assert ranked == ["sub", "lst", "new", "old", "aaa"]
    assert dict(TRENDING.rank([listed], NOW))["lst"] == pytest.approx(5 / 14**1.8)


def test_equal_entry_breaks_ties_by_the_smaller_id():
    day = NOW.date()
    rows = [Row("2506.00003", feed_day=day), Row("2506.00002", feed_day=day)]
    assert [pid for pid, _ in TRENDING.rank(rows, NOW)] == ["2506.00002", "2506.00003"]
