"""HNSW recall vs exact search at 221k papers: a grid of (M, ef_construction, ef_search, dtype).

    nice python benchmarks/bench_vector_recall.py --home /tmp/pf-C-221k --out /tmp/recall.json \
        [--grid 16:128,16:256,32:128,32:256] [--ef 128,256,512,1024] [--dtypes f16,i8]

The corpus is the 74,728 shared all-MiniLM-L6-v2 vectors plus 146,600 SYNTHETIC ones for the
1998-2019 papers (a random real vector plus N(0, 0.05^2) noise, renormalised, seed 0: the recipe
of bench_hybrid.py), 221,328 rows of float16, the way the database stores them.  The queries
are embedded with the app's encoder (``--home`` supplies the model files' cache) and kept in
``--home/recall-queries.npz``: titles of random 2025-2026 papers (whose own paper is in the
index) and descriptive ones (the first sentence of other papers' abstracts plus bench_hybrid's
hand-written topics).  Exact = float32 brute force over the same float16 values.

For each (M, ef_construction, dtype) one index is built single-threaded (as the app builds it),
timed (wall and CPU seconds: on a shared machine the CPU time is the one to read) and saved (size on disk); then every ef_search answers each query for its top 200 one at a
time (as a search does) and is timed: recall@200 and @10 vs exact, queries whose exact top 5 are
not all in the top 200, p50 / p95 latency.  Results go to --out (JSON, one row a configuration,
written after each so a long run leaves partial results).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
from bench_hybrid import IDS, OLD, QUERIES, RECENT, VECTORS  # noqa: E402

K = 200
N_OLD = 146_600


def corpus(seed: int = 0) -> np.ndarray:
    """221,328 x 384 float16 rows: the real vectors, then synthetic ones (see the docstring)."""
    real = np.load(VECTORS)
    rng = np.random.default_rng(seed)
    rows = np.asarray(real[rng.integers(0, len(real), N_OLD)], dtype=np.float32)
    rows += rng.normal(0, 0.05, rows.shape).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return np.concatenate([real, rows.astype(np.float16)])


def query_texts(n_titles: int, n_sentences: int, seed: int = 1) -> tuple[list[str], list[str]]:
    """(texts, kinds): titles of random recent papers, then descriptive queries."""
    papers = []
    with gzip.open(RECENT, "rt", encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            papers.append((" ".join(record["title"].split()), " ".join(record["abstract"].split())))
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(papers), n_titles + n_sentences, replace=False)
    titles = [papers[i][0] for i in chosen[:n_titles]]
    sentences = [re.split(r"(?<=\.)\s", papers[i][1], maxsplit=1)[0] for i in chosen[n_titles:]]
    texts = titles + sentences + list(QUERIES)
    kinds = ["title"] * len(titles) + ["descriptive"] * (len(sentences) + len(QUERIES))
    return texts, kinds


def query_vectors(home: Path, n_titles: int, n_sentences: int) -> tuple[np.ndarray, list[str]]:
    cache = home / "recall-queries.npz"
    if cache.exists():
        saved = np.load(cache)
        return saved["vectors"], [str(k) for k in saved["kinds"]]
    texts, kinds = query_texts(n_titles, n_sentences)
    os.environ["PAPERFEED_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from paperfeed.search.encoders import load_encoder

    vectors = np.asarray(load_encoder().encode(texts, batch_size=32), dtype=np.float32)
    np.savez(cache, vectors=vectors, kinds=np.array(kinds))
    return vectors, kinds


def exact_top(matrix32: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    out = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), 32):
        sims = queries[start : start + 32] @ matrix32.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1, kind="stable")
        out[start : start + 32] = np.take_along_axis(part, order, axis=1)
    return out


def build(vectors: np.ndarray, m: int, ef_construction: int, dtype: str):
    import onnxruntime  # noqa: F401  (before usearch: see search/vector_index.py)
    from usearch.index import Index

    index = Index(
        ndim=vectors.shape[1],
        metric="cos",
        dtype=dtype,
        connectivity=m,
        expansion_add=ef_construction,
    )
    start, start_cpu = time.perf_counter(), time.process_time()
    for begin in range(0, len(vectors), 20_000):
        chunk = np.asarray(vectors[begin : begin + 20_000], dtype=np.float32)
        keys = np.arange(begin, begin + len(chunk), dtype=np.uint64)
        index.add(keys, chunk, log=False, threads=1)
    return index, time.perf_counter() - start, time.process_time() - start_cpu


def measure(index, queries: np.ndarray, exact: np.ndarray, kinds: list[str], ef: int) -> dict:
    index.expansion_search = ef
    found, times, cpu = [], [], []
    for query in queries:
        start, start_cpu = time.perf_counter(), time.process_time()
        matches = index.search(query, K, log=False)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        found.append(np.asarray(matches.keys, dtype=np.int64))
    r200 = [len(set(f.tolist()) & set(e.tolist())) / K for f, e in zip(found, exact, strict=True)]
    r10 = [
        len(set(f[:10].tolist()) & set(e[:10].tolist())) / 10
        for f, e in zip(found, exact, strict=True)
    ]
    top5_missing = sum(
        1 for f, e in zip(found, exact, strict=True) if not set(e[:5].tolist()) <= set(f.tolist())
    )
    titles = [i for i, kind in enumerate(kinds) if kind == "title"]
    times.sort()
    cpu.sort()
    return {
        "ef_search": ef,
        "recall@200": float(np.mean(r200)),
        "recall@200_min": float(np.min(r200)),
        "recall@10": float(np.mean(r10)),
        "recall@200_titles": float(np.mean([r200[i] for i in titles])),
        "queries_missing_an_exact_top5": top5_missing,
        "p50_ms": float(np.median(times)),
        "p95_ms": float(times[int(0.95 * (len(times) - 1))]),
        "cpu_p50_ms": float(np.median(cpu)),
        "cpu_p95_ms": float(cpu[int(0.95 * (len(cpu) - 1))]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True, help="PAPERFEED_HOME (model files)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--grid", default="16:128,16:256,32:128,32:256", help="M:ef_construction,…")
    parser.add_argument("--ef", default="128,256,512,1024")
    parser.add_argument("--dtypes", default="f16")
    parser.add_argument("--titles", type=int, default=120)
    parser.add_argument("--sentences", type=int, default=100)
    parser.add_argument("--limit", type=int, default=0, help="Only the first N corpus rows.")
    args = parser.parse_args()
    for path in (RECENT, OLD, VECTORS, IDS):
        if not path.exists():
            sys.exit(f"{path} is missing (../shared/data)")
    queries, kinds = query_vectors(args.home, args.titles, args.sentences)
    vectors = corpus()
    if args.limit:
        vectors = vectors[: args.limit]
    start = time.perf_counter()
    exact = exact_top(vectors.astype(np.float32), queries, K)
    print(
        f"{len(vectors):,} vectors, {len(queries)} queries ({kinds.count('title')} titles); "
        f"exact top {K} in {time.perf_counter() - start:.1f} s; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    rows = []
    for dtype in args.dtypes.split(","):
        for pair in args.grid.split(","):
            m, ef_construction = (int(x) for x in pair.split(":"))
            load_before = os.getloadavg()[0]
            index, seconds, cpu_seconds = build(vectors, m, ef_construction, dtype)
            with tempfile.TemporaryDirectory() as tmp:
                index.save(str(Path(tmp) / "v.usearch"))
                size = (Path(tmp) / "v.usearch").stat().st_size
            base = {
                "dtype": dtype,
                "M": m,
                "ef_construction": ef_construction,
                "build_s": round(seconds, 1),
                "build_cpu_s": round(cpu_seconds, 1),
                "size_mib": round(size / 2**20, 1),
                "load_before_build": round(load_before, 2),
            }
            for ef in (int(x) for x in args.ef.split(",")):
                row = {**base, **measure(index, queries, exact, kinds, ef)}
                row["load"] = round(os.getloadavg()[0], 2)
                rows.append(row)
                print(json.dumps(row), flush=True)
                args.out.write_text(json.dumps(rows, indent=1))
            del index


if __name__ == "__main__":
    main()
