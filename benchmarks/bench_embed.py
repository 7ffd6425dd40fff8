"""Embedding throughput: plain SentenceTransformer.encode vs paperfeed's fast paths.

Usage:  nice python benchmarks/bench_embed.py [--papers 512] [--batch-size 32] [--device cpu]

Variants: plain ``SentenceTransformer.encode`` (the baseline), then paperfeed's fast path
(pre-tokenised, sorted by length, padded per batch) on each backend.  ONNX files are exported
once into ~/.cache/paperfeed/models (or $PAPERFEED_HOME/models).

Embeds the first N papers of ../shared/data/arxiv-cs-2025-2026.jsonl.gz with each variant, prints
papers/s, and the cosine of each variant's vectors to (a) the plain-encode baseline and (b) the
shared precomputed vectors (GPU float16) of the same papers.  Needs no database.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from itertools import islice
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from paperfeed.search.encoders import TransformerEncoder, cpu_threads, paper_text  # noqa: E402

SHARED = Path(os.environ.get("PAPERFEED_SHARED", Path(__file__).resolve().parents[2] / "shared"))
DATA = SHARED / "data" / "arxiv-cs-2025-2026.jsonl.gz"
VECTORS = SHARED / "data" / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy"
IDS = SHARED / "data" / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"


def sample(n: int) -> tuple[list[str], list[str]]:
    with gzip.open(DATA, "rt") as fh:
        rows = [json.loads(line) for line in islice(fh, n)]
    return [r["id"] for r in rows], [paper_text(r["title"], r["abstract"]) for r in rows]


def reference(ids: list[str]) -> np.ndarray:
    all_ids = IDS.read_text().split()
    where = {pid: i for i, pid in enumerate(all_ids)}
    vectors = np.load(VECTORS, mmap_mode="r")
    return np.asarray(vectors[[where[pid] for pid in ids]], dtype=np.float32)


def timed(
    encoder: TransformerEncoder, texts: list[str], batch_size: int
) -> tuple[np.ndarray, float]:
    encoder.encode(texts[:batch_size], batch_size=batch_size)  # warm-up (and ONNX export)
    start = time.perf_counter()
    vectors = encoder.encode(texts, batch_size=batch_size)
    return vectors, len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    ids, texts = sample(args.papers)
    ref = reference(ids)
    print(
        f"{len(texts)} papers, device {args.device}, {cpu_threads()} threads, batch {args.batch_size}"
    )
    variants = [
        ("plain SentenceTransformer.encode", {"fast": False}),
        ("fast: torch float32", {"backend": "torch-fp32"}),
        ("fast: torch bfloat16", {"backend": "torch-bf16"}),
        ("fast: torch int8 dynamic quantisation", {"backend": "torch-int8"}),
        ("fast: ONNX Runtime float32 (default)", {"backend": "onnx-fp32"}),
        ("fast: ONNX Runtime int8", {"backend": "onnx-int8"}),
    ]
    if args.device == "cuda":
        variants = [variants[0], ("fast: CUDA float16", {})]
    baseline = None
    for label, options in variants:
        encoder = TransformerEncoder(device=args.device, **options)
        vectors, rate = timed(encoder, texts, args.batch_size)
        if baseline is None:
            baseline = vectors
        vs_base = np.sum(vectors * baseline, axis=1)
        vs_ref = np.sum(vectors * ref, axis=1)
        print(
            f"{label:40s} {rate:7.1f} papers/s  cosine vs baseline min {vs_base.min():.5f} "
            f"mean {vs_base.mean():.5f}  vs shared min {vs_ref.min():.5f} mean {vs_ref.mean():.5f}"
        )


if __name__ == "__main__":
    main()
