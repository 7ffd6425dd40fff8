"""Ranking math of paperfeed.digests.recommend on small numpy arrays (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from paperfeed.digests import recommend as rec


def unit(rng, n, dim=16):
    return rec.normalise_rows(rng.normal(size=(n, dim)))


def test_normalise_rows_makes_unit_rows_and_keeps_zero_rows():
    out = rec.normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-6)


def test_centroid_is_normalised_mean_of_liked():
    liked = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    profile = rec.centroid_profile(liked)
    np.testing.assert_allclose(profile, [2**-0.5, 2**-0.5, 0.0], rtol=1e-6)


def test_centroid_subtracts_beta_times_disliked_mean():
    liked = np.array([[1.0, 0.0], [0.0, 1.0]])
    disliked = np.array([[0.0, 1.0]])
    # mean(liked) - 0.5 * disliked = (0.5, 0.0) -> (1, 0)
    np.testing.assert_allclose(rec.centroid_profile(liked, disliked, beta=0.5), [1.0, 0.0])
    np.testing.assert_allclose(rec.centroid_profile(liked, disliked, beta=0.0), [2**-0.5] * 2)


def test_centroid_without_liked_is_zero_and_rejects_bad_input():
    assert not rec.centroid_profile(np.zeros((0, 4))).any()
    with pytest.raises(rec.RecommendError, match="beta"):
        rec.centroid_profile(np.eye(2), beta=-1)
    with pytest.raises(rec.RecommendError, match="disliked has 3 columns"):
        rec.centroid_profile(np.eye(2), np.ones((1, 3)))
    with pytest.raises(rec.RecommendError, match="NaN"):
        rec.centroid_profile(np.array([[np.nan, 1.0]]))
    with pytest.raises(rec.RecommendError, match="2-d"):
        rec.centroid_profile(np.ones((2, 2, 2)))


def test_score_profiles_is_one_matrix_product():
    rng = np.random.default_rng(1)
    profiles, candidates = unit(rng, 3), unit(rng, 5)
    np.testing.assert_allclose(
        rec.score_profiles(profiles, candidates), profiles @ candidates.T, rtol=1e-6
    )


def _two_topics(rng, n_liked, n_background=200, dim=16):
    """Liked papers near direction e0, background spread everywhere, candidates of both."""
    axis = np.zeros(dim)
    axis[0] = 3.0
    liked = rec.normalise_rows(rng.normal(size=(n_liked, dim)) + axis)
    background = unit(rng, n_background, dim)
    on_topic = rec.normalise_rows(rng.normal(size=(20, dim)) + axis)
    off_topic = unit(rng, 80, dim)
    return liked, background, np.vstack([on_topic, off_topic])


@pytest.mark.parametrize("train", [rec.train_logistic, rec.train_ridge])
def test_classifiers_rank_the_liked_topic_first(train):
    rng = np.random.default_rng(2)
    liked, background, candidates = _two_topics(rng, 10)
    model = train(liked, None, background)
    top = rec.top_k_per_row(model.score(candidates), 10)
    assert (top < 20).mean() >= 0.9  # the first 20 candidates are on topic


def test_logistic_separates_training_data_and_disliked_push_scores_down():
    rng = np.random.default_rng(3)
    liked, background, _ = _two_topics(rng, 10)
    model = rec.train_logistic(liked, None, background)
    assert model.score(liked).min() > np.median(model.score(background))
    disliked = liked[:2] + 0.0
    with_dislike = rec.train_logistic(liked[2:], disliked, background)
    assert with_dislike.score(disliked).mean() < model.score(disliked).mean()


def test_classifiers_reject_missing_classes():
    liked = np.eye(4)[:2]
    with pytest.raises(rec.RecommendError, match="at least one liked"):
        rec.train_logistic(np.zeros((0, 4)), None, np.eye(4))
    with pytest.raises(rec.RecommendError, match="negatives"):
        rec.train_logistic(liked, None, np.zeros((0, 4)))
    with pytest.raises(rec.RecommendError, match="background"):
        rec.train_ridge(liked, None, np.zeros((0, 4)))
    with pytest.raises(rec.RecommendError, match="l2"):
        rec.train_ridge(liked, None, np.eye(4), l2=0)


def test_ridge_solves_its_normal_equations():
    rng = np.random.default_rng(4)
    liked, disliked, background = unit(rng, 4), unit(rng, 2), unit(rng, 30)
    model = rec.train_ridge(liked, disliked, background, l2=2.0, disliked_weight=3.0)
    rows = np.vstack([liked, disliked, background]).astype(np.float64)
    design = np.hstack([rows, np.ones((rows.shape[0], 1))])
    y = np.r_[np.ones(4), -np.ones(32)]
    c = np.r_[np.full(4, 30 / 4), np.full(2, 3.0), np.ones(30)]
    theta = np.r_[model.weights, model.bias]
    penalty = np.r_[np.full(16, 2.0), 1e-6]
    gradient = (design.T * c) @ (design @ theta - y) + penalty * theta
    assert np.abs(gradient).max() < 1e-3


def test_ridge_batch_equals_one_solve_per_user():
    rng = np.random.default_rng(5)
    background = unit(rng, 60)
    users = [(unit(rng, 3), unit(rng, 2)), (unit(rng, 7), None), (np.zeros((0, 16)), None)]
    weights, biases = rec.ridge_batch(users, background, l2=1.5, disliked_weight=2.0)
    for row, (liked, disliked) in enumerate(users[:2]):
        model = rec.train_ridge(liked, disliked, background, l2=1.5, disliked_weight=2.0)
        np.testing.assert_allclose(weights[row], model.weights, atol=1e-5)
        assert biases[row] == pytest.approx(model.bias, abs=1e-5)
    assert not weights[2].any() and biases[2] == 0


def test_ridge_batch_names_the_bad_user():
    with pytest.raises(rec.RecommendError, match=r"users\[1\] liked has 3 columns"):
        rec.ridge_batch([(np.eye(4)[:1], None), (np.ones((1, 3)), None)], np.eye(4))


def test_stack_scores_like_each_model():
    rng = np.random.default_rng(6)
    background, candidates = unit(rng, 40), unit(rng, 9)
    models = [rec.train_ridge(unit(rng, 3), None, background) for _ in range(3)]
    weights, biases = rec.stack(models)
    expected = np.vstack([m.score(candidates) for m in models])
    np.testing.assert_allclose(candidates @ weights.T + biases, expected.T, rtol=1e-5)


def test_popularity_is_monotone_in_upvotes_and_rejects_negative():
    scores = rec.popularity_scores(np.array([0, 5, 2]))
    assert list(rec.top_k_per_row(scores, 3)) == [1, 2, 0]
    with pytest.raises(rec.RecommendError, match=">= 0"):
        rec.popularity_scores(np.array([-1]))


def test_top_k_orders_best_first_breaks_ties_by_index_and_excludes():
    scores = np.array([[0.1, 0.9, 0.5, 0.9], [0.3, 0.2, 0.1, 0.0]])
    assert rec.top_k_per_row(scores, 3).tolist() == [[1, 3, 2], [0, 1, 2]]
    exclude = np.array([[False, True, False, False], [True, True, True, False]])
    assert rec.top_k_per_row(scores, 3, exclude).tolist() == [[3, 2, 0], [3, -1, -1]]
    assert rec.top_k_per_row(scores, 6)[0].tolist() == [1, 3, 2, 0, -1, -1]
    assert rec.top_k_per_row(np.array([0.2, 0.7]), 1).tolist() == [1]
    with pytest.raises(rec.RecommendError, match="k must be"):
        rec.top_k_per_row(scores, 0)


def test_nearest_liked_names_the_most_similar_liked_paper():
    liked = np.eye(3)
    chosen = rec.normalise_rows(np.array([[0.1, 0.9, 0.0], [0.0, 0.2, 0.8]]))
    assert rec.nearest_liked(liked, chosen).tolist() == [1, 2]
