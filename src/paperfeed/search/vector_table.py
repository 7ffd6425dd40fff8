"""The vector index's table: for each key, its paper, its vector, its day and its categories.

Written into each vector generation beside ``vectors.usearch`` (:func:`write`) and memory-mapped
by searching processes (:func:`open_table`), so a filtered semantic search needs no database
round trip to find which papers may pass and no HNSW over-fetch to score them:

- ``keys.npy``: the index's keys (``Embedding.id``), ascending; row ``i`` of every other array
  belongs to ``keys[i]``;
- ``vectors.npy``: the stored vectors, float16 (as in the database and the index), so the papers
  a filter lets through are scored exactly (:func:`exact_rows`: usearch's SIMD brute force);
- ``ids.npy``: the paper id of each row; ``id_order.npy``: rows by paper id (to map ids to rows);
- ``days.npy``: the day the filters compare (``listed``, else ``published``; :data:`NO_DAY`);
- ``cat_rows.npy`` + ``cat_offsets.npy`` + ``table.json``: an inverted list of categories
  (lower case), the rows of category ``names[c]`` being ``cat_rows[offsets[c]:offsets[c+1]]``.

It mirrors :func:`paperfeed.search.vector_filters.filtered_query` for categories and dates
(:meth:`VectorTable.mask`); authors, ``has:code`` and visibility stay the database's: the
callers check the best rows there, in rank order, until enough pass. The table holds what the
database said when the generation was written (each sync writes one): a paper whose categories
or dates changed since, without a new vector, can be missed until the next sync that changes
vectors; one that no longer passes is still dropped by the database check.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NO_DAY = np.iinfo(np.int32).min
"""The day of a paper with neither ``listed`` nor ``published``: never in a date range."""
FILES = ("keys", "vectors", "ids", "id_order", "days", "cat_rows", "cat_offsets")
META_FILE = "table.json"
EPOCH = dt.date(1970, 1, 1)


def day_number(day: dt.date | None) -> int:
    return NO_DAY if day is None else (day - EPOCH).days


@dataclass
class VectorTable:
    keys: np.ndarray
    vectors: np.ndarray
    ids: np.ndarray
    id_order: np.ndarray
    days: np.ndarray
    cat_rows: np.ndarray
    cat_offsets: np.ndarray
    categories: list[str]

    def __len__(self) -> int:
        return len(self.keys)

    # ------------------------------------------------------------------ lookups

    def rows_of_keys(self, keys: np.ndarray) -> np.ndarray:
        """Row of each key, -1 for a key the table lacks."""
        keys = np.asarray(keys, dtype=np.uint64)
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, max(len(self.keys) - 1, 0))
        found = (self.keys[pos] == keys) if len(self.keys) else np.zeros(len(keys), bool)
        return np.where(found, pos, -1)

    def rows_of_ids(self, paper_ids) -> np.ndarray:
        """Rows of the papers ``paper_ids`` (ascending; ids without a row are left out).

        A binary search through ``id_order`` over the memory-mapped ids: no sorted copy of
        the ids in the process (one was 14 MB of private memory per web worker at 221k)."""
        wanted = np.asarray(list(paper_ids), dtype=self.ids.dtype if len(self.ids) else str)
        if not len(wanted) or not len(self.ids):
            return np.zeros(0, dtype=np.int64)
        pos = np.searchsorted(self.ids, wanted, sorter=self.id_order)
        rows = self.id_order[np.minimum(pos, len(self.ids) - 1)]
        hit = self.ids[rows] == wanted
        return np.unique(rows[hit])

    def category_rows(self, category: str) -> np.ndarray:
        """Rows listed in ``category`` as :func:`vector_filters._category_q` reads it: a name
        with a dot is one category, one without is every category of that archive."""
        category = category.strip().lower()
        if "." in category:
            codes = [c for c, name in enumerate(self.categories) if name == category]
        else:
            prefix = category + "."
            codes = [c for c, name in enumerate(self.categories) if name.startswith(prefix)]
        parts = [self.cat_rows[self.cat_offsets[c] : self.cat_offsets[c + 1]] for c in codes]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def mask(self, filters) -> np.ndarray | None:
        """Which rows pass the filters' categories and dates (None: the filters have none)."""
        if not (filters.categories or filters.not_categories or filters.since or filters.until):
            return None
        if filters.categories:
            keep = np.zeros(len(self), dtype=bool)
            for category in filters.categories:
                keep[self.category_rows(category)] = True
        else:
            keep = np.ones(len(self), dtype=bool)
        for category in filters.not_categories:
            keep[self.category_rows(category)] = False
        if filters.since:
            keep &= self.days >= day_number(filters.since)
        if filters.until:
            keep &= (self.days <= day_number(filters.until)) & (self.days != NO_DAY)
        return keep


