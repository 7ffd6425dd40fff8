"""Where a hybrid search's time goes: wall time of each step, per search, on a built home.

    nice python benchmarks/bench_hybrid_stages.py --home /tmp/pf-221k [--repeat 3]

Wraps the steps of :func:`paperfeed.search.hybrid.search` with timers (the query embedding, the
lexical search calls, the vector side, the fill-in of the missing side, the page's explanation),
runs bench_hybrid's 40 queries ``--repeat`` times with the query vector cache emptied before each,
and prints the mean milliseconds per search of each step and the p50 / p95 of the whole.  The
embedding runs on its own thread during the lexical candidate search, so the steps' sum exceeds
the total.  Needs a home built by bench_hybrid.py (papers, both indexes, the query model).
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
from bench_hybrid import QUERIES  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ["PAPERFEED_HOME"] = str(args.home)
    os.environ["DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from paperfeed.search import hybrid, lexical, vector_index

    spent: dict[str, float] = collections.defaultdict(float)

    def timed(owner, name: str, label: str) -> None:
        inner = getattr(owner, name)

        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return inner(*a, **k)
            finally:
                spent[label] += time.perf_counter() - start

        setattr(owner, name, wrapper)

    timed(hybrid, "query_vector", "query embedding (on its thread)")
    timed(lexical.LexicalIndex, "search", "lexical candidates")
    timed(vector_index, "search_vectors", "vector side")
    timed(hybrid, "fuse", "fusion with the fill-in")
    timed(lexical.LexicalIndex, "scores_of", "  fill-in: BM25 of meaning-only")
    timed(vector_index, "cosines_of", "  fill-in: cosines of lexical-only")
    timed(hybrid, "_explain_page", "the page's explanation")
    for query in QUERIES[:5]:  # warm-up: the model, both indexes
        hybrid.search(query, mode="hybrid", limit=20)
    spent.clear()
    totals = []
    for _ in range(args.repeat):
        for query in QUERIES:
            hybrid._embed_cached.cache_clear()
            start = time.perf_counter()
            result = hybrid.search(query, mode="hybrid", limit=20)
            totals.append((time.perf_counter() - start) * 1000)
            if result.mode != "hybrid":
                sys.exit(f"the search ran as {result.mode} ({result.note or 'see the log'})")
    n = len(totals)
    for label, seconds in spent.items():
        print(f"{label:36s} {seconds * 1000 / n:6.2f} ms")
    totals.sort()
    p95 = totals[int(0.95 * (n - 1))]
    print(f"{'whole search':36s} p50 {statistics.median(totals):.1f} ms  p95 {p95:.1f} ms ({n})")


if __name__ == "__main__":
    main()
