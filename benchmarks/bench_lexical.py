"""Lexical index: build time and size on disk for the shared corpora, query latency p50/p95.

    nice python benchmarks/bench_lexical.py [--skip-all] [--repeat 5]

Builds tantivy indexes straight from ../shared/data (no database: this measures the index, not
ingestion) in a temporary directory: the 74,728 papers of 2025-2026, then all 221,328 papers of
both files, and times ~100 realistic queries (20 hits with snippets, as the CLI/web ask) against
the larger index. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")

from paperfeed.search.lexical import LexicalIndex  # noqa: E402
from paperfeed.search.paths import size_on_disk  # noqa: E402

SHARED = (
    Path(os.environ.get("PAPERFEED_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
    / "data"
)
RECENT = SHARED / "arxiv-cs-2025-2026.jsonl.gz"
OLD = SHARED / "arxiv-cs-1998-2019.jsonl.gz"

QUERIES = [
    "kv cache compression",
    '"kv cache" eviction',
    "speculative decoding",
    "mixture of experts",
    "retrieval augmented generation",
    "RAG hallucination",
    "chain of thought reasoning",
    "large language model agents",
    "diffusion models image generation",
    "vision transformer",
    "contrastive learning",
    "federated learning privacy",
    "differential privacy",
    "graph neural networks",
    "reinforcement learning from human feedback",
    "RLHF reward model",
    "direct preference optimization",
    "low rank adaptation LoRA",
    "quantization 4-bit",
    "knowledge distillation",
    "neural radiance fields",
    "3d gaussian splatting",
    "autonomous driving",
    "trajectory prediction",
    "point cloud segmentation",
    "semantic segmentation",
    "object detection transformer",
    "multimodal large language model",
    "visual question answering",
    "text to video generation",
    "speech recognition",
    "machine translation low resource",
    "code generation benchmark",
    "program synthesis",
    "formal verification",
    "model checking",
    "smart contracts vulnerability",
    "blockchain consensus",
    "byzantine fault tolerance",
    "distributed systems consensus paxos",
    "compiler optimization",
    "static analysis",
    "fuzzing",
    "malware detection",
    "intrusion detection",
    "adversarial examples robustness",
    "jailbreak attacks",
    "watermarking language models",
    "membership inference",
    "recommender systems",
    "collaborative filtering",
    "information retrieval dense",
    "query expansion",
    "sparse retrieval BM25",
    "time series forecasting",
    "anomaly detection",
    "causal inference",
    "explainable AI",
    "fairness in machine learning",
    "active learning",
    "few-shot learning",
    "continual learning catastrophic forgetting",
    "meta learning",
    "neural architecture search",
    "hyperparameter optimization",
    "bayesian optimization",
    "gaussian processes",
    "variational autoencoder",
    "generative adversarial networks",
    "normalizing flows",
    "protein structure prediction",
    "drug discovery molecules",
    "medical image segmentation",
    "robot manipulation",
    "motion planning",
    "multi-agent reinforcement learning",
    "game theory equilibrium",
    "mechanism design auctions",
    "approximation algorithms",
    "graph coloring",
    "SAT solver",
    "quantum computing",
    "cryptography post-quantum",
    "homomorphic encryption",
    "wireless networks 6G",
    "edge computing offloading",
    "energy efficient scheduling",
    "software testing",
    "requirements engineering",
    "human computer interaction",
    "user study accessibility",
    "sentiment analysis",
    "named entity recognition",
    "question answering",
    "long context",
    "tokenizer",
    "scaling laws",
    "author:hinton",
    "author:bengio deep",
    "cat:cs.CL instruction tuning",
    "cat:cs.CV -cat:cs.LG segmentation",
    "title:transformer",
    "2503.11731",
    "https://arxiv.org/abs/2503.11731",
    "attention is all you need",
]


def read_papers(*files: Path):
    for path in files:
        with gzip.open(path, "rb") as handle:
            for line in handle:
                obj = orjson.loads(line)
                yield {
                    "id": obj["id"],
                    "title": obj.get("title") or "",
                    "abstract": obj.get("abstract") or "",
                    "authors": obj.get("authors") or [],
                    "categories": obj.get("categories") or [],
                    "day": obj.get("listed") or obj.get("created"),
                }


def build(path: Path, *files: Path) -> tuple[int, float, int]:
    start = time.perf_counter()
    index = LexicalIndex.create(path)
    count = 0
    batch = []
    for paper in read_papers(*files):
        batch.append(paper)
        if len(batch) >= 5000:
            count += index.add_documents(batch, replace=False)
            batch.clear()
    count += index.add_documents(batch, replace=False)
    index.commit()
    index.close()
    return count, time.perf_counter() - start, size_on_disk(path)


def latencies(index: LexicalIndex, repeat: int) -> tuple[list[float], list[float]]:
    for query in QUERIES:  # warm the OS cache and tantivy's readers
        index.search(query, limit=20)
    full, bare = [], []
    for _ in range(repeat):
        for query in QUERIES:
            start = time.perf_counter()
            index.search(query, limit=20)
            full.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            index.search(query, limit=20, snippets=False)
            bare.append((time.perf_counter() - start) * 1000)
    return full, bare


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor(),
    )
    mem = next(
        (int(line.split()[1]) // 1024 // 1024 for line in meminfo if line.startswith("MemTotal")), 0
    )
    return f"{os.cpu_count()} CPUs ({model}), {mem} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-all",
        action="store_true",
        help="Only the 74,728-paper file (time queries against it).",
    )
    parser.add_argument("--repeat", type=int, default=5, help="Passes over the query list.")
    args = parser.parse_args()
    for path in (RECENT, OLD):
        if not path.exists():
            sys.exit(f"{path} is absent: ../shared/data is needed for this benchmark")
    print(f"machine: {machine()}\n")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-lexical-") as tmp:
        sets = [("2025-2026 (1 file)", (RECENT,))]
        if not args.skip_all:
            sets.append(("all (2 files)", (RECENT, OLD)))
        last = None
        for label, files in sets:
            path = Path(tmp) / label.split()[0]
            count, seconds, size = build(path, *files)
            rows.append((label, count, seconds, size))
            last = path
        index = LexicalIndex.open(last)
        full, bare = latencies(index, args.repeat)
    print("| corpus | papers | build (s) | papers/s | size on disk (MiB) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, count, seconds, size in rows:
        print(
            f"| {label} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} | {size / 2**20:.1f} |"
        )
    print(
        f"\nquery latency on '{rows[-1][0]}', {len(QUERIES)} queries x {args.repeat}, limit 20:\n"
    )
    print("| search | p50 (ms) | p95 (ms) | max (ms) |")
    print("| --- | ---: | ---: | ---: |")
    for label, values in (("hits + why + snippets", full), ("hits only (no snippets)", bare)):
        print(
            f"| {label} | {percentile(values, 50):.2f} | {percentile(values, 95):.2f} | "
            f"{max(values):.2f} |"
        )


if __name__ == "__main__":
    main()
