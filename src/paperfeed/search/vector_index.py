"""Nearest-neighbour search over paper embeddings: a usearch HNSW index on cosine distance.

The index is derived from the ``Embedding`` table and lives under ``DATA_DIR/index`` as
``vectors-NNNNNN/`` (see :mod:`paperfeed.search.paths`): ``vectors.usearch`` plus ``state.json``
(model, dimension, count).  Keys are ``Embedding.id``; a re-embedded paper gets a new row and so a
new key, which makes :func:`sync_vectors` a set difference: add keys the table has and the index
lacks, remove keys the index has and the table lost (deleted papers, replaced vectors).  Each sync
or rebuild writes a new generation and publishes it atomically, so readers never see a half-written
file.  HNSW (Malkov & Yashunin 2018) with M = 16, ef_construction = 128, ef_search = 4 k
(at least 128, at most 1,024) for k results (:func:`ef_for`).  Each generation also holds its table
(:mod:`paperfeed.search.vector_table`): keys, float16 vectors, paper ids, days and categories,
which filtered searches read instead of the database (:mod:`paperfeed.search.table_search`).

Vectors are added on one thread: usearch 2.26's concurrent insertion leaves some nodes
unreachable (0.35 % of 600 random vectors could not find themselves; none single-threaded).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# onnxruntime (the CPU embedding backend) must be loaded before usearch: importing it after
# usearch 2.26 crashes the process (segmentation fault in its extension module).
import onnxruntime  # noqa: F401
from usearch.index import Index

from paperfeed.progress import progress_bar
from paperfeed.search import paths, vector_table
from paperfeed.search.embedding_job import current_model
from paperfeed.search.hits import Hit, semantic_hit, why_semantic  # noqa: F401
from paperfeed.search.models import Embedding, decode_vector
from paperfeed.search.table_search import table_cosines, table_search
from paperfeed.search.vector_filters import (
    Filters,
    cosines,
    filter_papers,
    keys_of,
    passing_keys,
)

KIND = "vectors"
INDEX_FILE = "vectors.usearch"
STATE_FILE = "state.json"
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 128
EF_PER_RESULT = 4.0
"""ef_search grows with the results asked for: ``max(EXPANSION_SEARCH, EF_PER_RESULT * k)`` up
to :data:`EF_MAX`.  On 221,328 vectors a search for the top 200 (hybrid's depth) found 0.941 of
the exact top 200 at ef 128, 0.985 at 512, 0.992 at 768 and 0.994 at 1,024 (docs/benchmarks.md,
"Vector recall"): 800 for hybrid's 200 clears the 0.99 bar at the least cost; a top 10 (similar
papers) is exact enough at 128."""


EF_MAX = 1024
"""The most ef_search grows to: the over-fetch of a filtered search (thousands of neighbours,
of which only those that pass matter) is not searched at 4 times its size (usearch searches
with at least k anyway)."""


def ef_for(k: int) -> int:
    """The ef_search of a search for ``k`` neighbours (:data:`EF_PER_RESULT`, :data:`EF_MAX`)."""
    return max(EXPANSION_SEARCH, min(int(EF_PER_RESULT * k), EF_MAX))


SQL_CHUNK = 900
MAX_FETCH = 5_000
"""Most HNSW neighbours one filtered search checks against the database (each check reads a
paper row: 5,000 cost about 40 ms). A broad filter the query's topic avoids (say, papers on
language-model evaluation in cs.CV) keeps only the passing papers among them, fewer than asked:
the closest ones, which are what fusion ranks first; a selective filter is searched exactly
(``candidates``) and is not limited."""


class VectorIndex:
    """An HNSW cosine index whose keys are integers; ``labels`` maps keys to paper ids if given."""

    def __init__(
        self,
        index: Index,
        *,
        model: str,
        labels: Sequence[str] | None = None,
        table: vector_table.VectorTable | None = None,
    ):
        self.index = index
        self.model = model
        self.labels = labels
        self.table = table  # the generation's table (vector_table.py); None: use the database

    @property
    def dim(self) -> int:
        return int(self.index.ndim)

    def __len__(self) -> int:
        return len(self.index)

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        keys: np.ndarray | None = None,
        *,
        model: str,
        labels: Sequence[str] | None = None,
    ) -> VectorIndex:
        """An index of ``vectors`` (rows) under ``keys`` (default 0..n-1)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        index = new_index(vectors.shape[1])
        if len(vectors):
            keys = np.arange(len(vectors), dtype=np.uint64) if keys is None else keys
            index.add(np.asarray(keys, dtype=np.uint64), vectors, log=False, threads=1)
        return cls(index, model=model, labels=labels)

    @classmethod
    def open(cls, directory: Path, *, view: bool = False) -> VectorIndex:
        """Load the index in ``directory``; ``view``: memory-map it read-only (shared between
        processes, nothing copied) instead of loading a copy that can be changed."""
        state = read_state(directory)
        if state is None:
            raise FileNotFoundError(f"{directory / STATE_FILE} is missing or unreadable")
        index = Index.restore(str(directory / INDEX_FILE), view=view)
        if index is None:
            raise FileNotFoundError(f"{directory / INDEX_FILE} is missing or unreadable")
        index.expansion_search = EXPANSION_SEARCH
        table = vector_table.open_table(directory) if view else None
        return cls(index, model=state["model"], table=table)

    def nearest(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys and cosine similarities of the ``k`` nearest vectors, best first."""
        if len(self.index) == 0 or k <= 0:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.float32)
        k = min(k, len(self.index))
        ef = ef_for(k)
        if self.index.expansion_search != ef:
            self.index.expansion_search = ef
        matches = self.index.search(np.asarray(query, dtype=np.float32).reshape(-1), k, log=False)
        return np.asarray(matches.keys), 1.0 - np.asarray(matches.distances, dtype=np.float32)

    def search(self, query: np.ndarray, k: int) -> list[Hit]:
        """The ``k`` nearest papers as hits (needs ``labels``; the app's index uses the DB)."""
        if self.labels is None:
            raise ValueError("this index has no labels; use search_vectors() for the app's index")
        keys, sims = self.nearest(query, k)
        return [
            semantic_hit(self.labels[int(key)], float(sim))
            for key, sim in zip(keys, sims, strict=False)
        ]


def new_index(dim: int) -> Index:
    return Index(
        ndim=dim,
        metric="cos",
        dtype="f16",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )


def exact_nearest(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute force: rows of L2-normalised ``vectors`` by dot product with ``query``, best first."""
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(query, dtype=np.float32)
    top = top_k(sims, k)
    return top, sims[top]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` highest ``scores``, highest first (ties: lower position first)."""
    k = max(0, min(k, len(scores)))
    if not k:
        return np.zeros(0, dtype=int)
    top = np.argpartition(-scores, k - 1)[:k]
    order = np.lexsort((top, -scores[top]))
    return top[order]


# --------------------------------------------------------------------------- files


def read_state(directory: Path) -> dict | None:
    try:
        state = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return state if isinstance(state, dict) and "model" in state else None


def _publish(index: VectorIndex) -> Path:
    directory = paths.new_generation_dir(KIND)
    try:
        index.index.save(str(directory / INDEX_FILE))
        keys = np.asarray(index.index.keys, dtype=np.uint64)
        vector_table.write(_table_of(index, keys), directory)
        state = {
            "model": index.model,
            "dim": index.dim,
            "count": len(index),
            "max_key": int(keys.max()) if len(keys) else 0,  # for a cheap "is it behind?"
        }
        (directory / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        paths.publish(KIND, directory)
    except BaseException:
        paths.discard(directory)
        raise
    _CACHE.clear()
    return directory


def _table_of(index: VectorIndex, keys: np.ndarray) -> vector_table.VectorTable:
    """The table of the index's keys: their vectors read back from the index, their papers'
    ids, categories and dates from the database (one query over the model's rows)."""
    vectors = np.zeros((len(keys), index.dim), dtype=np.float16)
    for start in range(0, len(keys), 10_000):
        chunk = keys[start : start + 10_000]
        vectors[start : start + len(chunk)] = np.stack(index.index.get(chunk, dtype=np.float16))
    rows = (
        Embedding.objects.filter(model=index.model, paper__deleted=False)
        .values_list("id", "paper_id", "paper__categories", "paper__listed", "paper__published")
        .order_by()
    )
    meta = {row[0]: row[1:] for row in rows.iterator(chunk_size=10_000)}
    return vector_table.build(keys, vectors, meta)


_CACHE: dict[str, tuple[Path, VectorIndex]] = {}


def current_index() -> VectorIndex | None:
    """The published index (cached per process, reopened after a sync); None if none yet."""
    directory = paths.current_dir(KIND)
    if directory is None:
        return None
    cached = _CACHE.get(KIND)
    if cached and cached[0] == directory:
        return cached[1]
    try:
        index = VectorIndex.open(directory, view=True)
    except FileNotFoundError:
        return None
    _CACHE[KIND] = (directory, index)
    return index


# --------------------------------------------------------------------------- sync


def _live_keys(model: str) -> np.ndarray:
    keys = Embedding.objects.filter(model=model, paper__deleted=False).values_list("id", flat=True)
    return np.fromiter(keys.order_by("id").iterator(chunk_size=10_000), dtype=np.uint64)


def _vectors_for(keys: np.ndarray, advance: Callable[[int], None]) -> Iterable[tuple]:
    key_list = [int(k) for k in keys]
    for start in range(0, len(key_list), SQL_CHUNK):
        rows = list(
            Embedding.objects.filter(id__in=key_list[start : start + SQL_CHUNK])
            .values_list("id", "dim", "vector")
            .order_by()
        )
        if rows:
            ids = np.array([row[0] for row in rows], dtype=np.uint64)
            vectors = np.stack([decode_vector(row[2], row[1]) for row in rows])
            yield ids, vectors
        advance(len(rows))


@dataclass
class VectorSync:
    added: int = 0
    removed: int = 0
    total: int = 0
    rebuilt: bool = False

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "removed": self.removed,
            "total": self.total,
            "rebuilt": self.rebuilt,
        }


def rebuild_vectors(progress: bool = False) -> VectorSync:
    """Build the index from every stored vector of the current model; publish atomically."""
    model = current_model()
    with paths.write_lock(KIND):
        return _rebuild_locked(model, progress)


def _rebuild_locked(model: str, progress: bool) -> VectorSync:
    keys = _live_keys(model)
    if not len(keys):
        return VectorSync()  # nothing to index: no vectors of this model are stored yet
    dim = Embedding.objects.filter(model=model).values_list("dim", flat=True).first()
    index = VectorIndex(new_index(int(dim)), model=model)
    with progress_bar(
        "index vectors", total=len(keys), unit="papers", disable=not progress
    ) as advance:
        for ids, vectors in _vectors_for(keys, advance):
            index.index.add(ids, vectors, log=False, threads=1)
    _publish(index)
    return VectorSync(added=len(keys), total=len(index), rebuilt=True)


def sync_vectors(progress: bool = False) -> dict:
    """Bring the index in step with the table: add new keys, remove lost ones (or rebuild).

    Rebuilds when there is no index yet or it holds another model's vectors.  Returns
    ``{"added", "removed", "total", "rebuilt"}``.
    """
    model = current_model()
    with paths.write_lock(KIND):
        directory = paths.current_dir(KIND)
        state = read_state(directory) if directory else None
        if state is None or state.get("model") != model:
            return _rebuild_locked(model, progress).as_dict()
        index = VectorIndex.open(directory)
        live = _live_keys(model)
        present = np.asarray(index.index.keys, dtype=np.uint64)
        to_add = np.setdiff1d(live, present, assume_unique=True)
        to_remove = np.setdiff1d(present, live, assume_unique=True)
        if not len(to_add) and not len(to_remove):
            if not (directory / vector_table.META_FILE).exists():
                _publish(index)  # a generation from before the table: write one with it
            return VectorSync(total=len(index)).as_dict()
        if len(to_remove):
            index.index.remove(to_remove)
        with progress_bar(
            "index new vectors", total=len(to_add), unit="papers", disable=not progress
        ) as advance:
            for ids, vectors in _vectors_for(to_add, advance):
                index.index.add(ids, vectors, log=False, threads=1)
        _publish(index)
        return VectorSync(added=len(to_add), removed=len(to_remove), total=len(index)).as_dict()


# --------------------------------------------------------------------------- queries


def _labels(keys: list[int]) -> dict[int, str]:
    """Paper id of each key whose paper is not deleted (keys of removed rows are left out)."""
    found: dict[int, str] = {}
    for start in range(0, len(keys), SQL_CHUNK):
        found.update(
            Embedding.objects.filter(id__in=keys[start : start + SQL_CHUNK], paper__deleted=False)
            .values_list("id", "paper_id")
            .order_by()
        )
    return found


def search_vectors(
    query: np.ndarray,
    k: int,
    *,
    filters: Filters | None = None,
    exclude: Iterable[str] = (),
    index: VectorIndex | None = None,
    candidates: Collection[str] | None = None,
    selectivity: float | None = None,
) -> list[Hit]:
    """The ``k`` papers closest to ``query`` that pass ``filters``, best first.

    HNSW returns candidates with no notion of metadata, so filtered searches over-fetch and
    keep the candidates the database says pass: ``4k`` at first (or ``1.5 k / selectivity``
    when the share of papers that pass, ``selectivity``, is estimated), then as many more as the
    pass rate seen says are needed (:func:`_next_fetch`), up to :data:`MAX_FETCH`, checking
    only the candidates not seen before; a very selective filter can therefore return fewer
    than ``k`` hits.  That is what ``candidates`` is for: the ids of a superset of the papers
    that pass (say, the lexical index's answer to the filters alone); then only those are
    considered, each scored exactly against its vector in the index (:func:`exact_among`).
    """
    index = index or current_index()
    if index is None or k <= 0:
        return []
    filters = filters or Filters()
    exclude = set(exclude)
    if index.table is not None:
        return table_search(query, k, index, filters, exclude, candidates, selectivity)
    if candidates is not None:
        return exact_among(query, k, candidates, filters=filters, exclude=exclude, index=index)
    fetch = _first_fetch(k, filters.active, selectivity) + len(exclude)
    passing: dict[int, tuple[str, float]] = {}  # key -> (paper id, cosine) of keepers
    checked: set[int] = set()
    while True:
        keys, sims = index.nearest(query, fetch)
        fresh = [(int(key), float(sim)) for key, sim in zip(keys, sims, strict=False)]
        fresh = [(key, sim) for key, sim in fresh if key not in checked]
        checked.update(key for key, _ in fresh)
        fresh_keys = [key for key, _ in fresh]
        labels = passing_keys(fresh_keys, filters) if filters.active else _labels(fresh_keys)
        passing.update(
            (key, (labels[key], sim))
            for key, sim in fresh
            if key in labels and labels[key] not in exclude
        )
        exhausted = len(keys) >= len(index) or fetch >= MAX_FETCH
        if len(passing) >= k or exhausted:
            best = sorted(passing.values(), key=lambda item: (-item[1], item[0]))[:k]
            return [semantic_hit(pid, sim) for pid, sim in best]
        fetch = _next_fetch(fetch, k, len(passing))


def _first_fetch(k: int, filtered: bool, selectivity: float | None) -> int:
    """Candidates to ask HNSW for first: ``k`` unfiltered, else ``4k`` or ``1.5 k / share``."""
    if not filtered:
        return k
    if selectivity is None or selectivity <= 0:
        return k * 4
    return min(MAX_FETCH, max(k * 2, int(1.5 * k / min(1.0, selectivity))))


def _next_fetch(fetch: int, k: int, kept: int) -> int:
    """The next round's candidates: as many as the pass rate seen so far says ``k`` keepers need
    (times 1.5), at least twice as many as before; eight times as many when none passed."""
    if kept <= 0:
        return min(MAX_FETCH, fetch * 8)
    return min(MAX_FETCH, max(fetch * 2, int(1.5 * fetch * k / kept)))


def exact_among(
    query: np.ndarray,
    k: int,
    paper_ids: Collection[str],
    *,
    filters: Filters | None = None,
    exclude: Iterable[str] = (),
    index: VectorIndex | None = None,
) -> list[Hit]:
    """The ``k`` papers of ``paper_ids`` closest to ``query`` (exact cosine), best first.

    Only papers with a vector in the index count, and only visible ones that pass ``filters``
    (checked by the database, in rank order, until ``k`` pass: rows of the paper table are
    the costly part, so a few thousand candidates cost a few hundred checks). The vectors are
    read from the index itself, so the scores are the cosines HNSW would report.
    """
    index = index or current_index()
    if index is None or k <= 0:
        return []
    exclude = set(exclude)
    keyed = keys_of([pid for pid in dict.fromkeys(paper_ids) if pid not in exclude])
    keys = np.array(sorted(keyed), dtype=np.uint64)  # a fixed order: ties break the same way
    found = index.index.get(keys, dtype=np.float32) if len(keys) else ()
    present = [i for i, vector in enumerate(found) if vector is not None]
    if not present:
        return []
    sims = cosines(np.stack([found[i] for i in present]), query)
    labels = [keyed[int(keys[i])] for i in present]
    ranked = top_k(sims, len(sims))
    hits: list[Hit] = []
    done, batch = 0, k + k // 4 + 10
    while len(hits) < k and done < len(ranked):
        positions = ranked[done : done + batch]
        allowed = filter_papers([labels[i] for i in positions], filters or Filters())
        hits += [semantic_hit(labels[i], float(sims[i])) for i in positions if labels[i] in allowed]
        done, batch = done + len(positions), batch * 2
    return hits[:k]


def cosines_of(
    query: np.ndarray, paper_ids: Collection[str], index: VectorIndex | None = None
) -> dict[str, float]:
    """The exact cosine of each of ``paper_ids`` that has a vector in the index (read from the
    index, as HNSW reports them): the meaning side's score of a paper only the lexical side
    found.  Read from the generation's table when it has one (no database), else one query
    for the keys; no filter check (the caller's candidates passed them)."""
    index = index or current_index()
    if index is None or not paper_ids:
        return {}
    if index.table is not None:
        return table_cosines(index.table, query, paper_ids)
    keyed = keys_of(list(dict.fromkeys(paper_ids)))
    keys = np.array(sorted(keyed), dtype=np.uint64)
    found = index.index.get(keys, dtype=np.float32) if len(keys) else ()
    present = [i for i, vector in enumerate(found) if vector is not None]
    if not present:
        return {}
    sims = cosines(np.stack([found[i] for i in present]), query)
    return {keyed[int(keys[i])]: float(sim) for i, sim in zip(present, sims, strict=True)}


def stored_vector(paper_id: str) -> np.ndarray | None:
    row = (
        Embedding.objects.filter(paper_id=paper_id, model=current_model())
        .values_list("dim", "vector")
        .first()
    )
    return decode_vector(row[1], row[0]) if row else None


def similar(paper_id: str, k: int = 10, *, filters: Filters | None = None) -> list[Hit]:
    """Papers nearest to ``paper_id``'s stored vector, the paper itself excluded."""
    vector = stored_vector(paper_id)
    if vector is None:
        return []
    return search_vectors(vector, k, filters=filters, exclude={paper_id})
