"""The for-you math (paperfeed.personal.relevance): z-scores, percentiles, the blend's parts and
what they add up to, the reasons' order, lexical matching; properties with hypothesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from paperfeed.digests import recommend
from paperfeed.personal import relevance

finite = st.integers(-1000, 1000).map(float)


@given(arrays(np.float64, st.integers(2, 40), elements=finite))
def test_zscore_has_mean_zero_and_unit_spread_unless_constant(values):
    z = relevance.zscore(values)
    if np.ptp(values) < 1e-6:
        return
    assert abs(z.mean()) < 1e-6
    assert abs(z.std() - 1) < 1e-6
    assert np.array_equal(np.argsort(z, kind="stable"), np.argsort(values, kind="stable"))


def test_zscore_leaves_unmasked_entries_at_zero():
    z = relevance.zscore(np.array([1.0, 3.0, 100.0]), np.array([True, True, False]))
    assert z.tolist() == [-1.0, 1.0, 0.0]


@given(arrays(np.float64, st.integers(1, 40), elements=st.floats(0, 1e6)))
def test_percentile_is_bounded_monotone_and_zero_without_signal(scores):
    p = relevance.percentile(scores)
    assert np.all((p >= 0) & (p <= 1))
    assert np.all(p[scores <= 0] == 0)
    positive = scores > 0
    order = np.argsort(scores[positive], kind="stable")
    assert np.all(np.diff(p[positive][order]) >= -1e-12)


def test_the_blend_adds_its_weighted_parts():
    blend = relevance.blend(
        n=4,
        community=np.array([0.0, 1.0, 2.0, 0.0]),
        like=np.array([1.0, 2.0, 3.0, 0.0]),
        has_vector=np.array([True, True, True, False]),
        author=np.array([False, False, False, True]),
        category=np.array([1, 0, 0, 0]),
    )
    weights = relevance.DEFAULT_WEIGHTS
    assert set(blend.parts) == {"like", "author", "category", "community"}
    assert blend.parts["like"][3] == 0  # no vector: the average, not a penalty
    assert blend.parts["author"].tolist() == [0, 0, 0, weights.author]
    w = weights.community  # 1 beats the two zeros of the 3 others, 2 beats all
    assert blend.parts["community"] == pytest.approx([0, w * 2 / 3, w, 0])
    assert np.allclose(blend.total, sum(blend.parts.values()))
    assert relevance.telling(blend, 3) == ["author"]
    assert relevance.telling(blend, 0) == ["category"]  # below the mean on likes: not named


@given(st.integers(0, 500), st.integers(0, 500))
def test_the_like_part_weighs_more_as_liked_papers_add_up(fewer, more):
    fewer, more = sorted((fewer, more))
    half = relevance.DEFAULT_WEIGHTS.like_half
    assert 0 <= relevance.like_share(fewer, half) <= relevance.like_share(more, half) < 1
    assert relevance.like_share(0, half) == 0


def test_the_blend_shrinks_a_like_part_learned_from_few_papers():
    like = np.array([1.0, 2.0, 3.0])
    full = relevance.blend(n=3, community=np.zeros(3), like=like).parts["like"]
    three = relevance.blend(n=3, community=np.zeros(3), like=like, liked=3).parts["like"]
    half = relevance.DEFAULT_WEIGHTS.like_half
    assert three == pytest.approx(full * 3 / (3 + half))
    at_half = relevance.blend(n=3, community=np.zeros(3), like=like, liked=int(half))
    assert at_half.parts["like"] == pytest.approx(full / 2)
    unshrunk = relevance.Weights(like_half=0)
    assert relevance.blend(n=3, community=np.zeros(3), like=like, liked=3, weights=unshrunk).parts[
        "like"
    ] == pytest.approx(full)


def test_the_blend_refuses_parts_of_the_wrong_length_and_bad_weights():
    with pytest.raises(relevance.RelevanceError, match="like has shape"):
        relevance.blend(n=3, community=np.zeros(3), like=np.zeros(2))
    with pytest.raises(relevance.RelevanceError, match="weight author"):
        relevance.Weights(author=-1)


def test_like_scores_rank_the_liked_direction_first():
    rng = np.random.default_rng(0)
    background = recommend.normalise_rows(rng.normal(size=(50, 8)))
    liked = np.eye(8)[:1]
    candidates = np.vstack([np.eye(8)[0], -np.eye(8)[0], np.eye(8)[3]])
    base = recommend.ridge_base(background)
    scores = relevance.like_scores(candidates, liked, np.zeros((0, 8)), base)
    assert np.argmax(scores) == 0 and np.argmin(scores) == 1
    assert relevance.like_scores(candidates, np.zeros((0, 8)), np.zeros((0, 8)), base) is None
    # the shared base gives what ridge_batch computes from the background itself
    w1, b1 = recommend.ridge_batch([(liked, None)], base)
    w2, b2 = recommend.ridge_batch([(liked, None)], background)
    assert np.allclose(w1, w2, atol=1e-5) and np.allclose(b1, b2, atol=1e-5)


def test_similar_counts_and_topics():
    candidates = np.eye(3)
    liked = np.array([[1.0, 0, 0], [0.8, 0.6, 0]])
    counts, near = relevance.similar_counts(candidates, liked, floor=0.5)
    assert counts.tolist() == [2, 1, 0]
    assert near.tolist() == [[True, True], [False, True], [False, False]]
    with pytest.raises(relevance.RelevanceError):
        relevance.topic_scores(candidates, np.zeros((0, 3)))


@given(st.text(max_size=60))
def test_query_terms_are_lower_case_without_stop_words(text):
    terms = relevance.query_terms(text)
    assert all(t == t.lower() and t not in relevance.STOPWORDS for t in terms)
    assert len(set(terms)) == len(terms)
    if terms:
        assert relevance.matches_terms(relevance.text_words(text), terms)


words = st.sampled_from(["graph", "graphs", "network", "networks", "the", "Ümlaut", "es", "x_y"])


@given(
    st.lists(words, max_size=12).map(" ".join) | st.text(max_size=40),
    st.lists(st.lists(words, max_size=3).map(" ".join) | st.text(max_size=12), max_size=4),
)
def test_matching_queries_is_matches_terms_on_every_query(text, queries):
    terms = [(q, relevance.query_terms(q)) for q in queries]
    words_of = relevance.text_words(text)
    expected = [q for q, t in terms if relevance.matches_terms(words_of, t)]
    assert relevance.matching_queries(text, terms) == expected
