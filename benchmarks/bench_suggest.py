"""What the truthful results page costs: vocabulary build, spelling lookups, explaining a page.

    nice python benchmarks/bench_suggest.py [--papers N] [--source FILE] [--index DIR]

Reads the first N papers (default all 74,728) of ../shared/data/arxiv-cs-2025-2026.jsonl.gz,
indexes them with the app's own ``LexicalIndex`` in a temporary directory (or reuses ``--index``
built by an earlier run), and reports:

* the corpus vocabulary: time to count it, words, size of ``vocabulary.tsv``;
* spelling: ``corrections_for`` per misspelt query (rapidfuzz over the whole vocabulary plus the
  index checks), p50 / p95 over 20 queries x 5;
* explaining a page: ``LexicalIndex.search(q, limit=20)`` with snippets and reasons minus the
  same search without them, p50 / p95 over the 40 queries of bench_hybrid.py x 3.

Only ``LexicalIndex.create/add_documents/search`` are needed for the last part, so it also runs
against an older checkout (``PYTHONPATH=OLD/src ... --explain-only``) to compare.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
SHARED = Path(os.environ.get("PAPERFEED_SHARED", HERE.parents[2] / "shared")) / "data"
RECENT = SHARED / "arxiv-cs-2025-2026.jsonl.gz"

MISSPELT = [
    "tranformer attention",
    "difusion models",
    "reinforcment learning",
    "grpah neural networks",
    "retreival augmented generation",
    "speculativ decoding",
    "quantisation of llms",
    "halucination detection",
    "contrastive learnign",
    "segmantation of medical images",
    "knowlege distillation",
    "federeated learning",
    "adversaral robustness",
    "gaussain splatting",
    "multimodel reasoning",
    "autonmous driving",
    "protien folding",
    "recomendation systems",
    "benchmrk for agents",
    "optimzation of compilers",
]


def papers(source: Path, limit: int | None):
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if limit is not None and number >= limit:
                return
            row = json.loads(line)
            yield {
                "id": row["id"],
                "title": row.get("title") or "",
                "abstract": row.get("abstract") or "",
                "authors": [
                    a if isinstance(a, str) else a.get("name", "") for a in row.get("authors") or []
                ],
            }


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"{statistics.median(ordered) * 1000:.2f} / {p95 * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=None)
    parser.add_argument("--source", type=Path, default=RECENT)
    parser.add_argument("--index", type=Path, default=None, help="reuse (or build into) DIR")
    parser.add_argument("--explain-only", action="store_true")
    args = parser.parse_args()
    import django

    django.setup()
    from bench_hybrid import QUERIES
    from paperfeed.search.lexical import LexicalIndex

    directory = args.index or Path(tempfile.mkdtemp(prefix="paperfeed-bench-suggest-"))
    if (directory / "meta.json").exists():
        index = LexicalIndex.open(directory)
        print(f"index: reused {directory} ({index.num_docs:,} papers)")
    else:
        index = LexicalIndex.create(directory)
        start = time.perf_counter()
        added = index.add_documents(papers(args.source, args.papers), replace=False)
        index.commit()
        index.close()
        print(f"index: {added:,} papers in {time.perf_counter() - start:.1f} s ({directory})")

    samples = []
    for _ in range(3):
        for query in QUERIES:
            start = time.perf_counter()
            index.search(query, limit=20, snippets=False)
            bare = time.perf_counter() - start
            start = time.perf_counter()
            index.search(query, limit=20)
            samples.append(time.perf_counter() - start - bare)
    print(f"explaining a page of 20 lexical hits (p50 / p95): {percentiles(samples)}")
    if args.explain_only:
        return

    from paperfeed.search import vocabulary
    from paperfeed.search.suggestions import _load, corrections_for

    start = time.perf_counter()
    counts: Counter = Counter()
    for _ in vocabulary.counting(papers(args.source, args.papers), counts):
        pass
    counted = time.perf_counter() - start
    path = vocabulary.write(directory, counts)
    print(
        f"vocabulary: {len(counts):,} words ({sum(1 for c in counts.values() if c >= 2):,} in "
        f"2+ papers) counted in {counted:.1f} s (reading the gzip included); "
        f"{path.stat().st_size / 1e6:.1f} MB"
    )
    start = time.perf_counter()
    _load(directory, path.stat().st_mtime_ns)
    print(f"vocabulary: loaded in {(time.perf_counter() - start) * 1000:.0f} ms (once per process)")
    samples, shown = [], {}
    for _ in range(5):
        for query in MISSPELT:
            start = time.perf_counter()
            shown[query] = corrections_for(query, index)
            samples.append(time.perf_counter() - start)
    print(f"spelling per misspelt query (p50 / p95): {percentiles(samples)}")
    fixed = sum(1 for q in MISSPELT if shown[q])
    print(f"corrected {fixed} of {len(MISSPELT)} queries:")
    for query in MISSPELT:
        print(f"  {query!r}: {shown[query]}")
    samples = []
    for _ in range(3):
        for query in QUERIES:
            start = time.perf_counter()
            corrections_for(query, index)
            samples.append(time.perf_counter() - start)
    print(f"spelling check of a correctly spelt query (p50 / p95): {percentiles(samples)}")


if __name__ == "__main__":
    main()
