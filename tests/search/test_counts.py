"""Counts that say how exact they are: lexical counts every match, hybrid estimates ("about N":
the papers holding the words, exactly, plus those found only by meaning), semantic counts the
ranked candidates."""

import pytest

from paperfeed.search import hybrid
from paperfeed.search.hits import SearchResult
from tests.search.test_hybrid import PAPERS, indexed  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_hybrid_total_is_the_exact_term_matches_plus_meaning_only_hits(indexed):  # noqa: F811
    result = hybrid.search("molecules", limit=len(PAPERS))
    assert result.mode == "hybrid" and result.count_is_estimate
    lexical = hybrid.search("molecules", mode="lexical")
    assert result.term_matches == lexical.total == 2 and not lexical.count_is_estimate
    meaning_only = [h for h in result.hits if not h.matched]
    assert meaning_only and all(h.why[0].endswith("in meaning") for h in meaning_only)
    assert result.total == result.term_matches + len(meaning_only)


def test_semantic_counts_ranked_candidates_and_has_no_term_matches(indexed):  # noqa: F811
    result = hybrid.search("molecules", mode="semantic", limit=2)
    assert result.count_is_estimate and result.term_matches is None
    assert result.total == len(PAPERS)  # every paper is a candidate in a five-paper corpus


def test_a_lexical_result_knows_its_count_is_exact():
    result = SearchResult([], 7, "lexical")
    assert result.term_matches == 7 and not result.count_is_estimate


def test_the_cli_says_about_for_an_estimate():
    import io

    from paperfeed.search.management.commands.search import Command

    row = {"id": "x", "title": "T", "day": None, "categories": [], "authors": []}
    row.update(why=[], snippets={})
    out = io.StringIO()
    Command(stdout=out)._print([row], 212, 0, "hybrid", estimate=True)
    assert out.getvalue().startswith("1-1 of about 212 (hybrid)")
    out = io.StringIO()
    Command(stdout=out)._print([row], 12, 0, "lexical")
    assert out.getvalue().startswith("1-1 of 12 (lexical)")
