"""The query encoder of web processes: ONNX Runtime and ``tokenizers``, never torch.

A search, the API, a feed or a saved search embeds its query text here.  The batch side
(``paperfeed embed``, ``paperfeed index``, the quickstart; :mod:`paperfeed.search.query_model`)
exports the model's transformer to ONNX once, saves its tokenizer, checks the pair against
sentence-transformers on probe texts and writes a manifest, all under
``$PAPERFEED_HOME/models/<model>/``; a web process only opens those files.  When they are missing
(or do not match the manifest) it does not fall back to PyTorch: :func:`load_query_encoder`
raises :class:`QueryModelMissing`, the search answers lexically and says why, and
``paperfeed doctor`` names the command to run.

The vector of a text is the model's: the WordPiece ids of the text (truncated to
:data:`MAX_TOKENS` tokens, special tokens included, no padding — the shipped ``tokenizer.json``
pads and truncates to 128, which the model's sentence-transformers config overrides), the last
hidden states mean-pooled over the tokens (the pooling ``all-MiniLM-L6-v2`` was trained with, its
``1_Pooling`` config), L2-normalised.  Measured against sentence-transformers: cosine ≥ 0.99999
(``tests/search/test_query_encoder.py``; the manifest records the probes' minimum).

The session runs on one intra-op thread: a query is a few dozen tokens (~3 ms), a web process
serves one request at a time, and a thread pool would be created per process (or break across
a fork).  Built before gunicorn forks its workers (``paperfeed serve`` preloads the app), its
memory is shared by every worker.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperfeed.search.encoders import EncoderError, load_encoder, normalise_rows
from paperfeed.search.onnx_runtime import cache_dir

MAX_TOKENS = 256
"""Tokens a text is cut to (special tokens included): sentence-transformers' ``max_seq_length``."""
ONNX_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
MANIFEST_FILE = "query-model.json"
"""Written last by the batch side, after the drift check: its presence means the pair is good."""
MIN_COSINE = 0.999
"""The least cosine to sentence-transformers' vectors a query model may have on the probes."""


class QueryModelMissing(EncoderError):
    """No checked ONNX query model for this model name; the message says what to run."""


@dataclass(frozen=True)
class Manifest:
    """What the batch side wrote after checking the exported files (``query-model.json``)."""

    model: str
    onnx_bytes: int
    tokenizer_bytes: int
    min_cosine: float
    dim: int
    max_tokens: int = MAX_TOKENS

    @classmethod
    def read(cls, directory: Path) -> Manifest | None:
        try:
            data = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError):
            return None

    def write(self, directory: Path) -> None:
        tmp = directory / f"{MANIFEST_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self.__dict__, indent=2) + "\n", encoding="utf-8")
        tmp.replace(directory / MANIFEST_FILE)


def files_problem(name: str, directory: Path | None = None) -> str | None:
    """Why the query model of ``name`` cannot be used (None: it can).  Only ``stat`` calls."""
    directory = directory or cache_dir(name)
    manifest = Manifest.read(directory)
    fix = "run `paperfeed embed` (or `paperfeed index`) to export and check it"
    if manifest is None:
        return f"no query model for {name!r} in {directory}; {fix}"
    if manifest.model != name:
        return f"query model files in {directory} do not match their manifest; {fix}"
    return exported_files_problem(directory, manifest, fix)


def exported_files_problem(directory: Path, manifest, fix: str) -> str | None:
    """Why ``model.onnx`` and ``tokenizer.json`` in ``directory`` are not the files
    ``manifest`` (``onnx_bytes``, ``tokenizer_bytes``) describes; None when they are."""
    try:
        sizes = (
            (directory / ONNX_FILE).stat().st_size,
            (directory / TOKENIZER_FILE).stat().st_size,
        )
    except OSError as exc:
        return f"the exported model in {directory} is incomplete ({exc}); {fix}"
    if sizes != (manifest.onnx_bytes, manifest.tokenizer_bytes):
        return f"the files in {directory} do not match their manifest; {fix}"
    return None


def build_session(path: Path, threads: int = 1):
    """An ONNX Runtime CPU session on ``threads`` intra-op threads (idle threads do not spin)."""
    if "onnxruntime" not in sys.modules and "usearch.index" in sys.modules:
        # loading onnxruntime after usearch 2.26 segfaults; paperfeed.search.vector_index loads
        # it first, so this only guards a caller that imported usearch on its own
        raise QueryModelMissing("onnxruntime must be imported before usearch")
    import onnxruntime as ort  # lazy: after the check above

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def load_tokenizer(path: Path, max_tokens: int = MAX_TOKENS):
    """The model's fast tokenizer, truncating to ``max_tokens``, without padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.no_padding()
    return tokenizer


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of each row's hidden states over its real (mask 1) tokens, L2-normalised."""
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1.0)
    return normalise_rows(pooled)


class OnnxQueryEncoder:
    """``encode(texts) -> float32 (n, dim)``, unit rows, with the exported model (module doc)."""

    def __init__(
        self,
        name: str,
        directory: Path,
        *,
        dim: int,
        max_tokens: int = MAX_TOKENS,
        threads: int = 1,
    ):
        self.name = name
        self.dim = dim
        self.directory = directory
        self.tokenizer = load_tokenizer(directory / TOKENIZER_FILE, max_tokens)
        self.session = build_session(directory / ONNX_FILE, threads)

    def encode(self, texts, *, batch_size=64, progress=None) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            encoded = self.tokenizer.encode_batch(texts[start : start + batch_size])
            width = max(len(e.ids) for e in encoded)
            ids = np.zeros((len(encoded), width), dtype=np.int64)
            mask = np.zeros((len(encoded), width), dtype=np.int64)
            for row, e in enumerate(encoded):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            out[start : start + len(encoded)] = mean_pool(hidden, mask)
            if progress:
                progress(len(encoded))
        return out


_LOADED: dict[str, OnnxQueryEncoder] = {}
_LOCK = threading.Lock()


def load_query_encoder(name: str):
    """The query encoder of model ``name``, loaded once per process (``hashing:DIM`` is the
    test encoder).  Raises :class:`QueryModelMissing` when the batch side has not exported and
    checked the model; never loads torch."""
    if name.startswith("hashing:"):
        return load_encoder(name)
    with _LOCK:
        loaded = _LOADED.get(name)
        if loaded is not None:
            return loaded
        directory = cache_dir(name)
        problem = files_problem(name, directory)
        if problem:
            raise QueryModelMissing(problem)
        manifest = Manifest.read(directory)
        try:
            encoder = OnnxQueryEncoder(
                name, directory, dim=manifest.dim, max_tokens=manifest.max_tokens
            )
        except QueryModelMissing:
            raise
        except Exception as exc:  # noqa: BLE001 - a corrupt file: say so, search lexically
            raise QueryModelMissing(
                f"cannot open the query model in {directory}: {exc}; run `paperfeed embed`"
            ) from exc
        _LOADED[name] = encoder
        return encoder


def forget() -> None:
    """Drop the loaded encoders (after the batch side re-exported, and in tests)."""
    with _LOCK:
        _LOADED.clear()