def exact_rows(table: VectorTable, rows: np.ndarray, query: np.ndarray, k: int):
    """The ``k`` rows of ``rows`` closest to ``query`` (exact cosine), best first, with their
    cosines: the rows' float16 vectors gathered and searched by usearch's SIMD brute force."""
    from usearch.index import MetricKind, search

    k = min(k, len(rows))
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    matrix = np.ascontiguousarray(table.vectors[rows])
    q = np.asarray(query, dtype=np.float32).reshape(-1).astype(matrix.dtype)
    matches = search(matrix, q, k, MetricKind.Cos, exact=True, threads=1)
    found = np.asarray(matches.keys, dtype=np.int64)
    sims = 1.0 - np.asarray(matches.distances, dtype=np.float32)
    return rows[found], sims


# ---------------------------------------------------------------------- files


def build(keys: np.ndarray, vectors: np.ndarray, meta: dict[int, tuple]) -> VectorTable:
    """A table of ``keys`` (with their ``vectors``, float16) and ``meta``: ``{key: (paper id,
    categories text, listed, published)}`` (keys without meta get no id, day or category)."""
    order = np.argsort(np.asarray(keys, dtype=np.uint64), kind="stable")
    keys = np.asarray(keys, dtype=np.uint64)[order]
    vectors = np.asarray(vectors, dtype=np.float16)[order]
    ids, days, pairs = [], np.full(len(keys), NO_DAY, dtype=np.int32), []
    codes: dict[str, int] = {}
    for row, key in enumerate(keys.tolist()):
        paper_id, categories, listed, published = meta.get(key, ("", "", None, None))
        ids.append(paper_id)
        day = listed or published
        if day is not None:
            days[row] = day_number(day)
        for name in dict.fromkeys((categories or "").lower().split()):
            pairs.append((codes.setdefault(name, len(codes)), row))
    names = sorted(codes)
    remap = np.zeros(len(codes), dtype=np.int32)
    for new, name in enumerate(names):
        remap[codes[name]] = new
    pair_array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    code_of = remap[pair_array[:, 0]] if len(pair_array) else np.zeros(0, dtype=np.int32)
    by_code = np.lexsort((pair_array[:, 1], code_of)) if len(pair_array) else np.zeros(0, int)
    cat_rows = pair_array[by_code, 1].astype(np.int32)
    counts = np.bincount(code_of, minlength=len(names))
    cat_offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    id_array = np.array(ids, dtype=f"<U{max((len(i) for i in ids), default=1) or 1}")
    id_order = np.argsort(id_array, kind="stable")
    return VectorTable(keys, vectors, id_array, id_order, days, cat_rows, cat_offsets, names)


def write(table: VectorTable, directory: Path) -> None:
    for name in FILES:
        np.save(directory / f"{name}.npy", getattr(table, name), allow_pickle=False)
    meta = {"categories": table.categories, "rows": len(table)}
    (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")


def open_table(directory: Path) -> VectorTable | None:
    """The table written into ``directory``, memory-mapped; None when it has none (a generation
    written before the table existed: the searches then use the database)."""
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        arrays = {
            name: np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            for name in FILES
        }
    except (FileNotFoundError, ValueError):
        return None
    if any(len(arrays[name]) != meta["rows"] for name in ("keys", "vectors", "ids", "days")):
        return None
    return VectorTable(**arrays, categories=list(meta["categories"]))
