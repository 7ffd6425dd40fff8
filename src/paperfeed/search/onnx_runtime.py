"""ONNX Runtime for the embedding model on CPU: export once, quantise to int8, run.

The transformer of a sentence-transformers model is exported to ONNX (TorchScript exporter,
dynamic batch and sequence axes) and the weights of its MatMul nodes quantised to int8 per
channel by ONNX Runtime's dynamic quantisation (activations quantised on the fly; embeddings,
LayerNorm and softmax stay float32: quantising every op type drifts more, cosine 0.9915 vs
0.9925 minimum on 64 arXiv abstracts).  The files are kept in a cache
directory (``$PAPERFEED_HOME/models/<model>/``); nothing is downloaded.  :func:`build_session`
checks the exported model against the PyTorch one on probe sentences and refuses a file whose
vectors drift (cosine below :data:`MIN_COSINE`), so callers fall back to PyTorch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import warnings
from pathlib import Path

import numpy as np
from django.conf import settings

MIN_COSINE = 0.99
PROBES = [
    "Graph neural networks for molecular property prediction.",
    "We propose a method for speculative decoding that reduces the latency of large language "
    "models without changing their outputs, and evaluate it on several benchmarks.",
    "Robots learn locomotion policies in simulation and transfer them to hardware.",
]


class OnnxUnavailable(Exception):
    """onnxruntime/onnx are missing, or the export failed or drifted; use PyTorch instead."""


def cache_dir(model_name: str) -> Path:
    """``$PAPERFEED_HOME/models/<model>`` (or ``~/.cache/paperfeed/models`` outside Django)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", model_name).strip("_")[:100] or "model"
    try:
        root = Path(settings.DATA_DIR) / "models"
    except Exception:  # noqa: BLE001 - no Django settings: a plain script or benchmark
        root = Path.home() / ".cache" / "paperfeed" / "models"
    return root / slug


@contextlib.contextmanager
def _quiet():
    """The exporter and the quantiser warn loudly about things that do not matter here."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


def _export(transformer, path: Path) -> None:
    import torch  # lazy: only an export needs torch (the encoder has loaded it by then)

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.ones((2, 16), dtype=torch.long)
    dynamic = {
        "input_ids": {0: "batch", 1: "tokens"},
        "attention_mask": {0: "batch", 1: "tokens"},
        "hidden": {0: "batch", 1: "tokens"},
    }
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    torch.onnx.export(
        LastHidden(transformer.float().eval()),
        (ids, ids),
        str(tmp),
        input_names=["input_ids", "attention_mask"],
        output_names=["hidden"],
        dynamic_axes=dynamic,
        opset_version=17,
        dynamo=False,
    )
    tmp.replace(path)


def _quantise(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic  # lazy: heavy, rarely used

    tmp = target.with_name(target.name + f".{os.getpid()}.tmp.onnx")
    quantize_dynamic(
        str(source),
        str(tmp),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    tmp.replace(target)


def model_file(transformer, model_name: str, *, int8: bool, directory: Path | None = None) -> Path:
    """The ONNX file of ``transformer`` (fp32 or int8) in ``directory`` (default
    :func:`cache_dir`), exported on first use."""
    if "onnxruntime" not in sys.modules and "usearch.index" in sys.modules:
        # Loading onnxruntime after usearch segfaults; paperfeed.search.vector_index loads it first.
        raise OnnxUnavailable("onnxruntime must be imported before usearch")
    import onnxruntime  # noqa: F401 - lazy: only after the usearch check above, and heavy

    directory = directory or cache_dir(model_name)
    directory.mkdir(parents=True, exist_ok=True)
    fp32 = directory / "model.onnx"
    try:
        with _quiet():
            if not fp32.exists():
                _export(transformer, fp32)
            if not int8:
                return fp32
            quantised = directory / "model.int8-matmul.onnx"
            if not quantised.exists():
                _quantise(fp32, quantised)
        return quantised
    except OnnxUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - any exporter failure means: use PyTorch
        raise OnnxUnavailable(f"ONNX export of {model_name!r} failed: {exc}") from exc


def build_session(path: Path, threads: int):
    import onnxruntime as ort  # lazy: loaded by model_file() first, after its usearch check

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle worker threads sleep instead of spinning: a spinning pool steals the cores the
    # search that follows the query embedding needs (hybrid p95 35 -> 19 ms on 2 cores).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def check_drift(reference: np.ndarray, candidate: np.ndarray, path: Path) -> None:
    """Refuse ``path`` when its probe vectors are further than MIN_COSINE from PyTorch's."""
    cosines = np.sum(reference * candidate, axis=1)
    if float(cosines.min()) < MIN_COSINE:
        raise OnnxUnavailable(
            f"{path}: vectors drift from PyTorch's (cosine {cosines.min():.4f} < {MIN_COSINE})"
        )
