"""Personal recommendations: ranking math on numpy arrays, no database.

A user's signals are the L2-normalised embeddings of papers they liked (upvotes, saved papers,
"more like this") and disliked ("less like this"). Three rankers score a matrix of candidate
vectors (one row per new paper):

- :func:`centroid_profile` + :func:`score_profiles`: the Rocchio profile (Rocchio, "Relevance
  feedback in information retrieval", 1971; Manning, Raghavan & Schütze, *Introduction to
  Information Retrieval*, eq. 9.3) ``q = mean(liked) - beta * mean(disliked)``, renormalised;
  a candidate's score is the cosine ``q . x``.
- :func:`train_logistic`: a per-user L2-regularised logistic regression (the linear classifier
  arxiv-sanity-lite trains per tag, with a log loss instead of the SVM hinge) fitted by Newton's
  method, liked papers against disliked papers plus a background sample of other papers.
- :func:`train_ridge` / :func:`ridge_batch`: a per-user regularised least-squares classifier
  (closed form; thousands of users share one matrix inverse through the Woodbury identity).
- :func:`popularity_scores`: the same list for everyone, by upvotes (the trending baseline).

``benchmarks/bench_recommend.py`` measures them (precision@10 of next-period recommendations for
simulated users); :data:`DEFAULT_METHOD` is the one that measurement chose.

Every function takes and returns plain arrays so the digest builder can score thousands of
profiles against a period's candidates with one matrix product (:func:`top_k_per_row`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("centroid", "logistic", "ridge", "popularity")
DEFAULT_METHOD = "ridge"
"""Chosen by ``benchmarks/bench_recommend.py`` (396 simulated users): precision@10 of ridge /
logistic / centroid / popularity was 0.345 / 0.340 / 0.301 / 0.086 with 3 upvotes, 0.458 / 0.442 /
0.353 / 0.086 with 10 and 0.530 / 0.511 / 0.375 / 0.086 with 30; ridge is also the one that
:func:`ridge_batch` trains for 10,000 users in seconds."""

NEGATIVE_WEIGHT = 0.5
"""Rocchio's gamma/beta ratio for disliked papers (IIR §9.1.1 suggests beta=0.75, gamma=0.15-0.25
for documents judged by the system; explicit "less like this" clicks deserve more weight)."""

L2_PENALTY = 1.0
"""lambda of :func:`train_logistic`: weight of ``||w||^2 / 2`` against the summed log loss."""


RIDGE_PENALTY = 3.0
"""lambda of :func:`train_ridge`."""
DISLIKED_WEIGHT = 1.0
"""Weight of a "less like this" paper in :func:`train_ridge`, in background rows."""


class RecommendError(ValueError):
    """Arrays of the wrong shape or kind given to a ranking function, said in words."""


def _matrix(name: str, array, dim: int | None = None) -> np.ndarray:
    matrix = np.asarray(array, dtype=np.float32)
    if matrix.ndim == 1 and matrix.size == 0:
        matrix = matrix.reshape(0, dim or 0)
    if matrix.ndim != 2:
        raise RecommendError(f"{name} must be a 2-d array (rows are papers), not {matrix.ndim}-d")
    if dim is not None and matrix.shape[0] and matrix.shape[1] != dim:
        raise RecommendError(f"{name} has {matrix.shape[1]} columns, expected {dim}")
    if not np.all(np.isfinite(matrix)):
        raise RecommendError(f"{name} contains NaN or infinite values")
    return matrix


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm ``x / ||x||``; all-zero rows stay zero."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def centroid_profile(
    liked: np.ndarray, disliked: np.ndarray | None = None, *, beta: float = NEGATIVE_WEIGHT
) -> np.ndarray:
    """Rocchio profile ``q = normalise(mean(liked) - beta * mean(disliked))`` (IIR eq. 9.3).

    ``liked`` and ``disliked`` are (n, d) arrays of paper vectors; an empty ``disliked`` adds
    nothing. Returns a unit vector of length d, or zeros when ``liked`` is empty (no profile: the
    caller falls back to cold start).
    """
    liked = _matrix("liked", liked)
    dim = liked.shape[1]
    disliked = _matrix("disliked", disliked if disliked is not None else [], dim)
    if beta < 0:
        raise RecommendError(f"beta must be >= 0, not {beta}")
    if liked.shape[0] == 0:
        return np.zeros(dim, dtype=np.float32)
    profile = liked.mean(axis=0)
    if disliked.shape[0]:
        profile = profile - beta * disliked.mean(axis=0)
    return normalise_rows(profile)


def score_profiles(profiles: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Cosine scores ``S = P X^T`` of every profile (rows of P, unit) for every candidate (rows of
    X, unit): a (users, candidates) float32 matrix from one matrix product."""
    profiles = _matrix("profiles", profiles)
    candidates = _matrix("candidates", candidates, profiles.shape[1])
    return profiles @ candidates.T


