"""Rank fusion: combine the lexical and the semantic ranking into one.  Pure functions.

Inputs are rankings (lists of ids, best first) or score maps (id -> score); outputs are score
maps, turned into a ranking by :func:`ranking`.  Ties are broken by id so results never depend
on dict order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

RRF_K = 60
"""The constant k of reciprocal rank fusion; 60 as in Cormack et al. (2009)."""


def rrf(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009).

    score(d) = sum over rankings r containing d of 1 / (k + rank_r(d)), ranks starting at 1.
    """
    return weighted_rrf(rankings, [1.0] * len(rankings), k)


def weighted_rrf(
    rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = RRF_K
) -> dict[str, float]:
    """Weighted RRF: score(d) = sum_r w_r / (k + rank_r(d)) (RRF with a weight per ranking)."""
    if len(rankings) != len(weights):
        raise ValueError(f"{len(rankings)} rankings but {len(weights)} weights")
    scores: dict[str, float] = {}
    for ranked, weight in zip(rankings, weights, strict=True):
        for rank, doc in enumerate(ranked, start=1):
            scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return scores


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """Min-max normalisation: (s - min) / (max - min), into [0, 1]; all equal -> all 1."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high == low:
        return dict.fromkeys(scores, 1.0)
    return {doc: (s - low) / (high - low) for doc, s in scores.items()}


def z_score(scores: Mapping[str, float]) -> dict[str, float]:
    """Standard score: (s - mean) / standard deviation (population); constant -> all 0."""
    if not scores:
        return {}
    values = list(scores.values())
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    if std == 0:
        return dict.fromkeys(scores, 0.0)
    return {doc: (s - mean) / std for doc, s in scores.items()}


NORMALISERS = {"minmax": min_max, "zscore": z_score}


def convex(
    score_maps: Sequence[Mapping[str, float]],
    weights: Sequence[float],
    normalise: str = "minmax",
) -> dict[str, float]:
    """Convex combination of normalised scores (Bruch, Gai & Ingber, "An Analysis of Fusion
    Functions for Hybrid Retrieval", ACM TOIS 2023).

    score(d) = sum_i w_i * norm_i(s_i(d)), with sum w_i = 1; a document missing from list i
    gets that list's lowest normalised score (it ranked below every candidate returned).
    """
    if len(score_maps) != len(weights):
        raise ValueError(f"{len(score_maps)} score lists but {len(weights)} weights")
    if any(w < 0 for w in weights) or not math.isclose(sum(weights), 1.0):
        raise ValueError(f"weights must be >= 0 and sum to 1, got {list(weights)}")
    try:
        norm = NORMALISERS[normalise]
    except KeyError:
        raise ValueError(f"normalise must be one of {', '.join(NORMALISERS)}") from None
    normalised = [norm(scores) for scores in score_maps]
    floors = [min(n.values(), default=0.0) for n in normalised]
    docs = set().union(*normalised)
    return {
        doc: sum(
            w * n.get(doc, floor) for w, n, floor in zip(weights, normalised, floors, strict=True)
        )
        for doc in docs
    }


def ranking(scores: Mapping[str, float]) -> list[str]:
    """Ids by score, highest first; equal scores by id."""
    return sorted(scores, key=lambda doc: (-scores[doc], doc))
