"""The one search function the CLI, the web views and the API call: lexical, semantic or hybrid.

Hybrid search takes up to ``depth`` candidates from each side — BM25 over titles, abstracts and
authors (:mod:`paperfeed.search.lexical`) and the nearest embeddings to the query
(:mod:`paperfeed.search.vector_index`) — and fuses them with :func:`fuse` (a convex combination of
z-score normalised scores, semantic weight 0.6: tuned on SciFact, see docs/search.md).  The
depth is fixed (:data:`SEARCH_DEPTH` candidates a side, whatever page is asked for), so every
page is a slice of one fused list: paging never reshuffles, repeats or skips a paper.  Filters apply to both sides: tantivy filters its own candidates; on the vector
side a selective filter (at most :data:`EXACT_SEMANTIC_MAX` papers pass, as the lexical index
counts them) restricts the candidates to those papers, scored exactly, and a broad one
over-fetches HNSW neighbours in proportion and keeps what the database says passes.  Each
hit's ``why`` says whether it matched on terms (the lexical reasons), on meaning ("similar in
meaning"), or both.

When one side cannot answer (no vector index yet, no model files, no lexical index) the other
answers alone and :attr:`SearchResult.mode` says which mode really ran.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace

import numpy as np

from paperfeed.ops.metrics import observe_search
from paperfeed.papers.models import Paper
from paperfeed.search import cross_encoder, fusion, lexical, vector_index
from paperfeed.search.authors import FACET_DEPTH, author_facet
from paperfeed.search.embedding_job import current_model
from paperfeed.search.encoders import EncoderError
from paperfeed.search.hits import SEMANTIC_FLOOR, SIMILAR_IN_MEANING, Hit, SearchResult
from paperfeed.search.lexical import MAX_LIMIT, IndexMissing, check_sort_and_page
from paperfeed.search.meaning_side import start as start_meaning_side
from paperfeed.search.query import ParsedQuery, classify, parse
from paperfeed.search.query_encoder import load_query_encoder
from paperfeed.search.vector_filters import ids_with_code

log = logging.getLogger(__name__)

MODES = ("hybrid", "lexical", "semantic")
# SEMANTIC_FLOOR (hits.py): the minimum cosine for a meaning-only candidate to be listed when
# sorting by date or upvotes, and for a hit that matched on terms to say "similar in meaning" too.


@dataclass(frozen=True)
class FusionConfig:
    """How the two rankings are fused.

    ``method``: ``convex`` (normalised scores, :func:`fusion.convex`), ``rrf`` or ``wrrf``;
    ``weight``: the semantic side's weight (lexical gets ``1 - weight``); ``depth``: candidates
    taken from each side.
    """

    method: str = "convex"
    weight: float = 0.5
    depth: int = 100
    normalise: str = "minmax"
    rrf_k: int = fusion.RRF_K
    kind_weights: tuple[tuple[str, float], ...] | None = None
    """The semantic weight per query kind (:func:`query.classify`); None: ``weight`` for all."""
    fill: bool = False
    """Convex fusion only: give each candidate its real score on the side that did not return
    it (the exact cosine of a lexical-only paper, the BM25 of a meaning-only one, 0 when it
    matches no term) instead of that side's lowest normalised score."""

    def weight_for(self, kind: str | None) -> float:
        if self.kind_weights is None or kind is None:
            return self.weight
        return dict(self.kind_weights).get(kind, self.weight)


SEARCH_DEPTH = 200
"""Candidates taken from each side of a semantic or hybrid search, whatever ``limit`` and
``offset`` ask for.  A fixed depth keeps the order of the results independent of the page: a
depth that grew with ``offset + limit`` changed the z-score normalisation (and the HNSW search),
so the top 10 for ``limit=20`` and ``limit=500`` differed and pages repeated and skipped papers.
Pages past the fused list (at most ``2 * SEARCH_DEPTH`` papers, the union of the two sides) are
empty and :attr:`SearchResult.reachable` says how far paging goes (docs/search.md, "Paging").
200, the depth the fusion was tuned at on SciFact (docs/search.md) and the one the latency goal
was measured with: on 5,000 papers a search took 4.5 / 9.2 / 17.3 ms median (p90 4.9 / 13.2 / 87)
at depths 200 / 500 / 1,000, so a deeper fixed depth would double every search's cost to reach
pages few people open."""

