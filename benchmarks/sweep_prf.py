"""Sweep pseudo-relevance feedback and fusion variants on a BEIR set (aggregate metrics only).

    nice python benchmarks/sweep_prf.py ../shared/eval/scifact --cache /tmp/E-scifact [--only rm3]

Loads the corpus, its cached vectors (``paperfeed eval beir --cache``), the BM25 index and the
query vectors once, with the functions of ``search/evaluate.py``, then fuses each query's two
lists again per variant with ``hybrid.fuse`` (as ``evaluate._hybrid`` does).  Dense PRF
(Rocchio 1971): q' = norm(q + beta * mean of the top-k first-pass hybrid documents' vectors),
the semantic list searched again with q' and fused with the same BM25 list.  Lexical PRF (RM3,
Abdul-Jaleel et al. 2004): expansion terms from the top-k first-pass documents added to the BM25
query as boosted terms (tantivy's ``word^w``), fused with the unchanged semantic list.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=("dense", "rm3", "prox"),
        default=("dense", "rm3", "prox"),
        help="families",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    django.setup()
    import numpy as np

    from paperfeed.search import hybrid
    from paperfeed.search.analyzers import text_terms
    from paperfeed.search.encoders import load_encoder
    from paperfeed.search.evaluate import (
        _cosines,
        _hybrid,
        corpus_vectors,
        lexical_rankings,
        load_beir,
        mean_metrics,
        semantic_rankings,
    )
    from paperfeed.search.query import FUNCTION_WORDS, classify, parse, plain_words
    from paperfeed.search.vector_index import VectorIndex

    SURFACE: dict[str, str] = {}
    stems: dict[str, str] = {}

    def _terms(text):
        out = []
        for word in re.findall(r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]", text.lower()):
            for part in word.split("-"):
                if part not in stems:
                    found = text_terms(part)
                    stems[part] = found[0] if found else ""
                    if found:
                        SURFACE.setdefault(found[0], part)
                if stems[part]:
                    out.append(stems[part])
        return out

    data = load_beir(args.directory)
    encoder = load_encoder()
    depth = hybrid.DEFAULT_FUSION.depth
    rows = {doc: row for row, doc in enumerate(data.ids)}
    with tempfile.TemporaryDirectory(prefix="paperfeed-prf-") as tmp:
        keep: list = []
        lexical = lexical_rankings(data, Path(tmp) / "lexical", depth, None, keep)
        vectors = corpus_vectors(encoder, data, args.cache)
        qvectors: dict = {}
        semantic = semantic_rankings(data, encoder, vectors, depth, qvectors)
        vindex = VectorIndex.build(vectors, model=encoder.name, labels=data.ids)
        index = keep[0]

        def run(config, qvec_of=None, lex_of=None):
            out = {}
            for q in data.queries:
                qv = qvectors[q] if qvec_of is None else qvec_of(q)
                sem = semantic[q] if qvec_of is None else vindex.search(qv, depth)
                lex = lexical[q] if lex_of is None else lex_of(q)
                hits = _hybrid(
                    data.queries[q], lex, sem, config, index, _cosines(vectors, rows, qv)
                )
                out[q] = [h.id for h in hits]
            return out

        EXPANDED: dict = {}

        def fused(q, lex):
            hits = hybrid.fuse(
                lex,
                semantic[q],
                hybrid.DEFAULT_FUSION,
                kind=classify(parse(data.queries[q]), []),
                lexical_scores=lambda ids: index.scores_of(EXPANDED[q], ids),
                semantic_scores=_cosines(vectors, rows, qvectors[q]),
            )
            return [h.id for h in hits]

        def report(name, ranked):
            m = mean_metrics(ranked, data.qrels)
            print(f"{name:60s} {m['nDCG@10']:.4f} {m['MRR@10']:.4f} {m['R@100']:.4f}", flush=True)

        base = hybrid.DEFAULT_FUSION
        print(f"{'variant':60s} nDCG@10  MRR@10   R@100")
        report("lexical", {q: [h.id for h in lexical[q]] for q in data.queries})
        report("semantic", {q: [h.id for h in semantic[q]] for q in data.queries})
        first = run(base)
        report("hybrid default", first)

        def rocchio(source, k, beta):
            def qvec_of(q):
                top = [rows[d] for d in source[q][:k]]
                v = qvectors[q] + beta * vectors[top].mean(axis=0)
                return (v / np.linalg.norm(v)).astype(np.float32)

            return qvec_of

        sem_first = {q: [h.id for h in semantic[q]] for q in data.queries}
        for source_name, source in (
            (("hybrid", first), ("semantic", sem_first)) if "dense" in args.only else ()
        ):
            for k in (3, 5, 10):
                for beta in (0.5, 1.0):
                    report(
                        f"dense PRF from {source_name} top {k}, beta {beta}",
                        run(base, rocchio(source, k, beta)),
                    )
        for w in (0.5, 0.7) if "dense" in args.only else ():
            report(
                f"dense PRF hybrid top 5 beta 1, weight {w} (no kinds)",
                run(replace(base, weight=w, kind_weights=None), rocchio(first, 5, 1.0)),
            )
        # Lexical PRF, RM3 (Abdul-Jaleel et al. 2004): p(t|R) = sum_d p(t|d) p(d|q) over the
        # top k documents, p(t|d) = tf / |d|, p(d|q) the first pass's scores normalised; the m
        # best terms join the query, weighted lam / (1 - lam) * |q| * p(t|R) / sum p(t|R).
        counts = [
            Counter(_terms(t + " " + x)) for t, x in zip(data.titles, data.texts, strict=True)
        ]
        df = Counter(t for c in counts for t in c)
        common = {t for t, n in df.items() if n > 0.1 * len(data.ids)}

        def rm3(source_hits, k, m, lam):
            def lex_of(q):
                top = source_hits[q][:k]
                scores = np.array([max(s, 0.0) for _, s in top] or [1.0])
                weights = scores / scores.sum() if scores.sum() > 0 else scores
                model = Counter()
                for (doc, _), w in zip(top, weights, strict=False):
                    c = counts[rows[doc]]
                    total = sum(c.values()) or 1
                    for t, n in c.items():
                        if t not in common and len(t) > 2 and not t.isdigit():
                            model[t] += w * n / total
                best = model.most_common(m)
                mass = sum(v for _, v in best) or 1.0
                words = plain_words(data.queries[q])
                scale = lam / (1 - lam) * len(words) / mass
                extra = " ".join(f"{SURFACE[t]}^{v * scale:.4f}" for t, v in best)
                parsed = parse(" ".join(words) + " " + extra)
                hits, _ = index.search(parsed, limit=depth, snippets=False)
                EXPANDED[q] = parsed
                return hits

            return lex_of

        lex_scored = {q: [(h.id, h.score) for h in lexical[q]] for q in data.queries}
        hyb_scored = {
            q: [(d, 1.0 / (r + 60)) for r, d in enumerate(first[q])] for q in data.queries
        }
        for source_name, source in (
            (("BM25", lex_scored), ("hybrid", hyb_scored)) if "rm3" in args.only else ()
        ):
            for k, m, lam in ((5, 10, 0.3), (10, 20, 0.3), (10, 20, 0.5), (5, 10, 0.5)):
                lex_of = rm3(source, k, m, lam)
                expanded = {q: lex_of(q) for q in data.queries}
                report(
                    f"RM3 from {source_name} top {k}, {m} terms, lambda {lam}: BM25",
                    {q: [h.id for h in hits] for q, hits in expanded.items()},
                )
                report(
                    f"RM3 from {source_name} top {k}, {m} terms, lambda {lam}: hybrid",
                    {q: fused(q, expanded[q]) for q in data.queries},
                )

        # Proximity: each pair of adjacent content words also as a sloppy phrase, "a b"~slop^boost.
        for slop, boost in ((3, 0.3), (3, 1.0), (10, 0.5)) if "prox" in args.only else ():
            lexical_ranked, hybrid_ranked = {}, {}
            for q, text in data.queries.items():
                words = plain_words(text)
                content = [w for w in words if w.lower() not in FUNCTION_WORDS and w.isalnum()]
                content = [w for w in content if len(w) > 1]
                pairs = " ".join(
                    f'"{a} {b}"~{slop}^{boost}' for a, b in zip(content, content[1:], strict=False)
                )
                EXPANDED[q] = parse(" ".join(words) + " " + pairs)
                hits, _ = index.search(EXPANDED[q], limit=depth, snippets=False)
                lexical_ranked[q] = [h.id for h in hits]
                hybrid_ranked[q] = fused(q, hits)
            report(f"proximity pairs, slop {slop}, boost {boost}: BM25", lexical_ranked)
            report(f"proximity pairs, slop {slop}, boost {boost}: hybrid", hybrid_ranked)


if __name__ == "__main__":
    sys.exit(main())
