"""Latency of "more like this" in-process, on a data home built by bench_hybrid.py.

    PAPERFEED_HOME=/tmp/paperfeed-bench-hybrid nice python benchmarks/bench_more_like.py [--papers 60]

Times, for the same random papers with a stored vector: the paper page's old list
(``vector_index.similar(id, 8)``: 8 HNSW neighbours), and ``more_like.like_paper(id, limit=8)`` by
relevance and by recency (the pool of the 100 nearest, the recency order reading the 50 nearest
papers' dates). Two rounds each, median and p95 in ms. Reads the home; writes nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time


def timed(call, ids) -> str:
    out = []
    for pid in ids:
        started = time.perf_counter()
        call(pid)
        out.append((time.perf_counter() - started) * 1000)
    out.sort()
    return f"median {statistics.median(out):.1f} ms, p95 {out[int(0.95 * len(out)) - 1]:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=60)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from paperfeed.search import more_like, vector_index
    from paperfeed.search.models import Embedding

    index = vector_index.current_index()
    if index is None:
        print("no vector index in PAPERFEED_HOME (build one with bench_hybrid.py)", file=sys.stderr)
        return 1
    ids = list(Embedding.objects.values_list("paper_id", flat=True)[:20_000])
    sample = random.Random(1).sample(ids, min(args.papers, len(ids)))
    print(f"{len(index):,} vectors, {len(sample)} papers, load {os.getloadavg()[0]:.1f}")
    for _ in range(2):
        print("vector_index.similar(8)     ", timed(lambda p: vector_index.similar(p, 8), sample))
        print(
            "like_paper(8), relevance    ",
            timed(lambda p: more_like.like_paper(p, limit=8), sample),
        )
        print(
            "like_paper(8), recency      ",
            timed(lambda p: more_like.like_paper(p, sort="recency", limit=8), sample),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
