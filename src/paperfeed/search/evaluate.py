"""Retrieval quality on a BEIR dataset (Thakur et al., NeurIPS 2021), e.g. SciFact.

A BEIR folder holds ``corpus.jsonl`` (``_id``, ``title``, ``text``), ``queries.jsonl`` (``_id``,
``text``) and ``qrels/test.tsv`` (``query-id``, ``corpus-id``, ``score``, with a header line).
:func:`run_beir` indexes the corpus in a temporary directory with the same code the app uses
(:class:`~paperfeed.search.lexical.LexicalIndex`, the embedding model, :func:`hybrid.fuse`),
runs every test query, and scores the rankings with the metric functions below.
``exclude_self`` drops each query's own document (same id) from both sides' candidates before
fusion, for query-by-example evaluation (:mod:`paperfeed.search.runs`, which also writes the
rankings as TREC run files and the metrics per query).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from paperfeed.search.encoders import Encoder, paper_text
from paperfeed.search.hits import Hit
from paperfeed.search.hybrid import DEFAULT_FUSION, fuse, semantic_text
from paperfeed.search.lexical import LexicalIndex
from paperfeed.search.query import classify, parse, plain_words
from paperfeed.search.runs import is_self
from paperfeed.search.vector_index import VectorIndex

MODES = ("lexical", "semantic", "hybrid")


class BeirError(Exception):
    """The folder is not a readable BEIR dataset; the message names the file and line."""


# --------------------------------------------------------------------------- metrics


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain (Järvelin & Kekäläinen 2002), trec_eval's linear-gain form:
    DCG@k = sum_{i=1..k} rel_i / log2(i + 1)."""
    return sum(g / math.log2(i + 1) for i, g in enumerate(gains[:k], start=1))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    """nDCG@k = DCG@k of the ranking / DCG@k of the ideal ranking (0 when nothing is relevant)."""
    ideal = dcg_at_k(sorted((g for g in relevant.values() if g > 0), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg_at_k([max(relevant.get(doc, 0.0), 0.0) for doc in ranked], k) / ideal


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    """Reciprocal rank (Voorhees 1999): 1 / rank of the first relevant document in the top k,
    else 0; averaged over queries it is MRR@k."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 100) -> float:
    """Recall@k = |relevant in the top k| / |relevant| (0 when nothing is relevant)."""
    wanted = {doc for doc, g in relevant.items() if g > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


METRICS: dict[str, Callable[[Sequence[str], Mapping[str, float]], float]] = {
    "nDCG@10": lambda r, q: ndcg_at_k(r, q, 10),
    "MRR@10": lambda r, q: mrr_at_k(r, q, 10),
    "R@100": lambda r, q: recall_at_k(r, q, 100),
}


def mean_metrics(
    runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, float]]
) -> dict[str, float]:
    """Each metric averaged over the queries that have judgements."""
    queries = [q for q in qrels if q in runs]
    if not queries:
        return dict.fromkeys(METRICS, 0.0)
    return {
        name: sum(f(runs[q], qrels[q]) for q in queries) / len(queries)
        for name, f in METRICS.items()
    }


# --------------------------------------------------------------------------- data


@dataclass
class BeirData:
    ids: list[str]
    titles: list[str]
    texts: list[str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, float]] = field(default_factory=dict)


def jsonl_objects(path: Path, error: type[Exception], missing: str = "no such file"):
    """``(line number, object)`` for each non-blank line of the JSON Lines file ``path``;
    ``error`` (naming the file and line) for a missing file, a line that is not JSON or one
    that is not an object."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: {missing}")
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise error(f"{path}:{number}: not JSON ({exc})") from None
            if not isinstance(row, dict):
                raise error(f"{path}:{number}: expected an object, not {type(row).__name__}")
            yield number, row


def _read_jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    missing = "missing (a BEIR folder has corpus.jsonl, queries.jsonl, qrels/)"
    rows = []
    for number, row in jsonl_objects(path, BeirError, missing):
        if any(key not in row for key in required):
            raise BeirError(f"{path}:{number}: needs the keys {', '.join(required)}")
        rows.append(row)
    return rows


def _read_qrels(path: Path) -> dict[str, dict[str, float]]:
    if not path.is_file():
        raise BeirError(f"{path}: missing (qrels/test.tsv with query-id, corpus-id, score)")
    qrels: dict[str, dict[str, float]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for number, row in enumerate(csv.reader(fh, delimiter="\t"), 1):
            if not row or (number == 1 and row[0] == "query-id"):
                continue
            if len(row) != 3:
                raise BeirError(
                    f"{path}:{number}: expected 3 tab-separated columns, got {len(row)}"
                )
            try:
                grade = float(row[2])
            except ValueError:
                raise BeirError(f"{path}:{number}: score {row[2]!r} is not a number") from None
            qrels.setdefault(row[0], {})[row[1]] = grade
    return qrels


def load_beir(directory: Path, *, split: str = "test") -> BeirData:
    directory = Path(directory)
    corpus = _read_jsonl(directory / "corpus.jsonl", ("_id", "text"))
    queries = {
        str(q["_id"]): q["text"] for q in _read_jsonl(directory / "queries.jsonl", ("_id", "text"))
    }
    qrels = _read_qrels(directory / "qrels" / f"{split}.tsv")
    qrels = {q: rel for q, rel in qrels.items() if q in queries}
    if not qrels:
        raise BeirError(
            f"{directory / 'qrels' / f'{split}.tsv'}: no judged query is in queries.jsonl"
        )
    return BeirData(
        ids=[str(d["_id"]) for d in corpus],
        titles=[d.get("title") or "" for d in corpus],
        texts=[d["text"] or "" for d in corpus],
        queries={q: queries[q] for q in qrels},
        qrels=qrels,
    )


# --------------------------------------------------------------------------- vectors


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_")[:80]


def corpus_vectors(
    encoder: Encoder,
    data: BeirData,
    cache: Path | None,
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Embeddings of ``title. text`` for the corpus, read from / written to ``cache`` if given.

    The cache file name holds the model name and a hash of every document text, so a changed
    corpus or model never reuses stale vectors.
    """
    texts = [paper_text(t, x) for t, x in zip(data.titles, data.texts, strict=True)]
    digest = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:16]
    path = Path(cache) / f"{_slug(encoder.name)}.{digest}.npy" if cache else None
    if path and path.is_file():
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == (len(texts), encoder.dim):
            return vectors.astype(np.float32)
    vectors = encoder.encode(texts, batch_size=batch_size, progress=progress)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.save(fh, vectors.astype(np.float32))
        tmp.replace(path)
    return vectors


# --------------------------------------------------------------------------- runs


@dataclass
class BeirRun:
    """Rankings per mode (query id -> corpus ids, best first), their scores (query id ->
    (corpus id, score) pairs, the same order: what a TREC run file holds) and their metrics."""

    rankings: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    scored: dict[str, dict[str, list[tuple[str, float]]]] = field(default_factory=dict)
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    queries: int = 0
    documents: int = 0
    qrels: dict[str, dict[str, float]] = field(default_factory=dict)


def lexical_rankings(
    data: BeirData,
    directory: Path,
    depth: int,
    boosts: Mapping[str, float] | None = None,
    keep: list | None = None,
) -> dict[str, list[Hit]]:
    """BM25's ranking of each query; ``keep``: a list the index is appended to, for later
    scoring (the hybrid's missing-side scores)."""
    index = LexicalIndex.create(directory)
    if keep is not None:
        keep.append(index)
    if boosts:
        index.boosts.update(boosts)
    index.add_documents(
        {
            "id": i,
            "title": t,
            "abstract": x,
            "authors": [],
            "categories": [],
            "day": None,
            "upvotes": 0,
        }
        for i, t, x in zip(data.ids, data.titles, data.texts, strict=True)
    )
    index.commit()
    index.reload()
    out = {}
    for qid, text in data.queries.items():
        words = " ".join(plain_words(text))
        hits, _ = index.search(words, limit=depth, explained=False) if words else ([], 0)
        out[qid] = hits
    return out


def semantic_rankings(
    data: BeirData,
    encoder: Encoder,
    vectors: np.ndarray,
    depth: int,
    keep: dict | None = None,
) -> dict[str, list[Hit]]:
    """The nearest corpus vectors to each query; ``keep``: a dict that receives each query's
    vector (for the exact cosines of lexical-only candidates)."""
    index = VectorIndex.build(vectors, model=encoder.name, labels=data.ids)
    qids = list(data.queries)
    texts = [semantic_text(parse(data.queries[q])) or data.queries[q] for q in qids]
    qvectors = encoder.encode(texts, batch_size=64)
    if keep is not None:
        keep.update(zip(qids, qvectors, strict=True))
    return {qid: index.search(qv, depth) for qid, qv in zip(qids, qvectors, strict=True)}


def _cosines(vectors: np.ndarray, rows: Mapping[str, int], qvec: np.ndarray):
    def score(ids: list[str]) -> dict[str, float]:
        found = [i for i in ids if i in rows]
        if not found:
            return {}
        sims = vectors[[rows[i] for i in found]] @ np.asarray(qvec, dtype=np.float32)
        return dict(zip(found, map(float, sims), strict=True))

    return score


def _without_self(hits_of: dict[str, list[Hit]] | None) -> dict[str, list[Hit]] | None:
    if hits_of is None:
        return None
    return {qid: [h for h in hits if not is_self(qid, h.id)] for qid, hits in hits_of.items()}


def run_beir(
    directory: Path,
    encoder: Encoder,
    *,
    modes: Sequence[str] = MODES,
    limit_queries: int | None = None,
    cache: Path | None = None,
    fusion=None,
    boosts: Mapping[str, float] | None = None,
    progress: Callable[[int], None] | None = None,
    exclude_self: bool = False,
) -> BeirRun:
    """Index the corpus in a temporary directory, run the queries, score each mode.

    ``exclude_self``: each query's own document (the corpus document whose id is the query's)
    is dropped from the lexical and semantic candidates, so from every mode's ranking."""
    fusion = fusion or DEFAULT_FUSION
    data = load_beir(directory)
    if limit_queries:
        keep = list(data.queries)[:limit_queries]
        data.queries = {q: data.queries[q] for q in keep}
        data.qrels = {q: data.qrels[q] for q in keep}
    depth = max(fusion.depth, 100)
    run = BeirRun(queries=len(data.queries), documents=len(data.ids), qrels=data.qrels)
    lexical = semantic = None
    indexes: list[LexicalIndex] = []
    qvectors: dict[str, np.ndarray] = {}
    with tempfile.TemporaryDirectory(prefix="paperfeed-beir-") as tmp:
        if {"lexical", "hybrid"} & set(modes):
            lexical = lexical_rankings(data, Path(tmp) / "lexical", depth, boosts, indexes)
        if {"semantic", "hybrid"} & set(modes):
            vectors = corpus_vectors(
                encoder, data, cache or Path(tmp) / "vectors", progress=progress
            )
            semantic = semantic_rankings(data, encoder, vectors, depth, qvectors)
        if exclude_self:
            lexical, semantic = _without_self(lexical), _without_self(semantic)
        for mode in modes:
            if mode == "lexical":
                hits_of = lexical
            elif mode == "semantic":
                hits_of = semantic
            elif mode == "hybrid":
                rows = {doc: row for row, doc in enumerate(data.ids)}
                hits_of = {
                    q: _hybrid(
                        data.queries[q],
                        lexical[q],
                        semantic[q],
                        fusion,
                        indexes[0],
                        _cosines(vectors, rows, qvectors[q]),
                    )
                    for q in data.queries
                }
            else:
                raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
            run.scored[mode] = {q: [(h.id, h.score) for h in hits] for q, hits in hits_of.items()}
            ranked = {q: [h.id for h in hits] for q, hits in hits_of.items()}
            run.rankings[mode] = ranked
            run.metrics[mode] = mean_metrics(ranked, data.qrels)
    return run


def _hybrid(text, lexical_hits, semantic_hits, fusion, index: LexicalIndex, cosines) -> list[Hit]:
    """The app's fusion of one query's two lists: its kind picks the weight, and the missing
    side's scores come from the same BM25 (as plain words) and the exact cosines."""
    words = parse(" ".join(plain_words(text)))
    kind = classify(parse(text), index.name_words(words.words))
    return fuse(
        lexical_hits,
        semantic_hits,
        fusion,
        kind=kind,
        lexical_scores=lambda ids: index.scores_of(words, ids),
        semantic_scores=cosines,
    )