KIND_WEIGHTS = (
    ("author", 0.3),
    ("phrase", 0.3),
    ("identifier", 0.4),
    ("keywords", 0.5),
    ("description", 0.6),
)
"""The semantic weight by query kind (docs/search.md, "Adaptive fusion")."""

DEFAULT_FUSION = FusionConfig(
    method="convex",
    weight=0.6,
    depth=SEARCH_DEPTH,
    normalise="zscore",
    kind_weights=KIND_WEIGHTS,
    fill=True,
)
"""Method, weights and normalisation chosen on SciFact and the known-item set (docs/search.md)."""


def _merge(lexical_hit: Hit | None, semantic_hit: Hit | None, score: float) -> Hit:
    """A copy of the hit with the fused ``score`` (both sides' hits are left as they were)."""
    base = lexical_hit or semantic_hit
    merged = Hit(  # not copy.copy or dataclasses.replace: 300 a search, each several times slower
        base.id, score, base.why, base.terms, base.similarity, base.snippets, base.matched
    )
    if lexical_hit and semantic_hit:
        if (semantic_hit.similarity or 0.0) >= SEMANTIC_FLOOR:  # else matched on terms alone
            merged.why = [*lexical_hit.why, *semantic_hit.why]
        merged.similarity = semantic_hit.similarity
    return merged


Scores = Callable[[list[str]], dict[str, float]]


def fuse(
    lexical_hits: list[Hit],
    semantic_hits: list[Hit],
    config: FusionConfig = DEFAULT_FUSION,
    *,
    kind: str | None = None,
    lexical_scores: Scores | None = None,
    semantic_scores: Scores | None = None,
) -> list[Hit]:
    """One ranking from the two candidate lists (each best first), hits merged by id.

    ``kind``: the query's kind (:func:`query.classify`), which picks the semantic weight when
    ``config.kind_weights`` is set.  With ``config.fill``, ``semantic_scores(ids)`` gives the
    cosines of the lexical-only candidates and ``lexical_scores(ids)`` the BM25 of the
    meaning-only ones (a paper it leaves out matches no term: 0), so both sides score every
    candidate before they are normalised; a candidate still without a score (no vector) takes
    that side's lowest, as in :func:`fusion.convex`.
    """
    lex = {h.id: h for h in lexical_hits[: config.depth]}
    sem = {h.id: h for h in semantic_hits[: config.depth]}
    weight = config.weight_for(kind)
    if config.method == "convex":
        lex_scores = {i: h.score for i, h in lex.items()}
        sem_scores = {i: h.score for i, h in sem.items()}
        if config.fill and lex and sem:
            if semantic_scores is not None:
                sem_scores.update(semantic_scores([i for i in lex if i not in sem]))
            if lexical_scores is not None:
                meaning_only = [i for i in sem if i not in lex]
                found = lexical_scores(meaning_only)
                lex_scores.update((i, found.get(i, 0.0)) for i in meaning_only)
        scores = fusion.convex([lex_scores, sem_scores], [1.0 - weight, weight], config.normalise)
    elif config.method in {"rrf", "wrrf"}:
        weights = [1.0, 1.0] if config.method == "rrf" else [1.0 - weight, weight]
        scores = fusion.weighted_rrf([list(lex), list(sem)], weights, config.rrf_k)
    else:
        raise ValueError(f"fusion method must be convex, rrf or wrrf, not {config.method!r}")
    return [_merge(lex.get(doc), sem.get(doc), scores[doc]) for doc in fusion.ranking(scores)]


# --------------------------------------------------------------------------- query embedding


_NEGATED = re.compile(r'(?:^|(?<=\s))-(?:"[^"]*"|\S+)|\bNOT\s+(?:"[^"]*"|\S+)')
_FIELD = re.compile(r"\b[A-Za-z]+:")
_OPERATORS = re.compile(r'\b(?:AND|OR)\b|[+"()]')


