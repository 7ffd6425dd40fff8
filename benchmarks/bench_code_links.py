"""How many papers of the shared corpus name their code and project page, as
:mod:`paperfeed.signals.links` reads them, and how fast it reads them.

Reads ``abstract`` and ``comment`` of every paper of ``../shared/data/arxiv-cs-2025-2026.jsonl.gz``
(as stored: the abstract raw, the comment with its white space collapsed, as ingest keeps it)
and prints a markdown table: papers with a code link (any kind, GitHub), repositories by kind,
papers with a project page (``*.github.io`` or after a "project page" lead-in), and the
extraction time per paper. The shared README's own counts (section 5 of
``../shared/fixtures/signals/README.md``) are URL mentions; ours are repositories after
normalisation, so owner-only URLs and github.io pages are not code here.

    python benchmarks/bench_code_links.py [--corpus FILE] [--examples N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from paperfeed.papers.text import collapse
from paperfeed.signals import links

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "arxiv-cs-2025-2026.jsonl.gz"
)
ANY_CODE_HOST = re.compile(r"github\.com|gitlab\.com|huggingface\.co|hf\.co/", re.IGNORECASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--examples", type=int, default=0, help="Print N papers naming a code host but no repo."
    )
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"{args.corpus} is absent")
    with gzip.open(args.corpus, "rt", encoding="utf-8") as lines:
        papers = [json.loads(line) for line in lines]
    texts = [(p["id"], f"{p.get('abstract') or ''}\n{collapse(p.get('comment'))}") for p in papers]

    started = time.perf_counter()
    found = [(pid, text, *links.scan(text)) for pid, text in texts]
    elapsed = time.perf_counter() - started

    kinds: Counter[str] = Counter()
    with_code = with_github = with_page = github_io = host_mentioned = 0
    unread = []
    for pid, text, code, page in found:
        kinds.update(kind for kind, _ in code)
        with_code += bool(code)
        with_github += any(kind == links.GITHUB for kind, _ in code)
        with_page += bool(page)
        github_io += ".github.io" in page.lower()
        if ANY_CODE_HOST.search(text):
            host_mentioned += 1
            if not code:
                unread.append((pid, text))
    n = len(texts)

    def row(label: str, count: int) -> str:
        return f"| {label} | {count:,} | {100 * count / n:.1f} % |"

    print(f"| {n:,} papers (abstract + comment) | papers | share |")
    print("|---|---:|---:|")
    print(row("a github.com / gitlab.com / huggingface.co / hf.co URL (any)", host_mentioned))
    print(row("a code link (repository of any kind)", with_code))
    print(row("a GitHub repository", with_github))
    print(row("a project page", with_page))
    print(row("- of them a *.github.io page", github_io))
    print()
    print("| repositories by kind | links |")
    print("|---|---:|")
    for kind, count in kinds.most_common():
        print(f"| {kind} | {count:,} |")
    print(f"| all | {sum(kinds.values()):,} |")
    print()
    print(
        f"extraction: {elapsed:.2f} s for {n:,} papers "
        f"({1e6 * elapsed / n:.1f} µs a paper, one core)"
    )
    for pid, text in unread[: args.examples]:
        where = ANY_CODE_HOST.search(text).start()
        print(pid, repr(text[max(0, where - 40) : where + 80]))


if __name__ == "__main__":
    main()
