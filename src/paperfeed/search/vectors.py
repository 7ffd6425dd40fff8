"""Nearest-neighbour search over paper embeddings: a usearch HNSW index on cosine distance.

The index is derived from the ``Embedding`` table and lives under ``DATA_DIR/index`` as
``vectors-NNNNNN/`` (see :mod:`paperfeed.search.paths`): ``vectors.usearch`` plus ``state.json``
(model, dimension, count).  Keys are ``Embedding.id``; a re-embedded paper gets a new row and so a
new key, which makes :func:`sync_vectors` a set difference: add keys the table has and the index
lacks, remove keys the index has and the table lost (deleted papers, replaced vectors).  Each sync
or rebuild writes a new generation and publishes it atomically, so readers never see a half-written
file.  HNSW (Malkov & Yashunin 2018) with M = 16, ef_construction = 128, ef_search = 128.

Vectors are added on one thread: usearch 2.26's concurrent insertion leaves some nodes
unreachable (0.35 % of 600 random vectors could not find themselves; none single-threaded).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.db.models import Q

with contextlib.suppress(ImportError):
    # onnxruntime (the CPU embedding backend) must be loaded before usearch: importing it
    # after usearch 2.26 crashes the process (segmentation fault in its extension module).
    import onnxruntime  # noqa: F401
from usearch.index import Index  # noqa: E402

from paperfeed.papers.models import Paper
from paperfeed.progress import progress_bar
from paperfeed.search import paths
from paperfeed.search.embeddings import current_model
from paperfeed.search.hits import Hit
from paperfeed.search.models import Embedding, decode_vector

KIND = "vectors"
INDEX_FILE = "vectors.usearch"
STATE_FILE = "state.json"
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 128
SQL_CHUNK = 900
MAX_FETCH = 20_000


def why_semantic(cosine: float) -> str:
    return f"semantically close (cosine {cosine:.2f})"


class VectorIndex:
    """An HNSW cosine index whose keys are integers; ``labels`` maps keys to paper ids if given."""

    def __init__(self, index: Index, *, model: str, labels: Sequence[str] | None = None):
        self.index = index
        self.model = model
        self.labels = labels

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
        return cls(index, model=state["model"])

    def nearest(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys and cosine similarities of the ``k`` nearest vectors, best first."""
        if len(self.index) == 0 or k <= 0:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.float32)
        k = min(k, len(self.index))
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


def semantic_hit(paper_id: str, cosine: float) -> Hit:
    return Hit(id=paper_id, score=cosine, why=[why_semantic(cosine)], similarity=cosine)


def exact_nearest(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute force: rows of L2-normalised ``vectors`` by dot product with ``query``, best first."""
    sims = np.asarray(vectors, dtype=np.float32) @ np.asarray(query, dtype=np.float32)
    k = min(k, len(sims))
    top = np.argpartition(-sims, k - 1)[:k] if k else np.zeros(0, dtype=int)
    top = top[np.argsort(-sims[top], kind="stable")]
    return top, sims[top]


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
        state = {"model": index.model, "dim": index.dim, "count": len(index)}
        (directory / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        paths.publish(KIND, directory)
    except BaseException:
        paths.discard(directory)
        raise
    _CACHE.clear()
    return directory


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


@dataclass(frozen=True)
class Filters:
    """Metadata filters applied to vector candidates through the database."""

    categories: tuple[str, ...] = ()
    not_categories: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    not_authors: tuple[str, ...] = ()
    since: object = None
    until: object = None

    @property
    def active(self) -> bool:
        return bool(
            self.categories
            or self.not_categories
            or self.authors
            or self.not_authors
            or self.since
            or self.until
        )


def _category_q(category: str) -> Q:
    category = category.strip()
    if "." in category:
        return (
            Q(categories__iexact=category)
            | Q(categories__istartswith=category + " ")
            | Q(categories__iendswith=" " + category)
            | Q(categories__icontains=" " + category + " ")
        )
    return Q(categories__istartswith=category + ".") | Q(categories__icontains=" " + category + ".")


def _author_q(name: str) -> Q:
    """Every word of ``name`` starts a word of an author's name (case-insensitive)."""
    q = Q()
    for word in name.replace('"', " ").split():
        q &= (
            Q(authorships__author__name__istartswith=word)
            | Q(authorships__author__name__icontains=" " + word)
            | Q(authorships__author__name__icontains="-" + word)
        )
    return q


def filter_papers(ids: list[str], filters: Filters) -> set[str]:
    """The subset of ``ids`` that are visible and pass ``filters``."""
    query = Paper.objects.visible()
    if filters.categories:
        any_of = Q()
        for category in filters.categories:
            any_of |= _category_q(category)
        query = query.filter(any_of)
    for category in filters.not_categories:
        query = query.exclude(_category_q(category))
    for name in filters.authors:
        query = query.filter(arxiv_id__in=Paper.objects.filter(_author_q(name)).values("arxiv_id"))
    for name in filters.not_authors:
        query = query.exclude(arxiv_id__in=Paper.objects.filter(_author_q(name)).values("arxiv_id"))
    if filters.since:
        query = query.filter(
            Q(listed__gte=filters.since) | Q(listed__isnull=True, published__gte=filters.since)
        )
    if filters.until:
        query = query.filter(
            Q(listed__lte=filters.until) | Q(listed__isnull=True, published__lte=filters.until)
        )
    found: set[str] = set()
    for start in range(0, len(ids), SQL_CHUNK):
        found.update(
            query.filter(arxiv_id__in=ids[start : start + SQL_CHUNK])
            .values_list("arxiv_id", flat=True)
            .order_by()
        )
    return found


def _labels(keys: list[int]) -> dict[int, str]:
    """Paper id of each key whose paper is visible (keys of removed rows are left out)."""
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
) -> list[Hit]:
    """The ``k`` papers closest to ``query`` that pass ``filters``, best first.

    HNSW returns candidates with no notion of metadata, so filtered searches over-fetch
    (``4k``, then eight times more each round up to :data:`MAX_FETCH`) and keep the candidates the database
    says pass; a very selective filter can therefore return fewer than ``k`` hits.
    """
    index = index or current_index()
    if index is None or k <= 0:
        return []
    filters = filters or Filters()
    exclude = set(exclude)
    fetch = (k * 4 if filters.active else k) + len(exclude)
    while True:
        keys, sims = index.nearest(query, fetch)
        labels = _labels([int(key) for key in keys])
        ranked = [
            (labels[int(key)], float(sim))
            for key, sim in zip(keys, sims, strict=False)
            if int(key) in labels and labels[int(key)] not in exclude
        ]
        if filters.active:
            allowed = filter_papers([pid for pid, _ in ranked], filters)
            ranked = [(pid, sim) for pid, sim in ranked if pid in allowed]
        hits = [semantic_hit(pid, sim) for pid, sim in ranked]
        exhausted = len(keys) >= len(index) or fetch >= MAX_FETCH
        if len(hits) >= k or exhausted:
            return hits[:k]
        fetch = min(fetch * 8, MAX_FETCH)


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
