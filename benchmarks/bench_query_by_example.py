"""Query by example on SciFact: a paper's own text as the query, the paper itself excluded.

    nice python benchmarks/bench_query_by_example.py [--cache DIR] [--weights 0.6,0.8,0.9]

Ground truth: SciFact (../shared/eval/scifact) judges which abstracts support or refute each
claim. Two abstracts judged for the same claim are about the same finding, so each abstract of a
claim with two or more judged abstracts becomes a query (its title and text, the way
"more like this" reads a paper), and the claim's other abstracts are its relevant documents
(a query whose abstract is judged for several claims gets all their other abstracts). The set is
written as a BEIR folder in a temporary directory and run by ``paperfeed eval``'s own
:func:`~paperfeed.search.evaluate.run_beir` with ``exclude_self``: lexical (BM25 over the whole
text), semantic (the embedding: what the app's more-like-this uses) and hybrid at several
semantic weights. Prints one Markdown table row per mode and weight (nDCG@10, MRR@10, R@100).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve()
SCIFACT = Path(os.environ.get("PAPERFEED_SHARED", HERE.parents[2] / "shared")) / "eval" / "scifact"


def co_relevant_set(scifact: Path, out: Path) -> tuple[int, int]:
    """Write the query-by-example BEIR folder; (queries, judgements)."""
    from paperfeed.search.evaluate import load_beir

    data = load_beir(scifact)
    by_claim = {q: [d for d, g in rel.items() if g > 0] for q, rel in data.qrels.items()}
    relevant: dict[str, set[str]] = defaultdict(set)
    for docs in by_claim.values():
        if len(docs) >= 2:
            for doc in docs:
                relevant[doc].update(d for d in docs if d != doc)
    position = {doc: i for i, doc in enumerate(data.ids)}
    (out / "qrels").mkdir(parents=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for doc, title, text in zip(data.ids, data.titles, data.texts, strict=True):
            fh.write(json.dumps({"_id": doc, "title": title, "text": text}) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for doc in relevant:
            i = position[doc]
            fh.write(json.dumps({"_id": doc, "text": f"{data.titles[i]}. {data.texts[i]}"}) + "\n")
    judgements = 0
    with (out / "qrels" / "test.tsv").open("w", encoding="utf-8") as fh:
        fh.write("query-id\tcorpus-id\tscore\n")
        for doc, others in relevant.items():
            for other in sorted(others):
                fh.write(f"{doc}\t{other}\t1\n")
                judgements += 1
    return len(relevant), judgements


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="Corpus embeddings cache.")
    parser.add_argument("--weights", default="0.6,0.8,0.9", help="Hybrid semantic weights.")
    args = parser.parse_args()
    if not (SCIFACT / "corpus.jsonl").is_file():
        print(f"SciFact not found at {SCIFACT}", file=sys.stderr)
        return 1
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from dataclasses import replace

    from paperfeed.search.encoders import load_encoder
    from paperfeed.search.evaluate import run_beir
    from paperfeed.search.hybrid import DEFAULT_FUSION

    encoder = load_encoder(None, device="cpu")
    with tempfile.TemporaryDirectory(prefix="paperfeed-qbe-") as tmp:
        folder = Path(tmp) / "qbe"
        queries, judgements = co_relevant_set(SCIFACT, folder)
        print(f"{queries} queries, {judgements} judgements, model {encoder.name}")
        print("| mode | semantic weight | nDCG@10 | MRR@10 | R@100 |")
        print("|---|---|---|---|---|")
        for n, weight in enumerate(float(w) for w in args.weights.split(",")):
            started = time.perf_counter()
            run = run_beir(
                folder,
                encoder,
                modes=("lexical", "semantic", "hybrid") if n == 0 else ("hybrid",),
                cache=args.cache,
                fusion=replace(DEFAULT_FUSION, weight=weight),
                exclude_self=True,
            )
            for mode, m in run.metrics.items():
                shown = f"{weight}" if mode == "hybrid" else "–"
                print(
                    f"| {mode} | {shown} | {m['nDCG@10']:.4f} | {m['MRR@10']:.4f} | "
                    f"{m['R@100']:.4f} |",
                    flush=True,
                )
            print(f"<!-- {time.perf_counter() - started:.0f} s -->", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
