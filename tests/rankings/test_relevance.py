"""Relevance: search's own order, offered by search only; its names are search's sorts."""

from __future__ import annotations

import datetime as dt

from paperfeed import rankings, search
from paperfeed.papers import lists
from paperfeed.rankings import Row
from paperfeed.search import lexical

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
RELEVANCE = rankings.get("relevance")


def test_declaration():
    assert RELEVANCE.label == "Relevance" and RELEVANCE.where == {"search"}
    assert "relevance" in RELEVANCE.inputs


def test_best_retrieval_score_first():
    rows = [Row("a", relevance=0.2), Row("b", relevance=0.9), Row("c", relevance=0.5)]
    assert RELEVANCE.rank(rows, NOW) == [("b", 0.9), ("c", 0.5), ("a", 0.2)]


def test_search_sorts_are_the_rankings_offered_on_search():
    assert lexical.SORTS == search.SORTS == rankings.offered("search")
    assert lexical.SORTS[0] == "relevance"


def test_the_paper_lists_cannot_sort_by_relevance():
    assert "relevance" not in lists.sorts()
