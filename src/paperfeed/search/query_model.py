"""The batch side of the query encoder: export, check and publish the web's ONNX query model.

``paperfeed embed`` and ``paperfeed index`` (and so the quickstart) call :func:`ensure` for the
configured model.  With a valid manifest it only ``stat``s three files.  Otherwise it loads the
sentence-transformers model with PyTorch (this is a batch process: torch is allowed here), exports
its transformer to ``model.onnx`` (:func:`paperfeed.search.onnx_runtime.model_file`, ~10 s on 2
cores), saves its fast tokenizer as ``tokenizer.json`` (truncation :data:`MAX_TOKENS`, no padding),
encodes :data:`PROBES` both ways — sentence-transformers' own ``encode`` and the web's
:class:`~paperfeed.search.query_encoder.OnnxQueryEncoder` — and writes the manifest only when
every probe's cosine is at least :data:`~paperfeed.search.query_encoder.MIN_COSINE`.  Web
processes never run any of this (docs/search.md, "Query encoder").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperfeed.search import onnx_runtime, query_encoder
from paperfeed.search.encoders import EncoderError, TransformerEncoder, load_encoder
from paperfeed.search.query_encoder import (
    MANIFEST_FILE,
    MAX_TOKENS,
    MIN_COSINE,
    ONNX_FILE,
    TOKENIZER_FILE,
    Manifest,
    OnnxQueryEncoder,
)

PROBES = [
    *onnx_runtime.PROBES,
    "kv cache eviction",
    "diffusion",
    "Ünïcode, 数学 and émojis 🚀 in a query about μ-transfer",
    # longer than MAX_TOKENS tokens: the truncation must match sentence-transformers'
    " ".join(["Transformers attend to every token of a long document with quadratic cost."] * 30),
]


class QueryModelError(EncoderError):
    """The export failed or its vectors drift from sentence-transformers'; nothing published."""


@dataclass(frozen=True)
class Report:
    directory: Path
    exported: bool  # False: the published files were already there and valid
    min_cosine: float


def ensure(name: str, *, force: bool = False) -> Report | None:
    """The query model of ``name`` exported, checked and published; None for ``hashing:DIM``."""
    if name.startswith("hashing:"):
        return None
    directory = onnx_runtime.cache_dir(name)
    if not force and query_encoder.files_problem(name, directory) is None:
        return Report(directory, False, Manifest.read(directory).min_cosine)
    return export(name, directory)


def export(name: str, directory: Path) -> Report:
    """Export, check, publish (module doc).  The manifest goes last, so a crash leaves no
    manifest and the web keeps answering lexically."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST_FILE).unlink(missing_ok=True)
    encoder = load_encoder(name, device="cpu", fast=False)  # plain sentence-transformers
    stale = directory / ONNX_FILE
    stale.unlink(missing_ok=True)  # exported again from the installed weights
    try:
        onnx_file = onnx_runtime.model_file(
            encoder.model[0].auto_model, name, int8=False, directory=directory
        )
    except onnx_runtime.OnnxUnavailable as exc:
        raise QueryModelError(str(exc)) from exc
    max_tokens = min(MAX_TOKENS, encoder.model.max_seq_length or MAX_TOKENS)
    save_tokenizer(encoder, directory / TOKENIZER_FILE, max_tokens)
    reference = encoder.model.encode(PROBES, convert_to_numpy=True, normalize_embeddings=True)
    candidate = OnnxQueryEncoder(name, directory, dim=encoder.dim, max_tokens=max_tokens).encode(
        PROBES
    )
    cosine = float(np.min(np.sum(reference * candidate, axis=1)))
    if cosine < MIN_COSINE:
        raise QueryModelError(
            f"{onnx_file}: query vectors drift from sentence-transformers' "
            f"(cosine {cosine:.6f} < {MIN_COSINE}); not published"
        )
    Manifest(
        model=name,
        onnx_bytes=onnx_file.stat().st_size,
        tokenizer_bytes=(directory / TOKENIZER_FILE).stat().st_size,
        min_cosine=round(cosine, 7),
        dim=encoder.dim,
        max_tokens=max_tokens,
    ).write(directory)
    query_encoder.forget()
    return Report(directory, True, cosine)


def save_tokenizer(encoder: TransformerEncoder, path: Path, max_tokens: int) -> None:
    """The model's fast tokenizer as ``tokenizer.json``, truncating to ``max_tokens``, no padding."""
    from tokenizers import Tokenizer

    backend = getattr(encoder.model.tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise QueryModelError(f"{encoder.name!r} has no fast (Rust) tokenizer to export")
    tokenizer = Tokenizer.from_str(backend.to_str())
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.no_padding()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tokenizer.save(str(tmp))
    tmp.replace(path)


def ensure_for_vectors(name: str) -> Report | None:
    """:func:`ensure`, when the database holds vectors of ``name`` (without them no search is
    semantic, and a machine that only builds lexical indexes need not export anything)."""
    from paperfeed.search.models import Embedding

    if name.startswith("hashing:") or not Embedding.objects.filter(model=name).exists():
        return None
    return ensure(name)


def describe(report: Report) -> str:
    """One line for the commands' output."""
    done = "exported and checked" if report.exported else "up to date"
    return (
        f"query model for the web ({report.directory}): {done}, "
        f"cosine to sentence-transformers ≥ {report.min_cosine:.7f}"
    )
