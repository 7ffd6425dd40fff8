"""Newest: the latest feed day first, within a day the later (larger) arXiv id; undated last."""

from __future__ import annotations

import datetime as dt

from paperfeed import rankings
from paperfeed.rankings import Row

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
NEWEST = rankings.get("newest")


def test_declaration():
    assert NEWEST.label == "Newest" and NEWEST.inputs == ("feed_day",)
    assert NEWEST.where == {"pages", "api", "feeds", "search"}
    assert NEWEST.pushdown == rankings.NEWER_DAY_FIRST


def test_latest_day_first_then_larger_id_and_the_score_is_the_day():
    rows = [
        Row("2503.00001", feed_day=dt.date(2025, 3, 18)),
        Row("2503.00009"),
        Row("2503.00003", feed_day=dt.date(2025, 3, 18)),
        Row("2503.00002", feed_day=dt.date(2025, 3, 19), upvotes=50),
    ]
    assert NEWEST.rank(rows, NOW) == [
        ("2503.00002", 20250319.0),
        ("2503.00003", 20250318.0),
        ("2503.00001", 20250318.0),
        ("2503.00009", 0.0),
    ]
