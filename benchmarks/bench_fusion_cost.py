"""CPU cost of adaptive fusion: hybrid.search with the default fusion against the old one
(one weight, a missing candidate at the list's lowest), interleaved query by query.

    PYTHONPATH=src nice python benchmarks/bench_fusion_cost.py [HOME]

CPU time of the process (``time.process_time``) rather than wall time, so that a machine shared
with other jobs skews it less; the query vector is cached (both variants embed the same text).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import django


def main() -> None:
    os.environ["PAPERFEED_HOME"] = sys.argv[1] if len(sys.argv) > 1 else "/tmp/pf-E-74k"
    os.environ["DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    django.setup()
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_hybrid import QUERIES
    from paperfeed.search import hybrid

    variants = {
        "old": replace(hybrid.DEFAULT_FUSION, fill=False, kind_weights=None),
        "new": hybrid.DEFAULT_FUSION,
    }
    for query in QUERIES[:5]:
        hybrid.search(query)  # warm-up: model, indexes, query vectors
    times: dict[str, list[float]] = {name: [] for name in variants}
    for rep in range(2):
        for query in QUERIES:
            for name in variants if rep % 2 == 0 else reversed(variants):
                start = time.process_time()
                hybrid.search(query, limit=20, config=variants[name])
                times[name].append((time.process_time() - start) * 1000)
    for name, values in times.items():
        values.sort()
        p50, p95 = statistics.median(values), values[int(0.95 * (len(values) - 1))]
        print(f"{name}: CPU p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(values)} searches)")


if __name__ == "__main__":
    main()
