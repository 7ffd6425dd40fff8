"""The rankings registry: declarations are checked, names resolve per surface, orders are total,
the package imports nothing from the rest of paperfeed, and its doctests hold."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import doctest
from pathlib import Path

import pytest

from paperfeed import rankings
from paperfeed.rankings import Row, Term, builtin, gravity, hot, inputs, order, registry

NOW = dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC)
PACKAGE = Path(rankings.__file__).parent


def _ranking(**changes) -> rankings.Ranking:
    base = rankings.Ranking(
        name="example",
        label="Example",
        help="Example first.",
        inputs=("upvotes", "feed_day"),
        where=frozenset({"pages"}),
        score=lambda row, now: row.upvotes,
        tie=rankings.NEWER_DAY_FIRST,
    )
    return dataclasses.replace(base, **changes)


def test_every_registered_ranking_is_consistent():
    assert [r.name for r in rankings.all_rankings()][:5] == [
        "relevance",
        "hot",
        "upvotes",
        "newest",
        "trending",
    ]
    for ranking in rankings.all_rankings():
        ranking.check()
        assert ranking.label and ranking.help.endswith(".")


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"inputs": ("upvotes", "feed_day", "downloads")}, "not in the vocabulary"),
        ({"where": frozenset({"pages", "homepage"})}, "where must name surfaces"),
        ({"where": frozenset()}, "where must name surfaces"),
        ({"tie": (Term("feed_day"),)}, "must end with the id"),
        ({"inputs": ("upvotes",)}, "which inputs do not declare"),
        ({"pushdown": (Term("upvotes"), Term("id"))}, "must end with the tie order"),
        ({"zero_unless": "comments"}, "not one of its inputs"),
        ({"zero_unless": ("upvotes", "comments")}, "not one of its inputs"),
        ({"zero_unless": ()}, "not one of its inputs"),
        ({"name": "most upvoted"}, "plain word"),
    ],
)
def test_inconsistent_declarations_are_refused_naming_the_problem(changes, complaint):
    with pytest.raises(ValueError, match=complaint):
        _ranking(**changes).check()


def test_unknown_order_terms_are_refused():
    with pytest.raises(ValueError, match="'downloads' is none of"):
        Term("downloads")


def test_register_once_and_look_up(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    example = rankings.register(_ranking())
    assert rankings.get("example") is example
    assert rankings.offered("pages")[-1] == "example" and "example" not in rankings.offered("api")
    assert rankings.labels("pages")["example"] == "Example"
    with pytest.raises(ValueError, match="already registered"):
        rankings.register(_ranking(label="Again"))


def test_the_decorator_registers_the_function_it_decorates(monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))

    @rankings.ranking(
        "oldest",
        label="Oldest",
        help="Oldest first.",
        inputs=("feed_day",),
        where=("api",),
        tie=rankings.NEWER_DAY_FIRST,
    )
    def oldest(row, now):
        return -row.feed_day.toordinal()

    assert rankings.get("oldest", surface="api").score is oldest


def test_get_names_the_choices_of_a_surface():
    assert rankings.get("trending", surface="digests").name == "trending"
    with pytest.raises(rankings.UnknownRanking, match=r"one of trending on digests, not 'upvotes'"):
        rankings.get("upvotes", surface="digests")
    with pytest.raises(rankings.UnknownRanking, match="not 'coldest'"):
        rankings.get("coldest")
    with pytest.raises(rankings.UnknownRanking, match="no surface 'sidebar'"):
        rankings.offered("sidebar")


def test_require_checks_names_kept_elsewhere():
    rankings.require(["newest", "trending"], surface="api")
    with pytest.raises(ValueError, match="not rankings offered on api: relevance"):
        rankings.require(["newest", "relevance"], surface="api")


def test_the_surfaces_offer_todays_sorts():
    # the default first
    assert rankings.offered("pages")[:4] == ("hot", "upvotes", "newest", "trending")
    assert set(rankings.offered("search")) == {"relevance", "newest", "upvotes"}
    assert rankings.offered("digests") == ("trending",)


def test_rank_is_total_and_ignores_input_order():
    rows = [
        Row("b", upvotes=1, feed_day=dt.date(2025, 6, 1)),
        Row("a", upvotes=1, feed_day=dt.date(2025, 6, 1)),
        Row("c", upvotes=1, feed_day=dt.date(2025, 6, 2)),
        Row("d", upvotes=5),
    ]
    upvotes = rankings.get("upvotes")
    assert upvotes.rank(rows, NOW) == [("d", 5.0), ("c", 1.0), ("b", 1.0), ("a", 1.0)]
    assert upvotes.rank(list(reversed(rows)), NOW) == upvotes.rank(rows, NOW)
    assert upvotes.rank(iter(rows), NOW) == upvotes.rank(rows, NOW)


def test_none_sorts_lowest_unless_nulls_last():
    rows = [Row("x"), Row("y", feed_day=dt.date(2025, 1, 1))]
    ids = lambda terms: [r.id for r in rankings.sort_rows(rows, terms)]  # noqa: E731
    assert ids((Term("feed_day"), Term("id"))) == ["y", "x"]
    assert ids((Term("feed_day", descending=False), Term("id"))) == ["x", "y"]
    assert ids((Term("feed_day", descending=False, nulls_last=True), Term("id"))) == ["y", "x"]
    assert ids((Term("feed_day", nulls_last=True), Term("id"))) == ["y", "x"]


def test_rankings_import_nothing_from_the_rest_of_paperfeed():
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("paperfeed"):
                    assert name.startswith("paperfeed.rankings") or (
                        name == "paperfeed" and all(a.name == "rankings" for a in node.names)
                    ), f"{path.name} imports {name}"
                assert not name.startswith("django"), f"{path.name} imports {name}"


@pytest.mark.parametrize("module", [inputs, order, gravity, hot, builtin])
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0
