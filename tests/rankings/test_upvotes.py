"""Most upvoted: more votes first; equal votes, the newer feed day, then the larger id."""

from __future__ import annotations

import datetime as dt

from paperfeed import rankings
from paperfeed.rankings import Row

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
UPVOTES = rankings.get("upvotes")
D1, D2 = dt.date(2025, 6, 1), dt.date(2025, 6, 2)


def test_declaration():
    assert UPVOTES.label == "Most upvoted"
    assert UPVOTES.where == {"pages", "api", "feeds", "search"}
    assert [t.field for t in UPVOTES.pushdown] == ["upvotes", "feed_day", "id"]


def test_more_votes_first_then_newer_day_then_larger_id():
    rows = [
        Row("2506.00001", upvotes=3, feed_day=D1),
        Row("2506.00002", upvotes=1, feed_day=D2),
        Row("2506.00003", upvotes=1, feed_day=D1),
        Row("2506.00004", upvotes=1, feed_day=D1),
        Row("2506.00005", upvotes=0, feed_day=D2),
    ]
    assert UPVOTES.rank(rows, NOW) == [
        ("2506.00001", 3.0),
        ("2506.00002", 1.0),
        ("2506.00004", 1.0),
        ("2506.00003", 1.0),
        ("2506.00005", 0.0),
    ]


def test_undated_papers_follow_dated_ones_with_equal_votes():
    rows = [Row("a", upvotes=2), Row("b", upvotes=2, feed_day=D1)]
    assert [pid for pid, _ in UPVOTES.rank(rows, NOW)] == ["b", "a"]