@dataclass(frozen=True)
class LinearModel:
    """``score(x) = w . x + b``; a stack of them scores like profiles (see :func:`stack`)."""

    weights: np.ndarray
    bias: float

    def score(self, candidates: np.ndarray) -> np.ndarray:
        candidates = _matrix("candidates", candidates, self.weights.shape[0])
        return candidates @ self.weights + np.float32(self.bias)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow


def train_logistic(
    liked: np.ndarray,
    disliked: np.ndarray | None,
    background: np.ndarray,
    *,
    l2: float = L2_PENALTY,
    disliked_weight: float = 1.0,
    iterations: int = 8,
) -> LinearModel:
    """Per-user logistic regression, minimising (Newton's method / IRLS, Bishop *PRML* §4.3.3)::

        L(w, b) = sum_i c_i log(1 + exp(-y_i (w . x_i + b))) + l2/2 ||w||^2

    with ``y = +1`` for ``liked`` rows and ``-1`` for ``disliked`` and ``background`` rows
    (background: other papers of the period, assumed uninteresting, as arxiv-sanity-lite's SVM
    takes every untagged paper as a negative). Class weights ``c_i`` balance the two classes
    (each class sums to the number of rows / 2); disliked rows weigh ``disliked_weight`` times a
    background row. Each Newton step solves ``(X^T R X + l2 I') delta = -gradient`` with
    ``R = diag(c_i p_i (1 - p_i))`` on the (d+1)-dim problem (the bias is not penalised).
    """
    liked = _matrix("liked", liked)
    dim = liked.shape[1]
    disliked = _matrix("disliked", disliked if disliked is not None else [], dim)
    background = _matrix("background", background, dim)
    if liked.shape[0] == 0:
        raise RecommendError("train_logistic needs at least one liked paper")
    if disliked.shape[0] + background.shape[0] == 0:
        raise RecommendError("train_logistic needs disliked or background papers as negatives")
    if l2 <= 0:
        raise RecommendError(f"l2 must be > 0, not {l2}")
    features = np.vstack([liked, disliked, background]).astype(np.float64)
    design = np.hstack([features, np.ones((features.shape[0], 1))])
    labels = np.concatenate(
        [np.ones(liked.shape[0]), -np.ones(disliked.shape[0] + background.shape[0])]
    )
    raw = np.concatenate(
        [
            np.ones(liked.shape[0]),
            np.full(disliked.shape[0], disliked_weight),
            np.ones(background.shape[0]),
        ]
    )
    n = features.shape[0]
    positive = labels > 0
    weights = raw.copy()
    weights[positive] *= (n / 2) / raw[positive].sum()
    weights[~positive] *= (n / 2) / raw[~positive].sum()
    penalty = np.full(dim + 1, l2)
    penalty[-1] = 1e-6  # keeps the system solvable without shrinking the bias
    theta = np.zeros(dim + 1)
    for _ in range(iterations):
        margin = labels * (design @ theta)
        prob_wrong = _sigmoid(-margin)  # p(misclassified) = 1 - sigmoid(margin)
        gradient = -(design.T @ (weights * labels * prob_wrong)) + penalty * theta
        curvature = weights * prob_wrong * (1.0 - prob_wrong)
        hessian = (design.T * curvature) @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return LinearModel(theta[:-1].astype(np.float32), float(theta[-1]))