def semantic_text(parsed: ParsedQuery, names: Collection[str] = ()) -> str:
    """What the model reads: the query text without excluded words (``-x``, ``NOT x``), field
    prefixes (``title:``), operators and quotes; filters (``author:``, ``cat:``) are already
    gone from ``parsed.text``; ``names``: words that are author names (lowercase, as
    ``LexicalIndex.name_words`` finds them), left out too — a surname is not a topic.

    >>> semantic_text(parse('+kv "cache eviction" -quantization title:attention cat:cs.CL'))
    'kv cache eviction attention'
    >>> semantic_text(parse("Hinton capsule networks"), names={"hinton"})
    'capsule networks'
    """
    text = _OPERATORS.sub(" ", _FIELD.sub(" ", _NEGATED.sub(" ", parsed.text)))
    names = {n.lower() for n in names}
    return " ".join(w for w in text.split() if w.lower().strip(".,;:") not in names)


def embed_query(text: str) -> np.ndarray | None:
    """The query's vector with the configured model, None if the model is unavailable."""
    return query_vector(text)[0]


def query_vector(text: str) -> tuple[np.ndarray | None, str | None]:
    """The query's vector, or None and why semantic search is off (no exported query model).

    Encoded by :mod:`paperfeed.search.query_encoder` (ONNX Runtime, never torch), loaded once per
    process; the last :data:`QUERY_CACHE_SIZE` query vectors are kept, so paging through results
    embeds the query once.
    """
    try:
        return _embed_cached(current_model(), text), None
    except EncoderError as exc:
        if str(exc) not in _LOGGED:  # once per process and reason, not once per search
            _LOGGED.add(str(exc))
            log.warning("semantic search unavailable: %s", exc)
        return None, SEMANTIC_OFF


_LOGGED: set[str] = set()


SEMANTIC_OFF = "semantic search is off: this server has no query model yet (run `paperfeed embed`)"
"""What a search that fell back to lexical says (the log names the files and the command)."""


QUERY_CACHE_SIZE = 512


@functools.lru_cache(maxsize=QUERY_CACHE_SIZE)
def _embed_cached(model: str, text: str) -> np.ndarray:
    vector = load_query_encoder(model).encode([text], batch_size=1)[0]
    vector.setflags(write=False)
    return vector


# --------------------------------------------------------------------------- search


def _filters(parsed: ParsedQuery, categories, since, until, author) -> vector_index.Filters:
    return vector_index.Filters(
        categories=tuple(parsed.categories) + tuple(categories or ()),
        not_categories=tuple(parsed.not_categories),
        authors=tuple(parsed.authors) + ((author,) if author else ()),
        not_authors=tuple(parsed.not_authors),
        since=since,
        until=until,
        has_code=parsed.has_code,
    )


def _sort_keys(ids: list[str], sort: str) -> dict[str, tuple]:
    rows = Paper.objects.filter(arxiv_id__in=ids).values_list(
        "arxiv_id", "listed", "published", "upvotes"
    )
    if sort == "newest":
        return {pid: ((listed or published or dt.date.min),) for pid, listed, published, _ in rows}
    return {pid: (upvotes,) for pid, _, _, upvotes in rows}


def _sorted(hits: list[Hit], sort: str) -> list[Hit]:
    if sort == "relevance" or not hits:
        return hits
    keys = _sort_keys([h.id for h in hits], sort)
    kept = [h for h in hits if h.id in keys]
    kept.sort(key=lambda h: h.id)  # equal key and score: by id, whatever order came in
    return sorted(kept, key=lambda h: (keys[h.id], h.score), reverse=True)


EXACT_SEMANTIC_MAX = 4000
"""A filter that lets at most this many papers through is searched exactly on the semantic side
(their vectors scored one by one) instead of over-fetching HNSW neighbours."""


