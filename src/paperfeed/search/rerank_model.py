"""The batch side of re-ranking: export, check and publish the web's ONNX cross-encoder.

``paperfeed index``, ``paperfeed embed`` and the worker's embedding job call :func:`ensure` for
``PAPERFEED_RERANK_MODEL`` (nothing when it is empty).  With a valid manifest it only ``stat``s
the files.  Otherwise it loads the sentence-transformers ``CrossEncoder`` with PyTorch (a batch
process: torch is allowed here), exports its classifier to ``model.onnx`` (TorchScript exporter,
dynamic batch and token axes), saves its fast tokenizer as ``tokenizer.json``, scores
:data:`PROBES` both ways — ``CrossEncoder.predict`` and the web's
:class:`~paperfeed.search.cross_encoder.OnnxCrossEncoder` — and writes the manifest only when no
score differs by more than :data:`MAX_DIFFERENCE`.  Web processes never run any of this
(:mod:`paperfeed.search.cross_encoder`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperfeed.search import cross_encoder
from paperfeed.search.cross_encoder import (
    ACTIVATIONS,
    MANIFEST_FILE,
    ONNX_FILE,
    TOKENIZER_FILE,
    Manifest,
    OnnxCrossEncoder,
    RerankError,
)
from paperfeed.search.onnx_runtime import PROBES as TEXTS
from paperfeed.search.onnx_runtime import _quiet

MAX_DIFFERENCE = 1e-3
"""The largest difference to ``CrossEncoder.predict``'s score an export may have on a probe."""
PROBES = [
    ("graph neural networks", TEXTS[0]),
    ("speculative decoding latency", TEXTS[1]),
    ("robot locomotion", TEXTS[2]),
    ("Ünïcode, 数学 and émojis 🚀", TEXTS[0]),
    # longer than any model's max_seq_length: the longest-first truncation must match
    ("long documents", " ".join([TEXTS[1]] * 40)),
    (" ".join(["a very long query about transformers"] * 60), TEXTS[2]),
]


@dataclass(frozen=True)
class Report:
    directory: Path
    exported: bool  # False: the published files were already there and valid
    max_difference: float


def ensure(path: str | None = None, *, force: bool = False) -> Report | None:
    """The configured (or given) cross-encoder exported, checked and published; None when
    re-ranking is off.  Raises :class:`RerankError` naming the path when it cannot be."""
    path = (path if path is not None else cross_encoder.configured()).strip()
    if not path:
        return None
    problem = cross_encoder.files_problem(path)
    if problem == "no such directory":
        raise RerankError(f"PAPERFEED_RERANK_MODEL={path!r}: no such directory")
    directory = cross_encoder.export_dir(path)
    if not force and problem is None:
        return Report(directory, False, Manifest.read(directory).max_difference)
    return export(path, directory)


def _load(path: str):
    try:
        from sentence_transformers import CrossEncoder

        return CrossEncoder(path, device="cpu", local_files_only=True)
    except Exception as exc:  # any loader failure: say which path and why
        raise RerankError(f"PAPERFEED_RERANK_MODEL={path!r} cannot be loaded: {exc}") from exc


def _activation(model, path: str) -> str:
    import torch

    fn = model.activation_fn
    if isinstance(fn, torch.nn.Sigmoid):
        return "sigmoid"
    if isinstance(fn, torch.nn.Identity):
        return "identity"
    raise RerankError(
        f"PAPERFEED_RERANK_MODEL={path!r}: its activation {fn!r} is none of {', '.join(ACTIVATIONS)}"
    )


def _export_graph(classifier, inputs: tuple[str, ...], target: Path) -> None:
    import torch  # the CrossEncoder has loaded it by now

    class Logits(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, *arrays):
            return self.model(**dict(zip(inputs, arrays, strict=True))).logits

    example = tuple(torch.ones((2, 16), dtype=torch.long) for _ in inputs)
    axes = {name: {0: "batch", 1: "tokens"} for name in inputs}
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with _quiet():
        torch.onnx.export(
            Logits(classifier.float().eval()),
            example,
            str(tmp),
            input_names=list(inputs),
            output_names=["logits"],
            dynamic_axes={**axes, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target)


def _save_tokenizer(model, target: Path, path: str) -> None:
    from tokenizers import Tokenizer

    backend = getattr(model.tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise RerankError(f"PAPERFEED_RERANK_MODEL={path!r} has no fast (Rust) tokenizer")
    tokenizer = Tokenizer.from_str(backend.to_str())
    tokenizer.no_truncation()  # the web sets the manifest's max_length, longest first
    tokenizer.no_padding()
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tokenizer.save(str(tmp))
    tmp.replace(target)


def export(path: str, directory: Path) -> Report:
    """Export, check, publish (module doc).  The manifest goes last, so a crash leaves none and
    the web keeps the fused order."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / MANIFEST_FILE).unlink(missing_ok=True)
    model = _load(path)
    if model.num_labels != 1:
        raise RerankError(
            f"PAPERFEED_RERANK_MODEL={path!r} gives {model.num_labels} scores per pair; "
            "re-ranking needs a model with one"
        )
    source_fingerprint = cross_encoder.fingerprint(path)
    names = set(model.tokenizer.model_input_names)
    inputs = tuple(name for name in cross_encoder.ARRAYS if name in names)
    try:
        _export_graph(model.model, inputs, directory / ONNX_FILE)
    except Exception as exc:  # noqa: BLE001 - any exporter failure: name the model
        raise RerankError(f"PAPERFEED_RERANK_MODEL={path!r}: ONNX export failed: {exc}") from exc
    _save_tokenizer(model, directory / TOKENIZER_FILE, path)
    manifest = Manifest(
        source=str(Path(path).resolve()),
        fingerprint=source_fingerprint,
        onnx_bytes=(directory / ONNX_FILE).stat().st_size,
        tokenizer_bytes=(directory / TOKENIZER_FILE).stat().st_size,
        inputs=inputs,
        max_length=int(model.max_seq_length or model.tokenizer.model_max_length),
        activation=_activation(model, path),
        max_difference=0.0,
    )
    reference = np.asarray(model.predict(PROBES, show_progress_bar=False), dtype=np.float32)
    candidate = OnnxCrossEncoder(directory, manifest).predict(PROBES)
    difference = float(np.max(np.abs(reference - candidate)))
    if not difference <= MAX_DIFFERENCE:
        raise RerankError(
            f"PAPERFEED_RERANK_MODEL={path!r}: the ONNX scores differ from the CrossEncoder's "
            f"by {difference:.6f} > {MAX_DIFFERENCE}; not published"
        )
    Manifest(**{**manifest.__dict__, "max_difference": round(difference, 8)}).write(directory)
    cross_encoder.load.cache_clear()
    return Report(directory, True, difference)


def describe(report: Report) -> str:
    """One line for the commands' output."""
    done = "exported and checked" if report.exported else "up to date"
    return (
        f"re-ranking model for the web ({report.directory}): {done}, "
        f"scores within {report.max_difference:.2g} of the CrossEncoder's"
    )