def train_ridge(
    liked: np.ndarray,
    disliked: np.ndarray | None,
    background: np.ndarray,
    *,
    l2: float = RIDGE_PENALTY,
    disliked_weight: float = DISLIKED_WEIGHT,
) -> LinearModel:
    """Per-user regularised least-squares classifier (RLSC; Rifkin, *Everything Old Is New
    Again*, 2002), the closed-form cousin of :func:`train_logistic`::

        min_{w,b} sum_i c_i (w . x_i + b - y_i)^2 + l2 ||w||^2
        =>  (X~^T C X~ + l2 I') theta = X~^T C y,   X~ = [X, 1], theta = [w, b]

    ``y = +1`` for liked rows, ``-1`` for disliked and background rows. Each background row
    weighs 1, each liked row ``n_background / n_liked`` (the classes balance) and each disliked
    row ``disliked_weight`` (a few background rows: a near miss, not the opposite of the
    topic). Because the background part ``X~_B^T X~_B + l2 I'`` does not depend
    on the user, :func:`ridge_batch` solves thousands of users with one shared inverse.
    """
    liked = _matrix("liked", liked)
    dim = liked.shape[1]
    disliked = _matrix("disliked", disliked if disliked is not None else [], dim)
    background = _matrix("background", background, dim)
    if liked.shape[0] == 0:
        raise RecommendError("train_ridge needs at least one liked paper")
    if background.shape[0] == 0:
        raise RecommendError("train_ridge needs background papers as negatives")
    if l2 <= 0:
        raise RecommendError(f"l2 must be > 0, not {l2}")
    per_liked = background.shape[0] / liked.shape[0]
    rows = np.vstack([liked, disliked, background]).astype(np.float64)
    design = np.hstack([rows, np.ones((rows.shape[0], 1))])
    labels = np.concatenate(
        [np.ones(liked.shape[0]), -np.ones(disliked.shape[0] + background.shape[0])]
    )
    weights = np.concatenate(
        [
            np.full(liked.shape[0], per_liked),
            np.full(disliked.shape[0], disliked_weight),
            np.ones(background.shape[0]),
        ]
    )
    penalty = np.full(dim + 1, l2)
    penalty[-1] = 1e-6
    system = (design.T * weights) @ design + np.diag(penalty)
    theta = np.linalg.solve(system, design.T @ (weights * labels))
    return LinearModel(theta[:-1].astype(np.float32), float(theta[-1]))


@dataclass(frozen=True)
class RidgeBase:
    """What every user's ridge system shares (see :func:`ridge_batch`): ``M^-1`` for
    ``M = X~_B^T X~_B + l2 I'`` over the background rows, and ``theta_B = M^-1 r_B`` (the model of
    a user with no rows of their own). Computed once per background, it serves every user; a
    process that ranks for one user at a time keeps it (:func:`ridge_base`)."""

    inverse: np.ndarray  # (d+1, d+1) float64
    theta: np.ndarray  # (d+1,) float64
    n_background: int
    l2: float

    @property
    def dim(self) -> int:
        return self.inverse.shape[0] - 1


def ridge_base(background: np.ndarray, *, l2: float = RIDGE_PENALTY) -> RidgeBase:
    """The shared part of every user's ridge system over ``background`` (one (d+1)-dim
    inverse: a few milliseconds for d = 384)."""
    background = _matrix("background", background)
    if background.shape[0] == 0:
        raise RecommendError("ridge_batch needs background papers as negatives")
    if l2 <= 0:
        raise RecommendError(f"l2 must be > 0, not {l2}")
    dim = background.shape[1]
    tilde_b = np.hstack([background.astype(np.float64), np.ones((background.shape[0], 1))])
    penalty = np.full(dim + 1, l2)
    penalty[-1] = 1e-6
    inverse = np.linalg.inv(tilde_b.T @ tilde_b + np.diag(penalty))
    return RidgeBase(inverse, inverse @ -tilde_b.sum(axis=0), background.shape[0], l2)