def _semantic_candidates(
    filters: vector_index.Filters,
    index: vector_index.VectorIndex,
    within: list[str] | None = None,
    fuzzy_authors: Iterable[str] = (),
) -> tuple[list[str] | None, float | None]:
    """For a filtered search: the ids the filters let through when they are few (the lexical
    index answers the filters alone; the database checks them again), and the share of papers
    that pass (sizes the HNSW over-fetch when they are many). ``(None, None)``: unfiltered, no
    lexical index to ask, or nothing to ask it: the vector index's table reads categories and
    dates itself (search/table_search.py), so only authors and ``has:code`` need the lexical
    index's answer."""
    if not filters.active:
        return None, None
    fuzzy_authors = tuple(fuzzy_authors)
    if index.table is not None and not (filters.authors or filters.has_code or fuzzy_authors):
        return None, None
    n_vectors = len(index)
    try:
        index_l = lexical.current_index()
    except IndexMissing:
        return None, None
    ids, count = index_l.filtered_ids(
        categories=filters.categories,
        not_categories=filters.not_categories,
        authors=filters.authors,
        since=filters.since,
        until=filters.until,
        within=within,
        fuzzy_authors=fuzzy_authors,
        limit=EXACT_SEMANTIC_MAX,
    )
    return ids, (count / n_vectors if count and n_vectors else None)


