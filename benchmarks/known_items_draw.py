"""Draw the targets of the known-item set (benchmarks/known_items.jsonl) at random.

    python benchmarks/known_items_draw.py [--seed 16] [--count 60]

Prints, for ``--count`` papers drawn with a fixed seed from those of
../shared/data/arxiv-cs-2025-2026.jsonl.gz that have a shared vector, the id, title, authors
and abstract: the queries of known_items.jsonl were written by hand from this text, before any
search was run (docs/search.md, "Known-item evaluation").  Kinds are assigned round-robin in
draw order (description, keywords, title, author) so each kind gets a quarter of the targets.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
from pathlib import Path

HERE = Path(__file__).resolve()
SHARED = Path(os.environ.get("PAPERFEED_SHARED", HERE.parents[2] / "shared")) / "data"
PAPERS = SHARED / "arxiv-cs-2025-2026.jsonl.gz"
IDS = SHARED / "arxiv-cs-2025-2026.all-MiniLM-L6-v2.ids.txt"
KINDS = ("description", "keywords", "title", "author")


def draw(seed: int, count: int) -> list[dict]:
    with_vectors = set(IDS.read_text(encoding="utf-8").split())
    with gzip.open(PAPERS, "rt", encoding="utf-8") as fh:
        papers = [p for p in map(json.loads, fh) if p["id"] in with_vectors]
    papers.sort(key=lambda p: p["id"])
    return random.Random(seed).sample(papers, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args()
    for n, paper in enumerate(draw(args.seed, args.count)):
        print(f"=== {n} {paper['id']} kind={KINDS[n % len(KINDS)]}")
        print("TITLE:", " ".join(paper["title"].split()))
        print("AUTHORS:", "; ".join(paper["authors"][:6]))
        print("ABSTRACT:", " ".join(paper["abstract"].split())[:700])


if __name__ == "__main__":
    main()
