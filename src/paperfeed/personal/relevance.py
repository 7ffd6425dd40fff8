"""The for-you score: how much one member should want each candidate paper. Pure numpy, no Django.

The profile is what :mod:`paperfeed.personal.foryou` reads for the member: vectors of papers they
liked (upvotes, "more like this", papers marked at onboarding) and disliked ("less like this"),
vectors of their typed topics and saved searches (query embeddings), and which candidates match
an author, organisation, category or saved search they follow. The score of candidate ``i``::

    score_i = w_like * m/(m+h) * z(like)_i     like_i  = w_u . x_i + b_u   (per-user ridge)
            + w_topic * z(topic)_i             topic_i = max_q  q . x_i    (nearest topic)
            + w_author * author_i + w_org * org_i + w_category * category_i + w_search * search_i
            + w_community * community_i        community_i = share of candidates it beats on Hot

Why this blend:

- **The learned part is the digests' ridge classifier** (:func:`recommend.ridge_batch`, liked
  against a fixed background sample plus the dislikes: the method ``benchmarks/bench_recommend.py``
  chose), scored with the Woodbury shortcut over a :class:`recommend.RidgeBase` that the process
  keeps, so one member costs an (m x m) solve for m liked papers.
- **The learned part grows with the evidence**: learned from m liked papers it weighs
  ``w_like * m / (m + h)`` (:func:`like_share`; h = ``like_half`` = 5: half the weight at five
  papers, 2/3 at ten, 6/7 at thirty) -- shrinkage of an estimate made from few samples towards
  "no opinion", as a Bayesian average does. Three marked papers are a noisy direction: at full
  weight they pulled onboarding's typed topics off course (``bench_foryou.py`` on its tuning
  members: precision@10 0.567 at full weight, 0.622 shrunk).
- **Typed topics are nearest-topic cosines**, not extra liked rows: a query vector is short text,
  a different distribution from abstracts, and a member with three topics wants papers close to
  *one* of them (max), not to their average.
- **Both similarity parts are z-scored over the candidates** ((s - mean) / std, IIR §6.4.3's
  score normalisation; the search fusion does the same): their raw scales differ (a ridge margin,
  a cosine) and vary with the profile, z-scores make one weight mean the same for every member and
  list. A candidate without a vector gets 0 on them (the average): unknown, not bad.
- **Follows are additive boosts in those z units** (a followed author's paper climbs three standard
  deviations): they are explicit requests, and a boolean has no scale to learn. A saved search
  matched in the title or abstract is one more boost (lexical: the member's own words).
- **The community part is a percentile** (``community_i`` in [0, 1], 0 without signals): Hot is
  heavy-tailed (one paper with 500 HF upvotes), so a raw or z-scored Hot would let one paper
  drown the profile; a percentile caps the community's pull at ``w_community``, enough to order
  equally relevant papers by what people read.

:data:`DEFAULT_WEIGHTS` were checked by ``benchmarks/bench_foryou.py --sweep`` on members the reported
numbers do not use (docs/benchmarks.md, "For-you order").
Each function says its formula; :class:`Blend` keeps every part so that the reasons a card shows
("you follow ...", "like 3 papers you upvoted") are the parts that moved it most.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from paperfeed.digests import recommend

LIKE_COSINE = 0.5
"""A liked paper counts towards "like N papers you upvoted" at cosine >= this (all-MiniLM-L6-v2:
two abstracts on the same narrow problem are typically 0.5-0.8 apart, unrelated ones under 0.3)."""
TOPIC_COSINE = 0.4
"""A topic names a candidate (``close to your topic "..."``) at query-abstract cosine >= this
(above search's :data:`~paperfeed.search.SEMANTIC_FLOOR` of 0.35 for meaning-only hits)."""


class RelevanceError(ValueError):
    """Inputs of the wrong shape, said in words."""


@dataclass(frozen=True)
class Weights:
    """The blend's weights (see the module docstring); z units for the similarity parts."""

    like: float = 1.0
    like_half: float = 5.0  # liked papers at which the like part has half of ``like``
    topic: float = 1.0
    author: float = 3.0
    org: float = 1.5
    category: float = 0.75
    search: float = 1.0
    community: float = 0.5

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise RelevanceError(f"weight {name} must be a number >= 0, not {value!r}")


DEFAULT_WEIGHTS = Weights()

PARTS = ("author", "search", "org", "like", "topic", "category", "community")
"""The parts of a score, in the order reasons are listed when two move a paper equally."""


@dataclass
class Profile:
    """One member's profile as arrays (rows are unit vectors of one model, d columns)."""

    liked: np.ndarray  # (m, d)
    disliked: np.ndarray  # (k, d)
    topics: np.ndarray  # (t, d): query vectors of typed topics and saved searches

    @classmethod
    def empty(cls, dim: int) -> Profile:
        zeros = np.zeros((0, dim), dtype=np.float32)
        return cls(zeros, zeros.copy(), zeros.copy())


@dataclass
class Blend:
    """The score of each candidate and each part's contribution to it (same length arrays), and
    the share of its weight a part was given (the like part's :func:`like_share`; 1 if absent)."""

    total: np.ndarray
    parts: dict[str, np.ndarray]
    shares: dict[str, float] = field(default_factory=dict)


def zscore(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """``(v - mean) / std`` over the entries ``mask`` selects (all by default); the others and
    every entry of a constant (std 0) or empty selection are 0.

    >>> zscore(np.array([1.0, 2.0, 3.0])).round(3).tolist()
    [-1.225, 0.0, 1.225]
    >>> zscore(np.array([5.0, 9.0]), np.array([True, False])).tolist()
    [0.0, 0.0]
    """
    values = np.asarray(values, dtype=np.float64)
    mask = np.ones(values.shape, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    out = np.zeros(values.shape, dtype=np.float64)
    if mask.sum() < 2:
        return out
    chosen = values[mask]
    std = chosen.std()
    if std <= 1e-12:
        return out
    out[mask] = (chosen - chosen.mean()) / std
    return out


def percentile(scores: np.ndarray) -> np.ndarray:
    """The share of the other candidates each one beats (mid-rank: ties share their ranks), in
    [0, 1]; scores <= 0 (no signal at all) get 0::

        p_i = (#{j: s_j < s_i} + (#{j: s_j = s_i} - 1) / 2) / (n - 1)      for s_i > 0

    >>> percentile(np.array([0.0, 1.0, 3.0, 3.0])).round(3).tolist()
    [0.0, 0.333, 0.833, 0.833]
    """
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.size
    if n == 0:
        return np.zeros(0)
    ordered = np.sort(scores)
    below = np.searchsorted(ordered, scores, side="left")
    equal = np.searchsorted(ordered, scores, side="right") - below
    shares = (below + (equal - 1) / 2) / max(n - 1, 1)
    return np.where(scores > 0, shares, 0.0)


def like_scores(
    candidates: np.ndarray,
    liked: np.ndarray,
    disliked: np.ndarray,
    base: recommend.RidgeBase,
) -> np.ndarray | None:
    """``w . x + b`` of the member's ridge classifier (:func:`recommend.ridge_batch`: liked
    against ``base``'s background and the disliked) for each candidate; None without likes."""
    if liked.shape[0] == 0:
        return None
    weights, bias = recommend.ridge_batch([(liked, disliked)], base)
    return candidates @ weights[0] + bias[0]


def topic_scores(candidates: np.ndarray, topics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``max_q q . x`` over the topic vectors for each candidate, and which topic gave it
    (both length n; call only with at least one topic).

    >>> scores, which = topic_scores(np.eye(3)[:2], np.array([[0.0, 1.0, 0.0], [0.6, 0.8, 0.0]]))
    >>> scores.tolist(), which.tolist()
    ([0.6, 1.0], [1, 0])
    """
    if topics.shape[0] == 0:
        raise RelevanceError("topic_scores needs at least one topic vector")
    cosines = candidates @ topics.T
    which = np.argmax(cosines, axis=1)
    return cosines[np.arange(candidates.shape[0]), which], which


def similar_counts(candidates: np.ndarray, liked: np.ndarray, floor: float = LIKE_COSINE):
    """For each candidate, how many liked papers are at cosine >= ``floor`` of it, and which:
    an (n, m) boolean matrix, row ``i`` true at the liked papers near candidate ``i`` (one
    matrix product for every candidate; the reasons read their rows).

    >>> counts, near = similar_counts(np.eye(2), np.array([[1.0, 0.0], [0.8, 0.6]]))
    >>> counts.tolist(), near.tolist()
    ([2, 1], [[True, True], [False, True]])
    """
    near = (candidates @ liked.T) >= floor
    return near.sum(axis=1), near


def like_share(liked: int, half: float) -> float:
    """The share of its weight the like part gets when learned from ``liked`` papers:
    ``m / (m + h)`` (0 without liked papers; 1 when ``half`` is 0).

    >>> like_share(5, 5.0), like_share(10, 5.0), like_share(0, 5.0), like_share(3, 0.0)
    (0.5, 0.6666666666666666, 0.0, 1.0)
    """
    if liked <= 0:
        return 0.0
    return liked / (liked + half)


def blend(
    *,
    n: int,
    community: np.ndarray,
    like: np.ndarray | None = None,
    liked: int | None = None,
    topic: np.ndarray | None = None,
    has_vector: np.ndarray | None = None,
    author: np.ndarray | None = None,
    org: np.ndarray | None = None,
    category: np.ndarray | None = None,
    search: np.ndarray | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Blend:
    """The for-you score of ``n`` candidates (module docstring): ``like`` and ``topic`` are raw
    similarity scores (z-scored here over ``has_vector``; ``like`` weighs :func:`like_share` of
    its weight when ``liked``, the number of liked papers it was learned from, is given; full
    weight when it is None), the follow matches are booleans (or
    0/1), ``community`` the raw community score (Hot; turned into :func:`percentile` here).
    A part left out (None) contributes nothing."""
    mask = np.ones(n, dtype=bool) if has_vector is None else np.asarray(has_vector, dtype=bool)
    parts: dict[str, np.ndarray] = {}

    def take(name: str, values, transform, share: float = 1.0) -> None:
        if values is None:
            return
        array = np.asarray(values, dtype=np.float64)
        if array.shape != (n,):
            raise RelevanceError(f"{name} has shape {array.shape}, expected ({n},)")
        parts[name] = getattr(weights, name) * share * transform(array)

    share = 1.0 if liked is None else like_share(liked, weights.like_half)
    take("like", like, lambda a: zscore(a, mask), share)
    take("topic", topic, lambda a: zscore(a, mask))
    for name, values in (("author", author), ("org", org), ("category", category)):
        take(name, values, lambda a: (a > 0).astype(np.float64))
    take("search", search, lambda a: (a > 0).astype(np.float64))
    take("community", community, percentile)
    total = np.zeros(n, dtype=np.float64)
    for contribution in parts.values():
        total += contribution
    return Blend(total=total, parts=parts, shares={"like": share} if "like" in parts else {})


def telling(blend_: Blend, index: int, floor: float = 0.25) -> list[str]:
    """The parts that raised candidate ``index`` by at least ``floor`` (times the part's share:
    a like part learned from one paper still names the papers it raised), largest first (ties in
    :data:`PARTS` order): what its reasons should name."""
    found = [
        (-float(values[index]), PARTS.index(name), name)
        for name, values in blend_.parts.items()
        if values[index] >= floor * blend_.shares.get(name, 1.0) and values[index] > 0
    ]
    return [name for _, _, name in sorted(found)]


# --------------------------------------------------------------------------- lexical matches

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "into", "is", "of", "on",
     "or", "the", "to", "via", "with", "without"}
)  # fmt: skip


def query_terms(text: str) -> tuple[str, ...]:
    """The words of a query a paper must contain to match it lexically: lower case, stop words
    out, each once, in order.

    >>> query_terms("Speculative decoding for the LLMs")
    ('speculative', 'decoding', 'llms')
    """
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if word not in STOPWORDS:
            seen.setdefault(word, None)
    return tuple(seen)


def text_words(text: str) -> frozenset[str]:
    """The lower-cased words of a title or abstract, for :func:`matches_terms`."""
    return frozenset(_WORD.findall(text.lower()))


def matches_terms(words: frozenset[str], terms: tuple[str, ...]) -> bool:
    """Every term is one of ``words``, itself or with a plural ``s``/``es`` (a light stemmer:
    "graph network" matches "graphs and networks"). No terms: no match.

    >>> matches_terms(text_words("Graphs and neural networks"), ("graph", "network"))
    True
    >>> matches_terms(text_words("Graph transformers"), ("graph", "network"))
    False
    """
    if not terms:
        return False
    return all(t in words or t + "s" in words or t + "es" in words for t in terms)


def matching_queries(text: str, queries: Sequence[tuple[str, tuple[str, ...]]]) -> list[str]:
    """The queries, given as ``(query, query_terms(query))``, that ``text`` matches
    (:func:`matches_terms` on :func:`text_words`). Every matched term is a substring of the
    lower-cased text, so the words are found only for the texts that pass that cheap check
    (most abstracts match no saved search).

    >>> queries = [(q, query_terms(q)) for q in ("graph network", "speculative decoding")]
    >>> matching_queries("Graphs and neural networks", queries)
    ['graph network']
    """
    lowered = text.lower()
    maybe = [(q, terms) for q, terms in queries if terms and all(t in lowered for t in terms)]
    if not maybe:
        return []
    words = text_words(text)
    return [q for q, terms in maybe if matches_terms(words, terms)]