def ridge_batch(
    users: list[tuple[np.ndarray, np.ndarray | None]],
    background: np.ndarray | RidgeBase,
    *,
    l2: float = RIDGE_PENALTY,
    disliked_weight: float = DISLIKED_WEIGHT,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`train_ridge` for many users at once: ``users`` is a list of (liked, disliked)
    arrays; returns (W, b), one row of weights per user (zeros for a user with no liked paper).

    The system of user u is ``(M + U_u^T U_u) theta_u = r_B + U_u^T (sqrt(c_u) y_u)`` with the
    shared ``M = X~_B^T X~_B + l2 I'`` and ``r_B = -X~_B^T 1``, and ``U_u = sqrt(c_u) X~_u`` the
    user's few weighted rows. The Sherman-Morrison-Woodbury identity (Golub & Van Loan,
    *Matrix Computations*, §2.1.4)::

        (M + U^T U)^-1 = M^-1 - M^-1 U^T (I + U M^-1 U^T)^-1 U M^-1

    turns each user's (d+1)-dim solve into an (m x m) one (m = the user's rows), after one
    inverse of M and one matrix product ``U_all M^-1`` for every user's rows together.
    ``background`` may be a :class:`RidgeBase` already computed (its ``l2`` is used).
    """
    base = background if isinstance(background, RidgeBase) else ridge_base(background, l2=l2)
    dim = base.dim
    n_background = base.n_background
    shared_inverse = base.inverse
    base_theta = base.theta

    rows: list[np.ndarray] = []  # sqrt(c_i) x~_i for every user's rows, stacked
    targets: list[np.ndarray] = []  # sqrt(c_i) y_i
    bounds = [0]
    for index, (liked, disliked) in enumerate(users):
        liked = _matrix(f"users[{index}] liked", liked, dim)
        disliked = _matrix(
            f"users[{index}] disliked", disliked if disliked is not None else [], dim
        )
        if liked.shape[0] == 0:
            bounds.append(bounds[-1])
            continue
        root_liked = np.sqrt(n_background / liked.shape[0])
        root_disliked = np.sqrt(disliked_weight)
        scale = np.concatenate(
            [np.full(liked.shape[0], root_liked), np.full(disliked.shape[0], root_disliked)]
        )
        both = np.vstack([liked, disliked]).astype(np.float64)
        rows.append(np.hstack([both, np.ones((both.shape[0], 1))]) * scale[:, None])
        targets.append(
            scale * np.concatenate([np.ones(liked.shape[0]), -np.ones(disliked.shape[0])])
        )
        bounds.append(bounds[-1] + both.shape[0])

    thetas = np.zeros((len(users), dim + 1))
    if rows:
        all_rows = np.vstack(rows)
        all_targets = np.concatenate(targets)
        projected = all_rows @ shared_inverse  # V = U M^-1 for every user's rows at once
        for user in range(len(users)):
            start, end = bounds[user], bounds[user + 1]
            if start == end:
                continue
            u_rows, v_rows = all_rows[start:end], projected[start:end]
            rhs_theta = base_theta + v_rows.T @ all_targets[start:end]  # M^-1 r
            inner = np.eye(end - start) + v_rows @ u_rows.T
            thetas[user] = rhs_theta - v_rows.T @ np.linalg.solve(inner, u_rows @ rhs_theta)
    return thetas[:, :-1].astype(np.float32), thetas[:, -1].astype(np.float32)


def stack(models: list[LinearModel]) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) with one row of weights per model, so ``X W^T + b`` scores all models at once."""
    if not models:
        raise RecommendError("stack needs at least one model")
    return np.vstack([m.weights for m in models]), np.array([m.bias for m in models], np.float32)


def popularity_scores(upvotes: np.ndarray) -> np.ndarray:
    """Everyone's ranking: ``score = log(1 + upvotes)`` (monotone in upvotes; ties are broken by
    position in :func:`top_k_per_row`, so pass candidates newest first)."""
    votes = np.asarray(upvotes, dtype=np.float64)
    if votes.ndim != 1:
        raise RecommendError(f"upvotes must be a 1-d array, not {votes.ndim}-d")
    if np.any(votes < 0):
        raise RecommendError("upvotes must be >= 0")
    return np.log1p(votes).astype(np.float32)


def top_k_per_row(scores: np.ndarray, k: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """The column indices of the ``k`` best scores of each row, best first (ties: lower index
    first); ``exclude`` (same shape, bool) marks cells never returned. Rows with fewer than ``k``
    allowed cells are padded with -1. Partial selection (``argpartition``) then a sort of k."""
    scores = np.asarray(scores, dtype=np.float32)
    if scores.ndim == 1:
        return top_k_per_row(scores[None, :], k, None if exclude is None else exclude[None, :])[0]
    if k < 1:
        raise RecommendError(f"k must be >= 1, not {k}")
    rows, cols = scores.shape
    if exclude is not None:
        if exclude.shape != scores.shape:
            raise RecommendError(f"exclude has shape {exclude.shape}, scores {scores.shape}")
        scores = np.where(exclude, -np.inf, scores)
    k_eff = min(k, cols)
    if k_eff == 0:
        return np.full((rows, k), -1, dtype=np.int64)
    if k_eff < cols:
        part = np.argpartition(-scores, k_eff - 1, axis=1)[:, :k_eff]
    else:
        part = np.broadcast_to(np.arange(cols), (rows, cols)).copy()
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.lexsort((part, -part_scores), axis=1)
    best = np.take_along_axis(part, order, axis=1)
    best_scores = np.take_along_axis(part_scores, order, axis=1)
    best = np.where(np.isneginf(best_scores), -1, best)
    if k_eff < k:
        best = np.hstack([best, np.full((rows, k - k_eff), -1, dtype=best.dtype)])
    return best


def nearest_liked(liked: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """For each chosen candidate (rows), the index of the liked paper most similar to it
    (``argmax_j liked_j . x``): what "similar to X you upvoted" names."""
    liked = _matrix("liked", liked)
    chosen = _matrix("chosen", chosen, liked.shape[1])
    if liked.shape[0] == 0:
        raise RecommendError("nearest_liked needs at least one liked paper")
    return np.argmax(chosen @ liked.T, axis=1)
