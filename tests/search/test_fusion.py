import math

import pytest

from paperfeed.search import fusion
from paperfeed.search.hits import Hit
from paperfeed.search.hybrid import FusionConfig, fuse


def test_rrf_matches_hand_computed_scores():
    scores = fusion.rrf([["a", "b", "c"], ["b", "d"]], k=60)
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 63)
    assert scores["d"] == pytest.approx(1 / 62)
    assert fusion.ranking(scores) == ["b", "a", "d", "c"]


def test_weighted_rrf_weights_each_list():
    scores = fusion.weighted_rrf([["a"], ["b"]], [0.25, 0.75], k=1)
    assert scores == {"a": pytest.approx(0.125), "b": pytest.approx(0.375)}
    with pytest.raises(ValueError, match="2 rankings but 1 weights"):
        fusion.weighted_rrf([["a"], ["b"]], [1.0])


def test_min_max_and_z_score():
    assert fusion.min_max({"a": 2.0, "b": 4.0, "c": 3.0}) == {"a": 0.0, "b": 1.0, "c": 0.5}
    assert fusion.min_max({"a": 5.0, "b": 5.0}) == {"a": 1.0, "b": 1.0}
    assert fusion.min_max({}) == {}
    z = fusion.z_score({"a": 1.0, "b": 3.0})
    assert z == {"a": pytest.approx(-1.0), "b": pytest.approx(1.0)}
    assert fusion.z_score({"a": 7.0}) == {"a": 0.0}


def test_convex_combination_by_hand():
    lexical = {"a": 10.0, "b": 5.0, "c": 0.0}  # min-max: a 1, b 0.5, c 0
    semantic = {"b": 0.9, "d": 0.5}  # min-max: b 1, d 0
    scores = fusion.convex([lexical, semantic], [0.4, 0.6])
    # a missing from semantic gets that list's floor (0); d missing from lexical gets 0
    assert scores["a"] == pytest.approx(0.4)
    assert scores["b"] == pytest.approx(0.4 * 0.5 + 0.6 * 1.0)
    assert scores["c"] == pytest.approx(0.0)
    assert scores["d"] == pytest.approx(0.0)
    assert fusion.ranking(scores)[:2] == ["b", "a"]


def test_convex_rejects_bad_weights_and_normaliser():
    with pytest.raises(ValueError, match="sum to 1"):
        fusion.convex([{"a": 1.0}, {"a": 1.0}], [0.5, 0.6])
    with pytest.raises(ValueError, match="normalise must be"):
        fusion.convex([{"a": 1.0}], [1.0], "softmax")


def test_ranking_breaks_ties_by_id():
    assert fusion.ranking({"b": 1.0, "a": 1.0, "c": 2.0}) == ["c", "a", "b"]


def test_fuse_merges_hits_and_explains_both_sides():
    lexical = [
        Hit(
            "x",
            12.0,
            why=["title matches “graph”"],
            terms=["graph"],
            snippets={"title": "<mark>graph</mark>"},
        ),
        Hit("y", 3.0, why=["abstract"]),
    ]
    semantic = [
        Hit("x", 0.8, why=["semantically close (cosine 0.80)"], similarity=0.8),
        Hit("z", 0.6, why=["semantically close (cosine 0.60)"], similarity=0.6),
    ]
    fused = fuse(lexical, semantic, FusionConfig(method="convex", weight=0.5, depth=10))
    assert [h.id for h in fused] == ["x", "y", "z"]
    x = fused[0]
    assert x.score == pytest.approx(1.0)
    assert x.why == ["title matches “graph”", "semantically close (cosine 0.80)"]
    assert x.terms == ["graph"] and x.similarity == 0.8 and x.snippets
    assert fused[2].why == ["semantically close (cosine 0.60)"]
    assert lexical[0].why == ["title matches “graph”"]  # inputs are not modified


def test_fuse_rrf_and_depth():
    lexical = [Hit(i, 10.0 - n) for n, i in enumerate("abc")]
    semantic = [Hit(i, 1.0 - n / 10) for n, i in enumerate("cab")]
    fused = fuse(lexical, semantic, FusionConfig(method="rrf", depth=2))
    # depth 2: lexical a(1) b(2); semantic c(1) a(2) -> a = 1/61 + 1/62 is best
    assert fused[0].id == "a"
    assert {h.id for h in fused} == {"a", "b", "c"}
    assert math.isclose(fused[0].score, 1 / 61 + 1 / 62)
    with pytest.raises(ValueError, match="fusion method"):
        fuse(lexical, semantic, FusionConfig(method="max"))