@observe_search  # search latency histogram by mode; never breaks the search
def search(
    query: str,
    *,
    mode: str = "hybrid",
    limit: int = 20,
    offset: int = 0,
    categories: Iterable[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    author: str | None = None,
    sort: str = "relevance",
    config: FusionConfig = DEFAULT_FUSION,
    facets: bool = False,
) -> SearchResult:
    """Papers for ``query``, best first (or newest / most upvoted first), and how many match.

    Author names (``author:``, ``author``) match exactly and initials-aware first; a name that
    matches no author at all is matched by similar names and listed in
    :attr:`SearchResult.similar_authors`.  ``facets``: also count the most frequent authors
    of the best results (:attr:`SearchResult.authors`).  Raises ``ValueError`` for a bad mode,
    sort, limit or offset, and :class:`IndexMissing` only when neither index exists; any query
    text (empty, junk, huge, any script) is answered.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    check_sort_and_page(sort, limit, offset)
    limit = min(limit, MAX_LIMIT)
    categories = list(categories) if categories is not None else None
    parsed = parse(query)
    if parsed.is_empty:
        return SearchResult([], 0, mode)
    within = ids_with_code() if parsed.has_code else None  # has:code, which the index lacks
    try:
        index_l = lexical.current_index()
    except IndexMissing:
        index_l = None
    names = [*parsed.authors, *([author] if author else [])]
    fuzzy = index_l.fuzzy_authors(names) if index_l is not None and names else []
    filter_args = {
        "categories": categories,
        "since": since,
        "until": until,
        "author": author,
        "within": within,
        "fuzzy_authors": fuzzy,
    }
    if mode == "lexical" or not parsed.has_text:
        return _lexical(parsed, limit, offset, sort, filter_args, facets)
    wanted = offset + limit
    depth = config.depth  # never the page's: see SEARCH_DEPTH
    index = vector_index.current_index()
    if index is not None and index.model != current_model():
        log.warning(
            "the vector index holds %r vectors, the model is %r: run paperfeed embed",
            index.model,
            current_model(),
        )
        index = None
    name_words = index_l.name_words(parsed.words) if index_l is not None else []
    meaning = semantic_text(parsed, name_words)  # empty when the query only excludes or filters
    filters = _filters(parsed, categories, since, until, author)
    both = mode == "hybrid" and index_l is not None and index is not None and bool(meaning)
    unfiltered = index is not None and index.table is not None and not filters.active
    meaning_side = start_meaning_side(
        query_vector,
        meaning if index is not None else "",
        background=both,
        nearest=(index, depth) if both and unfiltered else None,
    )
    lexical_hits, lexical_total, explained = [], 0, {}
    if both:
        # Meanwhile: the candidates, ids and scores only (explaining 200 hits cost more than
        # the search itself), and the reasons of those likeliest to be on the page.
        lexical_hits, lexical_total = index_l.search(
            parsed, limit=depth, explained=False, **filter_args
        )
        if offset == 0:
            likely = index_l.explain_candidates(lexical_hits[:limit], parsed, author=author)
            explained = {h.id: h for h in likely}
    qvec, why_not, semantic_hits = meaning_side.result()
    if qvec is None:
        result = _lexical(parsed, limit, offset, sort, filter_args, facets)
        return replace(result, note=why_not) if why_not else result
    if semantic_hits is None:
        candidates, selectivity = _semantic_candidates(filters, index, within, fuzzy)
        semantic_hits = vector_index.search_vectors(
            qvec,
            depth,
            filters=filters,
            index=index,
            candidates=candidates,
            selectivity=selectivity,
        )
    if mode == "semantic" or index_l is None:
        hits = _reranked(parsed, _sorted(semantic_hits, sort), sort)
        result = SearchResult(hits[offset:wanted], len(hits), "semantic", similar_authors=fuzzy)
        return _with_facet(result, hits, facets)
    kind = classify(parsed, name_words)
    fused = fuse(
        lexical_hits,
        semantic_hits,
        config,
        kind=kind,
        lexical_scores=lambda ids: index_l.scores_of(parsed, ids, **filter_args),
        semantic_scores=lambda ids: vector_index.cosines_of(qvec, ids, index),
    )
    lexical_ids = {h.id for h in lexical_hits}
    if sort != "relevance":
        fused = [h for h in fused if h.id in lexical_ids or (h.similarity or 0.0) >= SEMANTIC_FLOOR]
    meaning_only = sum(1 for h in fused if h.id not in lexical_ids)
    ordered = _reranked(parsed, _sorted(fused, sort), sort)
    page = _explain_page(ordered[offset:wanted], lexical_hits, index_l, parsed, author, explained)
    result = SearchResult(
        page,
        lexical_total + meaning_only,
        "hybrid",
        reachable=len(ordered),
        similar_authors=fuzzy,
        kind=kind,
        term_matches=lexical_total,
    )
    return _with_facet(result, ordered, facets)


def _reranked(parsed: ParsedQuery, ranked: list[Hit], sort: str) -> list[Hit]:
    """The best results re-ranked by the optional cross-encoder (relevance order only)."""
    if sort != "relevance":
        return ranked
    return cross_encoder.rerank(semantic_text(parsed), ranked)


def _with_facet(result: SearchResult, ranked: list[Hit], facets: bool) -> SearchResult:
    if facets:
        result.authors = author_facet([h.id for h in ranked])
    return result


def _explain_page(
    page: list[Hit],
    lexical_hits: list[Hit],
    index_l,
    parsed: ParsedQuery,
    author: str | None,
    explained: dict[str, Hit],
) -> list[Hit]:
    """The page's hits with the reasons, terms and snippets of a snippet-ful lexical search.

    Only the page's lexical hits are explained, from the documents the candidate search found
    (:meth:`~paperfeed.search.lexical.LexicalIndex.explain_candidates`: no second search), those
    in ``explained`` already; a hit found by meaning alone keeps its "similar in meaning"."""
    candidates = {h.id: h for h in lexical_hits}
    wanted = [candidates[h.id] for h in page if h.id in candidates and h.id not in explained]
    by_id = {  # lexical candidates only: a hit found by meaning alone has no entry
        **explained,
        **{h.id: h for h in index_l.explain_candidates(wanted, parsed, author=author)},
    }
    out = []
    for hit in page:
        full = by_id.get(hit.id)
        if full is None:
            out.append(hit)
            continue
        semantic_why = [w for w in hit.why if w == SIMILAR_IN_MEANING]
        out.append(
            replace(
                hit,
                why=[*full.why, *semantic_why],
                terms=list(full.terms),
                snippets=dict(full.snippets),
                matched=dict(full.matched),
            )
        )
    return out


def _lexical(parsed, limit, offset, sort, filter_args, facets) -> SearchResult:
    result = lexical.search_papers(parsed, limit=limit, offset=offset, sort=sort, **filter_args)
    result.similar_authors = list(filter_args["fuzzy_authors"])
    if facets:
        if offset == 0 and limit >= FACET_DEPTH:
            ranked = result.hits
        else:
            ranked = lexical.search_papers(
                parsed, limit=FACET_DEPTH, sort=sort, snippets=False, **filter_args
            ).hits
        result.authors = author_facet([h.id for h in ranked])
    return result
