"""Semantic search through the vector generation's table (:mod:`vector_table`).

Unfiltered, HNSW's nearest keys become paper ids by the table alone (:func:`_nearest`: no
database), and :func:`table_cosines` gives the exact cosine of any paper from the table's
vectors (hybrid search's fill-in). Filtered:

The filters' categories and dates are read from the memory-mapped table (no database round trip
to learn which papers may pass); the papers they let through are then ranked

- exactly, when at most :data:`EXACT_ROWS_MAX` pass: their float16 vectors gathered and scored by
  usearch's SIMD brute force (exact top k, so no recall is lost to HNSW);
- by HNSW otherwise (a broad filter: at least 50,000 papers pass, a share of the corpus large
  enough that ``1.5 k / share`` neighbours hold k passing ones), keeping the neighbours the
  table says pass; if too few do (a topic the filter avoids), exactly after all.

Either way the best rows are then checked by the database in rank order, a few hundred at a time
(:func:`_checked`), for what the table does not hold (authors, ``has:code``, hidden papers) and
for what changed since the table was written, until ``k`` pass.  Measured in
docs/benchmarks.md ("Filtered search").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

import numpy as np

from paperfeed.search import vector_table
from paperfeed.search.hits import Hit, semantic_hit
from paperfeed.search.vector_filters import Filters, cosines, filter_papers

EXACT_ROWS_MAX = 50_000
"""A filter that lets at most this many papers through is searched exactly; a broader one through
HNSW (docs/benchmarks.md, "Filtered search")."""
MAX_FETCH = 5_000
"""Most HNSW neighbours one round asks for before the exact search takes over."""

Ranked = Callable[[int], tuple[np.ndarray, np.ndarray]]


def table_search(
    query: np.ndarray,
    k: int,
    index,
    filters: Filters,
    exclude: Iterable[str] = (),
    candidates: Collection[str] | None = None,
    selectivity: float | None = None,
) -> list[Hit]:
    """The ``k`` papers closest to ``query`` that pass ``filters`` (and are among ``candidates``
    when given; none of ``exclude``), best first.  ``index`` is a
    :class:`~paperfeed.search.vector_index.VectorIndex` with a table; ``selectivity``: the share
    of papers that pass, when the table cannot say (author-only filters)."""
    table = index.table
    exclude = set(exclude)
    mask = table.mask(filters)
    if mask is None and candidates is None and not filters.active:
        return _nearest(index, query, k, exclude)
    rows = None
    if candidates is not None:
        rows = table.rows_of_ids(candidates)
        rows = rows[mask[rows]] if mask is not None else rows
    elif mask is not None:
        rows = np.flatnonzero(mask)
    if rows is not None and exclude:
        rows = np.setdiff1d(rows, table.rows_of_ids(exclude), assume_unique=True)
    if rows is not None and len(rows) <= EXACT_ROWS_MAX:
        return _checked(table, _exact(table, rows, query), k, filters)
    share = len(rows) / len(table) if rows is not None else (selectivity or 0.25)
    return _checked(table, _approximate(index, rows, query, share, exclude), k, filters)


def _nearest(index, query: np.ndarray, k: int, exclude: set[str]) -> list[Hit]:
    """Unfiltered: the ``k`` nearest papers by HNSW, their ids read from the table.  No database
    check (it cost more than the HNSW search itself: 5.6 of 13 ms CPU at 74k papers): a paper
    hidden or deleted since the table was written is dropped when the page is hydrated
    (:func:`paperfeed.search.results.papers_for`), as one hidden since the last sync always was."""
    table = index.table
    keys, sims = index.nearest(query, k + len(exclude))
    rows = table.rows_of_keys(keys)
    known = rows >= 0
    ids = table.ids[rows[known]].tolist()  # one gather from the memory map, not one per row
    hits = [
        semantic_hit(paper_id, sim)
        for paper_id, sim in zip(ids, sims[known].tolist(), strict=True)
        if paper_id and paper_id not in exclude
    ]
    return hits[:k]


def table_cosines(table, query: np.ndarray, paper_ids: Collection[str]) -> dict[str, float]:
    """The exact cosine of each of ``paper_ids`` that has a row, from the table's float16
    vectors (the values the index holds)."""
    rows = table.rows_of_ids(paper_ids)
    if not len(rows):
        return {}
    sims = cosines(np.asarray(table.vectors[rows], dtype=np.float32), query)
    return dict(zip(table.ids[rows].tolist(), sims.tolist(), strict=True))


def _exact(table, rows: np.ndarray, query: np.ndarray) -> Ranked:
    return lambda n: vector_table.exact_rows(table, rows, query, n)


def _approximate(index, rows, query: np.ndarray, share: float, exclude: set[str]) -> Ranked:
    """HNSW neighbours the table lets through, ``1.5 n / share`` asked for ``n`` wanted; the
    exact search of ``rows`` when that many neighbours hold fewer than ``n`` of them."""
    table = index.table
    allowed = None
    if rows is not None:
        allowed = np.zeros(len(table), dtype=bool)
        allowed[rows] = True

    def ranked(n: int) -> tuple[np.ndarray, np.ndarray]:
        fetch = min(len(index), MAX_FETCH, max(n, int(1.5 * n / min(1.0, max(share, 1e-6)))))
        keys, sims = index.nearest(query, fetch)
        found = table.rows_of_keys(keys)
        keep = found >= 0
        if allowed is not None:
            keep &= allowed[np.maximum(found, 0)]
        if exclude:
            keep &= ~np.isin(table.ids[np.maximum(found, 0)], list(exclude))
        if keep.sum() < n and fetch < len(index) and rows is not None:
            return vector_table.exact_rows(table, rows, query, n)  # the topic avoids the filter
        return found[keep][:n], sims[keep][:n]

    return ranked


def _checked(table, ranked: Ranked, k: int, filters: Filters) -> list[Hit]:
    """The first ``k`` rows of ``ranked(n)`` (rows and cosines, best first) that the database
    says are visible and pass ``filters``, asking ``ranked`` for twice as many while short
    (``k + k/4 + 10`` first: one query of a few hundred ids when the table was right)."""
    hits: dict[str, Hit] = {}
    seen: set[str] = set()
    n = k + k // 4 + 10
    while True:
        rows, sims = ranked(n)
        fresh = [(str(table.ids[r]), float(s)) for r, s in zip(rows, sims, strict=True)]
        fresh = [(pid, sim) for pid, sim in fresh if pid not in seen]
        seen.update(pid for pid, _ in fresh)
        allowed = filter_papers([pid for pid, _ in fresh], filters)
        hits.update((pid, semantic_hit(pid, sim)) for pid, sim in fresh if pid in allowed)
        if len(hits) >= k or len(rows) < n:
            return sorted(hits.values(), key=lambda hit: (-hit.score, hit.id))[:k]
        n *= 2
