"""The stored embeddings: compute what is missing, import and export vector files.

The database is the source of truth; the vector index (:mod:`paperfeed.search.vector_index`) is
derived from it.  One model at a time: vectors made by another model than
``settings.PAPERFEED_EMBEDDING_MODEL`` are *stale*, and nothing here mixes them with new ones
unless the caller asks to re-embed (``--reembed``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction

from paperfeed.papers.models import Paper
from paperfeed.progress import progress_bar
from paperfeed.search.encoders import Encoder, load_encoder, normalise_rows, paper_text, text_hash
from paperfeed.search.models import Embedding, encode_vector

SQL_CHUNK = 900  # ids per IN (...) query, under every backend's parameter limit
KNOWN_DIMS = {"all-MiniLM-L6-v2": 384, "sentence-transformers/all-MiniLM-L6-v2": 384}


class EmbeddingError(Exception):
    """Bad input or an unsafe request; the message names the file or setting and the problem."""


class ModelMismatch(EmbeddingError):
    """Stored vectors were made by another model than the configured one."""


@dataclass
class EmbedSummary:
    embedded: int = 0
    skipped_unknown: int = 0
    unknown_examples: list[str] = field(default_factory=list)
    replaced: int = 0


def current_model() -> str:
    return settings.PAPERFEED_EMBEDDING_MODEL


def model_counts() -> dict[str, int]:
    """How many vectors each model made."""
    counts: dict[str, int] = {}
    for name in Embedding.objects.values_list("model", flat=True).order_by().distinct():
        counts[name] = Embedding.objects.filter(model=name).count()
    return counts


def check_model(model: str, *, reembed: bool) -> None:
    """Refuse to mix ``model``'s vectors with another model's unless ``reembed`` is set."""
    others = {name: n for name, n in model_counts().items() if name != model}
    if others and not reembed:
        listing = ", ".join(f"{n:,} by {name!r}" for name, n in sorted(others.items()))
        raise ModelMismatch(
            f"the database holds vectors of another model ({listing}) but the embedding model "
            f"is {model!r}; models are never mixed. Run `paperfeed embed --reembed` to replace "
            "them, or set PAPERFEED_EMBEDDING_MODEL back."
        )


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def pending(
    model: str, *, reembed: bool = False, limit: int | None = None
) -> list[tuple[str, str]]:
    """``(paper_id, text)`` of visible papers whose vector is missing, stale or outdated.

    Outdated: the title or abstract changed since the vector was made (text hash differs).
    With ``reembed`` every vector not made by ``model`` counts as missing.
    """
    rows = (
        Paper.objects.visible()
        .order_by("arxiv_id")
        .values_list("arxiv_id", "title", "abstract", "embedding__model", "embedding__text_hash")
    )
    todo = []
    for paper_id, title, abstract, stored_model, stored_hash in rows.iterator(chunk_size=2000):
        text = paper_text(title, abstract)
        if (
            stored_model is None
            or stored_hash != text_hash(text)
            or stored_model != model
            and reembed
        ):
            todo.append((paper_id, text))
        if limit is not None and len(todo) >= limit:
            break
    return todo


def _store(model: str, ids: list[str], texts: list[str], vectors: np.ndarray) -> int:
    """Replace the vectors of ``ids`` in one transaction (new rows, so new index keys)."""
    rows = [
        Embedding(
            paper_id=pid,
            model=model,
            dim=vectors.shape[1],
            vector=encode_vector(vec),
            text_hash=text_hash(text),
        )
        for pid, text, vec in zip(ids, texts, vectors, strict=True)
    ]
    with transaction.atomic():
        replaced, _ = Embedding.objects.filter(paper_id__in=ids).delete()
        Embedding.objects.bulk_create(rows, batch_size=500)
    return replaced


def embed_missing(
    encoder: Encoder,
    *,
    batch_size: int = 64,
    limit: int | None = None,
    reembed: bool = False,
    progress: Callable[[int], None] | None = None,
    todo: list[tuple[str, str]] | None = None,
) -> EmbedSummary:
    """Embed every pending paper with ``encoder``, storing each chunk as it is done."""
    check_model(encoder.name, reembed=reembed)
    todo = pending(encoder.name, reembed=reembed, limit=limit) if todo is None else todo
    summary = EmbedSummary()
    chunk_size = max(batch_size * 16, 256)  # sort-by-length works within a chunk
    for chunk in _chunks(todo, chunk_size):
        ids = [pid for pid, _ in chunk]
        texts = [text for _, text in chunk]
        vectors = encoder.encode(texts, batch_size=batch_size, progress=progress)
        summary.replaced += _store(encoder.name, ids, texts, vectors)
        summary.embedded += len(ids)
    return summary


@dataclass
class EmbedRun:
    """What :func:`embed_pending` did: how many papers were pending and embedded, with which
    model, where (device, backend; empty when nothing was pending) and in how many seconds."""

    model: str
    pending: int
    embedded: int = 0
    device: str = ""
    backend: str = ""
    seconds: float = 0.0


def embed_pending(
    *,
    device: str = "auto",
    backend: str = "auto",
    batch_size: int | None = None,
    limit: int | None = None,
    reembed: bool = False,
    progress: bool = False,
) -> EmbedRun:
    """Embed the papers :func:`pending` lists with the configured model, loaded only when there
    is work (``paperfeed embed`` and the worker's embed job). ``batch_size`` defaults to 32 texts
    per forward pass on CPU, 256 on CUDA."""
    model = current_model()
    check_model(model, reembed=reembed)
    todo = pending(model, reembed=reembed, limit=limit)
    run = EmbedRun(model=model, pending=len(todo))
    if not todo:
        return run
    encoder = load_encoder(model, device=device, backend=backend)
    run.device = getattr(encoder, "device", "cpu")
    run.backend = getattr(encoder, "backend", "no model")
    started = time.perf_counter()
    with progress_bar(
        f"embed ({run.device}, {run.backend})", total=len(todo), unit="papers", disable=not progress
    ) as advance:
        summary = embed_missing(
            encoder,
            batch_size=batch_size or (256 if run.device == "cuda" else 32),
            reembed=reembed,
            progress=advance,
            todo=todo,
        )
    run.embedded = summary.embedded
    run.seconds = time.perf_counter() - started
    return run


# --------------------------------------------------------------------------- files


def _read_ids(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise EmbeddingError(f"{path}: no such ids file") from None
    except UnicodeDecodeError as exc:
        raise EmbeddingError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    ids = [line.strip() for line in lines]
    for number, value in enumerate(ids, 1):
        if not value:
            raise EmbeddingError(f"{path}: line {number} is empty; one paper id per line expected")
    seen: dict[str, int] = {}
    for number, value in enumerate(ids, 1):
        if value in seen:
            raise EmbeddingError(
                f"{path}: id {value!r} appears twice (lines {seen[value]} and {number})"
            )
        seen[value] = number
    return ids


def _read_vectors(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False, mmap_mode="r")
    except FileNotFoundError:
        raise EmbeddingError(f"{path}: no such vectors file") from None
    except (ValueError, OSError) as exc:
        raise EmbeddingError(f"{path}: not a NumPy .npy array file ({exc})") from None
    if array.ndim != 2:
        raise EmbeddingError(
            f"{path}: expected a 2-d array (papers x dims), got shape {array.shape}"
        )
    if array.dtype.kind != "f":
        raise EmbeddingError(f"{path}: expected float16/32/64 values, got {array.dtype}")
    return array


def expected_dim(model: str) -> int | None:
    """The model's dimension if known without loading it: from stored rows, names, or hashing:N."""
    stored = Embedding.objects.filter(model=model).values_list("dim", flat=True).first()
    if stored:
        return int(stored)
    if model.startswith("hashing:") and model[8:].isdigit():
        return int(model[8:])
    return KNOWN_DIMS.get(model)


def import_vectors(
    vectors_path: Path,
    ids_path: Path,
    *,
    model: str | None = None,
    reembed: bool = False,
    progress: Callable[[int], None] | None = None,
    batch: int = 2000,
) -> EmbedSummary:
    """Store vectors made elsewhere (row i belongs to line i of ``ids_path``).

    Everything is checked before the first write: the array's shape and dtype, the number of
    ids, the dimension the model needs, finite non-zero rows.  Ids of papers not in the
    database are reported and skipped.  Rows are L2-normalised and stored as float16.
    """
    vectors_path, ids_path = Path(vectors_path), Path(ids_path)
    model = model or current_model()
    if model != current_model():
        raise EmbeddingError(
            f"vectors of model {model!r} would be stale at once: PAPERFEED_EMBEDDING_MODEL is "
            f"{current_model()!r}. Set it to {model!r} first."
        )
    array = _read_vectors(vectors_path)
    ids = _read_ids(ids_path)
    if array.shape[0] != len(ids):
        raise EmbeddingError(
            f"{vectors_path} has {array.shape[0]:,} rows but {ids_path} has {len(ids):,} ids; "
            "row i must belong to line i"
        )
    want = expected_dim(model)
    if want is not None and array.shape[1] != want:
        raise EmbeddingError(
            f"{vectors_path}: vectors have {array.shape[1]} dimensions, model {model!r} makes {want}"
        )
    check_model(model, reembed=reembed)
    for start in range(0, array.shape[0], 8192):
        block = np.asarray(array[start : start + 8192], dtype=np.float32)
        bad = ~np.isfinite(block).all(axis=1) | (np.linalg.norm(block, axis=1) == 0)
        if bad.any():
            row = start + int(np.argmax(bad))
            raise EmbeddingError(
                f"{vectors_path}: row {row} (id {ids[row]!r}) is zero or not finite"
            )
    summary = EmbedSummary()
    for start in range(0, len(ids), batch):
        chunk_ids = ids[start : start + batch]
        texts = {
            pid: paper_text(title, abstract)
            for pid, title, abstract in Paper.objects.filter(arxiv_id__in=chunk_ids, deleted=False)
            .values_list("arxiv_id", "title", "abstract")
            .order_by()
        }
        keep = [i for i, pid in enumerate(chunk_ids) if pid in texts]
        for pid in chunk_ids:
            if pid not in texts:
                summary.skipped_unknown += 1
                if len(summary.unknown_examples) < 10:
                    summary.unknown_examples.append(pid)
        if keep:
            rows = normalise_rows(np.asarray(array[start : start + batch], dtype=np.float32)[keep])
            kept_ids = [chunk_ids[i] for i in keep]
            summary.replaced += _store(model, kept_ids, [texts[p] for p in kept_ids], rows)
            summary.embedded += len(keep)
        if progress:
            progress(len(chunk_ids))
    return summary


def export_vectors(vectors_path: Path, ids_path: Path, *, model: str | None = None) -> int:
    """Write the model's stored vectors (float16, sorted by paper id) and their ids."""
    vectors_path, ids_path = Path(vectors_path), Path(ids_path)
    model = model or current_model()
    rows = (
        Embedding.objects.filter(model=model, paper__deleted=False)
        .order_by("paper_id")
        .values_list("paper_id", "dim", "vector")
    )
    ids, blobs, dim = [], [], None
    for paper_id, row_dim, blob in rows.iterator(chunk_size=5000):
        dim = dim or row_dim
        ids.append(paper_id)
        blobs.append(bytes(blob))
    if not ids:
        raise EmbeddingError(f"no stored vectors of model {model!r} to export")
    array = np.frombuffer(b"".join(blobs), dtype="<f2").reshape(len(ids), dim)
    tmp_vectors = vectors_path.with_name(vectors_path.name + ".tmp")
    tmp_ids = ids_path.with_name(ids_path.name + ".tmp")
    with open(tmp_vectors, "wb") as fh:
        np.save(fh, array)
    tmp_ids.write_text("\n".join(ids) + "\n", encoding="utf-8")
    tmp_vectors.replace(vectors_path)
    tmp_ids.replace(ids_path)
    return len(ids)
