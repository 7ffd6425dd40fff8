"""Filtered search at 221k papers, in-process: the vector side through the database (before)
and through the vector table (after), in one run.

    nice python benchmarks/bench_filtered.py --home /tmp/pf-C-221k [--build] [--repeat 2]

``--build`` stores both shared files in a SQLite database under --home, imports the real vectors
of the 74,728 recent papers and SYNTHETIC ones for the 146,600 older papers (bench_hybrid.py's
recipe: their neighbours are not meaningful, their cost is), and builds both indexes once.
Then each filtered query (category, archive, date range, author, has:code, and mixes) is timed
with :func:`paperfeed.search.hybrid.search` in semantic and hybrid mode, the query vector cached
(the encoder is not what is measured), first with the vector table switched off (the database
path: HNSW over-fetch checked by SQL, candidates' keys read from the database), then on.
The same hits are expected from both paths (checked: the top 20 of each query must agree).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
from bench_hybrid import IDS, OLD, RECENT, VECTORS, ensure_papers, setup, synthetic_vectors, timed  # noqa: E402,I001

FILTERED = [
    # (query, filters for hybrid.search)
    ("kv cache compression", {"categories": ["cs.CL"]}),
    ("diffusion models for video generation", {"categories": ["cs.CV"]}),
    ("graph neural networks for molecules", {"categories": ["cs.LG"]}),
    ("mixture of experts routing", {"categories": ["cs"]}),
    ("federated learning privacy", {"categories": ["cs.CR"]}),
    ("protein structure prediction", {"categories": ["q-bio"]}),
    ("quantum machine learning", {"categories": ["quant-ph"]}),
    ("point cloud registration", {"categories": ["cs.RO"]}),
    ("formal verification of neural networks", {"categories": ["cs.LO"]}),
    ("speculative decoding", {"since": dt.date(2026, 1, 1)}),
    ("chain of thought reasoning", {"since": dt.date(2025, 6, 1), "until": dt.date(2025, 9, 30)}),
    ("text to sql", {"since": dt.date(2026, 6, 1)}),
    ("peer to peer networks", {"until": dt.date(2010, 12, 31)}),
    ("3d gaussian splatting", {"categories": ["cs.CV"], "since": dt.date(2026, 3, 1)}),
    ("model merging", {"categories": ["cs.LG", "cs.CL"], "since": dt.date(2025, 10, 1)}),
    ("reinforcement learning from human feedback", {"author": "Wang"}),
    ("speech recognition low resource languages", {"author": "Yoshua Bengio"}),
    ("code generation benchmarks has:code", {}),
    ("vision language models cat:cs.RO -cat:cs.CV", {}),
    ("recommendation systems cold start", {"categories": ["cs.IR"], "until": dt.date(2019, 1, 1)}),
]


def build(home: Path) -> None:
    from paperfeed.search import embedding_job
    from paperfeed.search.sync import sync_indexes

    ensure_papers(RECENT, 74_728)
    ensure_papers(OLD, 221_328)
    tmp = home / "synthetic"
    tmp.mkdir(exist_ok=True)
    if embedding_job.pending(embedding_job.current_model(), limit=1):
        vectors, ids = synthetic_vectors(tmp, np.random.default_rng(0))
        timed("import synthetic vectors", embedding_job.import_vectors, vectors, ids)
    marker = home / "real-vectors-imported"
    if not marker.exists():  # after the synthetic ones: the real vectors replace any made above
        timed("import shared vectors", embedding_job.import_vectors, VECTORS, IDS)
        marker.touch()
    timed("sync indexes (lexical + vectors)", sync_indexes, progress=False)


def timed_search(query: str, filters: dict, mode: str) -> tuple[float, float, list[str]]:
    """Wall and CPU milliseconds of one search, and its hit ids."""
    from paperfeed.search import hybrid

    wall, cpu = time.perf_counter(), time.process_time()
    result = hybrid.search(query, mode=mode, limit=20, **filters)
    return (
        (time.perf_counter() - wall) * 1000,
        (time.process_time() - cpu) * 1000,
        [h.id for h in result.hits],
    )


def percentiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[int(0.95 * (len(values) - 1))]


def report(repeat: int) -> None:
    from paperfeed.search import hybrid, paths, vector_index, vector_table

    index = vector_index.current_index()
    table = index.table
    if table is None:
        sys.exit("the vector generation has no table: run with --build (or paperfeed index)")
    print(f"{len(index):,} vectors; load average {os.getloadavg()[0]:.2f} before")
    directory = paths.current_dir("vectors")
    sizes = {
        name: (directory / f"{name}.npy").stat().st_size / 2**20 for name in vector_table.FILES
    }
    print(
        f"vector generation: index {(directory / 'vectors.usearch').stat().st_size / 2**20:.0f} "
        f"MiB, table {sum(sizes.values()):.0f} MiB ("
        + ", ".join(f"{name} {mib:.1f}" for name, mib in sizes.items())
        + ")"
    )
    wall, cpu = time.perf_counter(), time.process_time()
    keys = np.asarray(index.index.keys, dtype=np.uint64)
    vector_index._table_of(index, keys)
    print(
        f"writing the table's arrays (vectors from the index, metadata from the database): "
        f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
    )
    for query, filters in FILTERED:  # warm-up: query vectors cached, files paged in
        ran = hybrid.search(query, mode="hybrid", limit=20, **filters)
        if ran.mode != "hybrid":  # e.g. no query model: the timings would be lexical searches
            sys.exit(f"hybrid search ran as {ran.mode} ({ran.note or 'see the log'}): not timed")
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    hits: dict[tuple[str, str, int], list[str]] = {}
    for _ in range(repeat):
        for path in ("database", "table"):
            index.table = table if path == "table" else None
            for mode in ("semantic", "hybrid"):
                for i, (query, filters) in enumerate(FILTERED):
                    wall, cpu, ids = timed_search(query, filters, mode)
                    results.setdefault((path, mode), []).append((wall, cpu))
                    hits[(path, mode, i)] = ids
    index.table = table
    print(f"load average {os.getloadavg()[0]:.2f} after")
    print("| path | mode | searches | wall p50 | wall p95 | CPU p50 | CPU p95 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (path, mode), times in results.items():
        w50, w95 = percentiles([w for w, _ in times])
        c50, c95 = percentiles([c for _, c in times])
        print(f"| {path} | {mode} | {len(times)} | {w50:.1f} | {w95:.1f} | {c50:.1f} | {c95:.1f} |")
    for mode in ("semantic", "hybrid"):
        overlaps, shorter = [], 0
        for i in range(len(FILTERED)):
            before, after = hits[("database", mode, i)], hits[("table", mode, i)]
            both = max(len(before), len(after))
            overlaps.append(len(set(before) & set(after)) / both if both else 1.0)
            shorter += len(before) < len(after)
        print(
            f"{mode}: top-20 overlap database vs table {np.mean(overlaps):.3f} "
            f"(min {min(overlaps):.2f}); database path returned fewer hits on {shorter} queries"
        )
    print("per query (semantic, wall ms, last repeat):")
    for path in ("database", "table"):
        index.table = table if path == "table" else None
        line = []
        for query, filters in FILTERED:
            wall, _, _ = timed_search(query, filters, "semantic")
            line.append(f"{wall:.0f}")
        print(f"  {path:8s} " + " ".join(line))
    index.table = table


def table_only(repeat: int) -> None:
    """The table's side alone, no database: a table of the 221,328 papers of both shared files
    (vectors as bench_vector_recall.py makes them), each filter's mask and exact search timed."""
    import gzip
    import json
    from types import SimpleNamespace

    from bench_vector_recall import corpus
    from paperfeed.search import vector_table  # numpy only: no Django set up

    meta, key = {}, 0
    for path in (RECENT, OLD):
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            for line in stream:
                record = json.loads(line)
                day = record.get("listed") or record.get("created")
                day = dt.date.fromisoformat(day) if day else None
                meta[key] = (record["id"], " ".join(record["categories"]), day, None)
                key += 1
    vectors = corpus()[: len(meta)]
    start = time.process_time()
    table = vector_table.build(np.arange(len(meta), dtype=np.uint64), vectors, meta)
    print(f"table of {len(table):,} rows built in {time.process_time() - start:.1f} s CPU")
    rng = np.random.default_rng(0)
    print("| filters | rows passing | mask CPU ms | exact top 250 CPU ms |")
    print("|---|---:|---:|---:|")
    for _, filters in FILTERED:
        if not filters:
            continue
        f = SimpleNamespace(
            categories=tuple(filters.get("categories", ())),
            not_categories=(),
            since=filters.get("since"),
            until=filters.get("until"),
        )
        masks, exacts = [], []
        for _ in range(repeat):
            query = vectors[rng.integers(len(vectors))].astype(np.float32)
            start = time.process_time()
            mask = table.mask(f)
            rows = np.flatnonzero(mask) if mask is not None else np.arange(len(table))
            masks.append((time.process_time() - start) * 1000)
            start = time.process_time()
            if len(rows) <= 50_000:
                vector_table.exact_rows(table, rows, query, 250)
                exacts.append((time.process_time() - start) * 1000)
        shown = {k: str(v) for k, v in filters.items() if k != "author"}
        exact = f"{statistics.median(exacts):.1f}" if exacts else "(HNSW)"
        print(f"| {shown} | {len(rows):,} | {statistics.median(masks):.1f} | {exact} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("/tmp/paperfeed-bench-filtered"))
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--table-only", action="store_true", help="No database: table timings.")
    args = parser.parse_args()
    if args.table_only:
        table_only(args.repeat)
        return
    for path in (RECENT, OLD, VECTORS, IDS):
        if not path.exists():
            sys.exit(f"{path} is missing (../shared/data)")
    setup(args.home)
    if args.build:
        build(args.home)
    report(args.repeat)


if __name__ == "__main__":
    main()
