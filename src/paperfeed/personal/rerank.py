"""Search ordered for one member: the best :data:`DEPTH` hits by relevance, reranked by a blend
of their relevance and their for-you score (the search page's and ``/api/v1/search``'s
``sort=for_you``).

Search runs as usual (``sort=relevance``) for the first :data:`DEPTH` hits; their community
inputs are read from the store (one query) and :func:`paperfeed.personal.foryou.order_papers`
scores them for the member. Both scores are min-max normalised over those hits and mixed
(:func:`blend`); the mix is the rows' ``personal`` input and the registry's ``for_you`` ranking
orders them (newer day, larger id on equal mixes). Every page is cut from that one order of the
same hits, so paging is stable; it stops at the :data:`DEPTH`-th hit (:attr:`PersonalSearch.reachable`),
while ``total`` still counts every match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.utils import timezone

from paperfeed import rankings
from paperfeed.papers import ranked
from paperfeed.papers.models import Paper
from paperfeed.personal import foryou
from paperfeed.search import SearchResult
from paperfeed.search import search as hybrid_search

DEPTH = 200
"""Hits reranked for a member (the hybrid search's candidates a side): deeper pages of a
for-you search are not offered."""
WEIGHT = 0.5
"""The share of the for-you score in the mix (the rest is the search relevance): a search
stays about its query, and among good matches the member's interests decide."""
FOR_YOU = "for_you"


def normalise(values: Sequence[float]) -> np.ndarray:
    """``values`` mapped linearly onto [0, 1] (min-max); all equal: all 0 (they tell nothing).

    >>> normalise([2.0, 4.0, 3.0]).tolist(), normalise([5.0, 5.0]).tolist()
    ([0.0, 1.0, 0.5], [0.0, 0.0])
    """
    found = np.asarray(values, dtype=np.float64)
    if found.size == 0:
        return found
    low, span = found.min(), found.max() - found.min()
    return (found - low) / span if span > 0 else np.zeros_like(found)


def blend(relevance: Sequence[float], personal: Sequence[float], weight: float = WEIGHT):
    """``weight * minmax(personal) + (1 - weight) * minmax(relevance)``, one value per hit: the
    convex combination of normalised scores search's fusion also uses (docs/search.md).

    >>> blend([10.0, 8.0, 6.0], [0.0, 1.0, 2.0]).tolist()  # the third: less relevant, yours
    [0.5, 0.5, 0.5]
    >>> blend([10.0, 9.0], [0.0, 3.0], weight=0.25).tolist()
    [0.75, 0.25]
    """
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be between 0 and 1, not {weight!r}")
    return weight * normalise(personal) + (1.0 - weight) * normalise(relevance)


@dataclass
class PersonalSearch:
    """One page of a search ordered for a member."""

    result: SearchResult
    """The page's hits in the for-you order; ``total``: every match, as search counts them."""
    reachable: int = 0
    """How many hits the order covers (at most :data:`DEPTH`): no page goes beyond."""
    why: dict[str, list[str]] = field(default_factory=dict)
    """Paper id -> why it is there for the member (``order_papers``' reasons)."""


def search_for_you(user, query: str, *, limit: int, offset: int, **search_args) -> PersonalSearch:
    """The hits ``offset:offset + limit`` of ``query`` for ``user`` (see the module);
    ``search_args`` are :func:`paperfeed.search.search`'s other arguments but ``sort``."""
    found = hybrid_search(query, limit=DEPTH, offset=0, sort="relevance", **search_args)
    ids = [hit.id for hit in found.hits]
    if not ids:
        return PersonalSearch(
            SearchResult([], found.total, found.mode, term_matches=found.term_matches)
        )
    visible = Paper.objects.visible().filter(arxiv_id__in=ids)
    rows = {row.id: row for row in ranked.rows(visible, ranked.COMMUNITY_INPUTS, limit=None)}
    hits = [hit for hit in found.hits if hit.id in rows]
    now = timezone.now()
    order = foryou.order_papers(user, [rows[hit.id] for hit in hits], now)
    mixed = blend([hit.score for hit in hits], [order.scores.get(hit.id, 0.0) for hit in hits])
    scored = [
        replace(rows[hit.id], relevance=hit.score, personal=float(mix))
        for hit, mix in zip(hits, mixed, strict=True)
    ]
    ordered = rankings.get(FOR_YOU).rank(scored, now)
    by_id = {hit.id: hit for hit in hits}
    page = [by_id[pid] for pid, _ in ordered[offset : offset + limit]]
    why = {hit.id: list(order.why.get(hit.id, ())) for hit in page}
    return PersonalSearch(
        SearchResult(page, found.total, found.mode, term_matches=found.term_matches),
        len(ordered),
        why,
    )
