"""Hybrid search at scale: index build time, size, memory, HNSW recall, query latency p50/p95.

    nice python benchmarks/bench_hybrid.py [--home /tmp/paperfeed-bench-hybrid] [--skip-all]

Stage 1 stores the 74,728 papers of ../shared/data/arxiv-cs-2025-2026.jsonl.gz in a SQLite
database under --home, imports the shared all-MiniLM-L6-v2 vectors, builds both indexes with
``sync_indexes`` and times :func:`paperfeed.search.hybrid.search` in-process (the query embedded
with the real model on CPU each time: the timing includes it).  Stage 2 adds the 146,600 papers of
1998-2019, whose vectors are SYNTHETIC (a random real vector plus Gaussian noise, renormalised:
computing real ones takes hours on CPU), syncs incrementally and times again.  The --home
directory is reused by later runs (delete it to start over).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
SHARED = Path(os.environ.get("PAPERFEED_SHARED", HERE.parents[2] / "shared")) / "data"
RECENT = SHARED / "arxiv-cs-2025-2026.jsonl.gz"
OLD = SHARED / "arxiv-cs-1998-2019.jsonl.gz"
VECTORS = SHARED / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.f16.npy"
IDS = SHARED / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"

QUERIES = [
    "kv cache compression",
    "speculative decoding for large language models",
    "diffusion models for video generation",
    "graph neural networks for molecules",
    "retrieval augmented generation hallucination",
    "mixture of experts routing",
    "vision language models for robotics",
    "federated learning privacy",
    "reinforcement learning from human feedback",
    "code generation benchmarks",
    "3d gaussian splatting",
    "neural radiance fields",
    "protein structure prediction",
    "adversarial robustness of image classifiers",
    "quantization of transformers int4",
    "long context attention efficiency",
    "autonomous driving trajectory prediction",
    "speech recognition low resource languages",
    "medical image segmentation",
    "knowledge distillation small models",
    "time series forecasting transformers",
    "multi-agent systems with llms",
    "formal verification of neural networks",
    "recommendation systems cold start",
    "point cloud registration",
    "chain of thought reasoning",
    "text to sql",
    "differential privacy deep learning",
    "model merging",
    "continual learning catastrophic forgetting",
    "sparse attention",
    "how do transformers learn in context",
    "watermarking generated text",
    "energy efficient inference on edge devices",
    "tabular data deep learning",
    "explainable ai for clinicians",
    "benchmarks for agents using tools",
    "compiler optimization with machine learning",
    "quantum machine learning",
    "pose estimation from monocular video",
]


def setup(home: Path) -> None:
    os.environ["PAPERFEED_HOME"] = str(home)
    os.environ["DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    home.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    print(f"  {label}: {seconds:.1f} s", flush=True)
    return result, seconds


def ensure_papers(path: Path, expected: int) -> None:
    from paperfeed.ingest.files import ingest_file
    from paperfeed.papers.models import Paper

    if Paper.objects.count() >= expected:
        print(f"  {Paper.objects.count():,} papers already stored")
        return
    result, _ = timed(f"ingest {path.name}", ingest_file, str(path))
    if result.error:
        sys.exit(f"ingest failed: {result.error}")


def synthetic_vectors(tmp: Path, rng: np.random.Generator) -> tuple[Path, Path]:
    """Vectors for stored papers that have none: real vector + N(0, 0.05^2) noise, renormalised."""
    from paperfeed.papers.models import Paper

    missing = list(Paper.objects.filter(embedding__isnull=True).values_list("arxiv_id", flat=True))
    real = np.load(VECTORS, mmap_mode="r")
    rows = np.asarray(real[rng.integers(0, len(real), len(missing))], dtype=np.float32)
    rows += rng.normal(0, 0.05, rows.shape).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    vectors, ids = tmp / "synthetic.npy", tmp / "synthetic.ids.txt"
    np.save(vectors, rows.astype(np.float16))
    ids.write_text("\n".join(missing) + "\n")
    return vectors, ids


def latency(
    queries: list[str], *, mode: str, repeat: int, cached: bool = False
) -> tuple[float, float]:
    """p50 and p95 in ms; the query vector cache is emptied before each query unless ``cached``."""
    from paperfeed.search import hybrid

    times = []
    for _ in range(repeat):
        for query in queries:
            if not cached:
                hybrid._embed_cached.cache_clear()
            start = time.perf_counter()
            ran = hybrid.search(query, mode=mode, limit=20)
            times.append((time.perf_counter() - start) * 1000)
            if ran.mode != mode:  # e.g. no query model: these would be lexical timings
                sys.exit(f"{mode} search ran as {ran.mode} ({ran.note or 'see the log'})")
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def embed_latency(queries: list[str]) -> float:
    from paperfeed.search.embedding_job import current_model
    from paperfeed.search.query_encoder import load_query_encoder

    encoder = load_query_encoder(current_model())  # what a search uses
    times = []
    for query in queries:
        start = time.perf_counter()
        encoder.encode([query], batch_size=1)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def hnsw_recall(samples: int, rng: np.random.Generator) -> float:
    """Mean |HNSW top-10 ∩ exact top-10| / 10 for stored vectors used as queries."""
    from paperfeed.search.models import Embedding, decode_vector
    from paperfeed.search.vector_index import current_index, exact_nearest

    rows = list(Embedding.objects.order_by("id").values_list("id", "dim", "vector"))
    keys = np.array([r[0] for r in rows], dtype=np.uint64)
    matrix = np.stack([decode_vector(r[2], r[1]) for r in rows])
    index = current_index()
    overlaps = []
    for row in rng.choice(len(rows), samples, replace=False):
        query = matrix[row]
        found, _ = index.nearest(query, 10)
        exact, _ = exact_nearest(matrix, query, 10)
        overlaps.append(len(set(found.tolist()) & set(keys[exact].tolist())) / 10)
    return float(np.mean(overlaps))


def report(stage: str, repeat: int, rng: np.random.Generator) -> None:
    from paperfeed.papers.models import Paper
    from paperfeed.search import paths
    from paperfeed.search.vector_index import current_index

    index = current_index()
    vector_mib = paths.size_on_disk(paths.current_dir("vectors")) / 2**20
    lexical_mib = paths.size_on_disk(paths.current_dir("lexical")) / 2**20
    print(
        f"[{stage}] {Paper.objects.count():,} papers, {len(index):,} vectors, vector index {vector_mib:.0f} MiB on disk, "
        f"lexical index {lexical_mib:.0f} MiB"
    )
    latency(QUERIES[:5], mode="hybrid", repeat=1)  # warm-up: model load, index open
    print(f"  query embedding alone: p50 {embed_latency(QUERIES):.1f} ms")
    for mode in ("lexical", "semantic", "hybrid"):
        p50, p95 = latency(QUERIES, mode=mode, repeat=repeat)
        print(
            f"  {mode:8s} search, query embedded each time, 20 hits: p50 {p50:.1f} ms  p95 {p95:.1f} ms "
            f"({len(QUERIES) * repeat} queries)"
        )
    p50, p95 = latency(QUERIES, mode="hybrid", repeat=repeat, cached=True)
    print(f"  hybrid   search, query vector cached (paging): p50 {p50:.1f} ms  p95 {p95:.1f} ms")
    print(f"  HNSW recall@10 vs exact: {hnsw_recall(200, rng):.4f} (200 stored vectors as queries)")
    print(f"  peak RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("/tmp/paperfeed-bench-hybrid"))
    parser.add_argument("--skip-all", action="store_true", help="Only the 74,728 recent papers.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--report-only", action="store_true", help="Only time queries on what --home holds."
    )
    args = parser.parse_args()
    for path in (RECENT, VECTORS, IDS):
        if not path.exists():
            sys.exit(f"{path} is missing (../shared/data)")
    print(
        f"{platform.node()}: {platform.processor() or platform.machine()}, "
        f"{len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}"
    )
    setup(args.home)
    from paperfeed.search import embedding_job, query_model
    from paperfeed.search.sync import sync_indexes
    from paperfeed.search.vector_index import rebuild_vectors

    rng = np.random.default_rng(0)
    if args.report_only:
        report("as stored", args.repeat, rng)
        return
    ensure_papers(RECENT, 74_728)
    if not embedding_job.model_counts():
        timed("import shared vectors", embedding_job.import_vectors, VECTORS, IDS)
    timed("sync indexes (lexical + vectors)", sync_indexes, progress=False)
    timed("rebuild vector index from the database", rebuild_vectors)
    # the web's query encoder (ONNX, no torch) as `paperfeed index` exports it; searches use it
    timed("query model", query_model.ensure_for_vectors, embedding_job.current_model())
    report("74,728 papers, real vectors", args.repeat, rng)
    if args.skip_all:
        return
    if not OLD.exists():
        sys.exit(f"{OLD} is missing (../shared/data)")
    ensure_papers(OLD, 221_328)
    tmp = args.home / "synthetic"
    tmp.mkdir(exist_ok=True)
    if embedding_job.pending(embedding_job.current_model(), limit=1):
        vectors, ids = synthetic_vectors(tmp, rng)
        timed("import synthetic vectors", embedding_job.import_vectors, vectors, ids)
    timed("sync indexes (incremental)", sync_indexes, progress=False)
    timed("rebuild vector index from the database", rebuild_vectors)
    report("221,328 papers (146,600 synthetic vectors)", args.repeat, rng)


if __name__ == "__main__":
    main()
