"""Sweep the hybrid fusion's semantic weight per query kind on a known-item set (aggregates only).

    PAPERFEED_HOME=... nice python benchmarks/tune_fusion.py benchmarks/known_items.jsonl

For every query it takes the app's two candidate lists once (200 a side, as ``hybrid.search``),
the missing side's real scores and the query's kind, then fuses them again for each weight and
each variant (old: one list's lowest score for a missing candidate; fill: the real score), and
prints MRR@10 / hit@10 per kind for each weight.  Never looks at single queries.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import django

WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    django.setup()
    from dataclasses import replace

    from paperfeed.search import hybrid, lexical, vector_index
    from paperfeed.search.evaluate import mrr_at_k
    from paperfeed.search.known_items import load_known_items
    from paperfeed.search.query import classify, parse

    items = load_known_items(args.file)
    index = vector_index.current_index()
    index_l = lexical.current_index()
    prepared = []
    for item in items:
        parsed = parse(item.query)
        names = index_l.name_words(parsed.words)
        qvec = hybrid.embed_query(hybrid.semantic_text(parsed, names) or item.query)
        sem = vector_index.search_vectors(qvec, hybrid.SEARCH_DEPTH, index=index)
        lex, _ = index_l.search(parsed, limit=hybrid.SEARCH_DEPTH, snippets=False)
        lex_only = [h.id for h in lex if h.id not in {s.id for s in sem}]
        sem_only = [h.id for h in sem if h.id not in {x.id for x in lex}]
        cos = vector_index.cosines_of(qvec, lex_only, index)
        bm25 = index_l.scores_of(parsed, sem_only)
        prepared.append((item, classify(parsed, names), lex, sem, cos, bm25))
    kinds = sorted({p[1] for p in prepared})
    written = sorted({p[0].kind for p in prepared})
    print(
        f"{len(items)} queries; classified kinds: "
        + ", ".join(f"{k} {sum(p[1] == k for p in prepared)}" for k in kinds)
    )
    for fill in (False, True):
        for group_by in ("written", "classified"):
            groups = written if group_by == "written" else kinds
            print(f"\nfill={fill}, grouped by {group_by} kind: MRR@10 (hit@10) per weight")
            print(f"{'kind':12s}" + "".join(f"{w:>13.1f}" for w in WEIGHTS))
            for group in groups:
                row = f"{group:12s}"
                for w in WEIGHTS:
                    config = replace(hybrid.DEFAULT_FUSION, weight=w, kind_weights=None, fill=fill)
                    mrr = hit = n = 0
                    for item, kind, lex, sem, cos, bm25 in prepared:
                        if (item.kind if group_by == "written" else kind) != group:
                            continue
                        fused = hybrid.fuse(
                            lex,
                            sem,
                            config,
                            lexical_scores=lambda ids, b=bm25: b,
                            semantic_scores=lambda ids, c=cos: c,
                        )
                        ranked = [h.id for h in fused]
                        mrr += mrr_at_k(ranked, {item.target: 1}, 10)
                        hit += item.target in ranked[:10]
                        n += 1
                    row += f"  {mrr / n:.3f} ({hit / n:.2f})"
                print(row)


if __name__ == "__main__":
    sys.exit(main())
