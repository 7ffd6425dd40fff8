"""Optional re-ranking of the best results with a cross-encoder (off by default), torch-free.

A cross-encoder reads the query and a paper's text together and scores their relevance
(Nogueira & Cho, "Passage Re-ranking with BERT", 2019): slower than the bi-encoder, so it only
re-orders the best ``PAPERFEED_RERANK_DEPTH`` results of a relevance-ordered hybrid or
semantic search.  ``PAPERFEED_RERANK_MODEL`` is the path of a sentence-transformers
``CrossEncoder`` directory (nothing is ever downloaded).

Web processes never load that model with PyTorch, as with the query encoder
(:mod:`paperfeed.search.query_encoder`): the batch commands (``paperfeed index``, ``paperfeed
embed``, the worker's embedding job; :mod:`paperfeed.search.rerank_model`) export its
transformer to ONNX under ``$PAPERFEED_HOME/models/rerank_<path>/`` with its fast tokenizer,
check the exported scores against ``CrossEncoder.predict`` on probe pairs and write a manifest
last; a search process opens those files with ONNX Runtime and ``tokenizers``
(:class:`OnnxCrossEncoder`), once per process.  Without them — never exported, or the model
directory changed since (the manifest keeps a fingerprint of its files) — a warning names the
command to run and the search keeps the fused order.

Scores are the model's: (query, text) tokenized as a pair, truncated longest-first to the
model's ``max_seq_length``, the classifier's one logit through the activation
``CrossEncoder.predict`` applies (sigmoid by default).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from paperfeed.search.encoders import paper_text
from paperfeed.search.hits import Hit
from paperfeed.search.onnx_runtime import cache_dir
from paperfeed.search.query_encoder import (
    ONNX_FILE,
    TOKENIZER_FILE,
    build_session,
    exported_files_problem,
)

log = logging.getLogger(__name__)

MANIFEST_FILE = "rerank-model.json"
"""Written last by the batch side, after the score check: its presence means the pair is good."""
ACTIVATIONS = ("sigmoid", "identity")
ARRAYS = ("input_ids", "attention_mask", "token_type_ids")
"""The inputs a pair can give; the manifest names those the exported graph takes."""
FIX = "run `paperfeed index` (or `paperfeed embed`) to export and check it"


class RerankError(RuntimeError):
    """The configured cross-encoder cannot be used; the message names the path and the fix."""


def export_dir(path: str) -> Path:
    """Where the batch side exports the model at ``path``: ``$PAPERFEED_HOME/models/rerank_…``."""
    return cache_dir("rerank:" + str(Path(path).resolve()))


def fingerprint(path: str) -> str:
    """Names, sizes and modification times of the model directory's files: a changed model
    (new weights, another tokenizer) no longer matches its export."""
    digest = hashlib.sha256()
    for item in sorted(Path(path).iterdir()):
        if item.is_file():
            stat = item.stat()
            digest.update(f"{item.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Manifest:
    """What the batch side wrote after checking the exported files (``rerank-model.json``)."""

    source: str  # the model directory, resolved
    fingerprint: str  # of its files when exported (:func:`fingerprint`)
    onnx_bytes: int
    tokenizer_bytes: int
    inputs: tuple[str, ...]  # the ONNX graph's inputs: ids, mask and, for BERT, token types
    max_length: int
    activation: str  # one of ACTIVATIONS
    max_difference: float  # the largest |score - CrossEncoder.predict's| on the probes

    @classmethod
    def read(cls, directory: Path) -> Manifest | None:
        try:
            data = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
            return cls(**{**data, "inputs": tuple(data["inputs"])})
        except (OSError, ValueError, TypeError, KeyError):
            return None

    def write(self, directory: Path) -> None:
        tmp = directory / f"{MANIFEST_FILE}.{os.getpid()}.tmp"
        data = {**self.__dict__, "inputs": list(self.inputs)}
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        tmp.replace(directory / MANIFEST_FILE)


def files_problem(path: str) -> str | None:
    """Why the export of the model at ``path`` cannot be used (None: it can); ``stat`` calls
    and one small JSON read."""
    if not Path(path).is_dir():
        return "no such directory"
    directory = export_dir(path)
    manifest = Manifest.read(directory)
    if manifest is None:
        return f"no ONNX export in {directory}; {FIX}"
    if problem := exported_files_problem(directory, manifest, FIX):
        return problem
    if manifest.fingerprint != fingerprint(path):
        return f"the model changed since it was exported; {FIX}"
    return None


class OnnxCrossEncoder:
    """``predict([(query, text), ...]) -> float32 scores`` with the exported model (module doc)."""

    def __init__(self, directory: Path, manifest: Manifest, *, threads: int = 1):
        from tokenizers import Tokenizer

        self.manifest = manifest
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(max_length=manifest.max_length, strategy="longest_first")
        self.tokenizer.no_padding()
        self.session = build_session(directory / ONNX_FILE, threads)

    def predict(self, pairs, *, batch_size: int = 32) -> np.ndarray:
        pairs = [(str(q), str(t)) for q, t in pairs]
        scores = np.zeros(len(pairs), dtype=np.float32)
        for start in range(0, len(pairs), batch_size):
            encoded = self.tokenizer.encode_batch(pairs[start : start + batch_size])
            width = max(len(e.ids) for e in encoded)
            arrays = {name: np.zeros((len(encoded), width), np.int64) for name in ARRAYS}
            for row, e in enumerate(encoded):
                n = len(e.ids)
                arrays["input_ids"][row, :n] = e.ids
                arrays["attention_mask"][row, :n] = 1
                arrays["token_type_ids"][row, :n] = e.type_ids
            feed = {name: arrays[name] for name in self.manifest.inputs}
            logits = self.session.run(None, feed)[0][:, 0]
            scores[start : start + len(encoded)] = logits
        if self.manifest.activation == "sigmoid":
            scores = 1.0 / (1.0 + np.exp(-scores))
        return scores


@functools.lru_cache(maxsize=2)
def load(path: str) -> OnnxCrossEncoder:
    """The exported cross-encoder of ``path``, opened once per process; :class:`RerankError`
    when it cannot be used. Never imports torch."""
    problem = files_problem(path)
    if problem:
        raise RerankError(f"PAPERFEED_RERANK_MODEL={path!r}: {problem}")
    directory = export_dir(path)
    try:
        return OnnxCrossEncoder(directory, Manifest.read(directory))
    except Exception as exc:  # noqa: BLE001 - a corrupt file: say which and what to run
        raise RerankError(
            f"PAPERFEED_RERANK_MODEL={path!r}: cannot open {directory}: {exc}; {FIX}"
        ) from exc


def order(query: str, hits: list[Hit], texts: dict[str, str], model) -> list[Hit]:
    """``hits`` re-ordered by the cross-encoder's score of (query, paper text), best first;
    equal scores keep their fused order. Hits without a text keep their place at the end."""
    scored = [h for h in hits if h.id in texts]
    rest = [h for h in hits if h.id not in texts]
    if not scored:
        return hits
    scores = model.predict([(query, texts[h.id]) for h in scored])
    ranked = sorted(range(len(scored)), key=lambda i: (-float(scores[i]), i))
    return [scored[i] for i in ranked] + rest


def configured() -> str:
    return getattr(settings, "PAPERFEED_RERANK_MODEL", "").strip()


def rerank(query: str, ranked: list[Hit]) -> list[Hit]:
    """The fused list with its best ``PAPERFEED_RERANK_DEPTH`` re-ranked, when a model is set."""
    path = configured()
    depth = int(getattr(settings, "PAPERFEED_RERANK_DEPTH", 50))
    if not path or not query or depth <= 0 or len(ranked) < 2:
        return ranked
    try:
        model = load(path)
    except RerankError as exc:
        log.warning("re-ranking off: %s", exc)
        return ranked
    from paperfeed.papers.models import Paper

    head = ranked[:depth]
    rows = Paper.objects.filter(arxiv_id__in=[h.id for h in head]).values_list(
        "arxiv_id", "title", "abstract"
    )
    texts = {pid: paper_text(title, abstract) for pid, title, abstract in rows}
    return order(query, head, texts, model) + ranked[depth:]
