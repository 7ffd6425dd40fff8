"""More like this: the papers nearest in meaning to one paper, or to a pasted text (an abstract).

Query by example ranks papers by the cosine between their embedding and the example's:
the paper's stored vector (its own text embedded when it has none yet), or the pasted text's
vector (the model reads the first 256 word pieces, about 1,000–1,300 characters of English, so
:data:`MAX_TEXT` characters cover any arXiv abstract, which arXiv caps at 1,920). The embedding
alone, not fused with BM25 over the example's words, decided by measurement
(docs/benchmarks.md, "Query by example"): on SciFact's query-by-example set (58 abstracts as
queries, benchmarks/bench_query_by_example.py) fusing BM25 in (search's default fusion) scores
nDCG@10 0.641 against 0.615 for the embedding alone, a difference within noise (21 queries
better, 18 worse, 19 equal; sign test p = 0.75), while BM25 over a whole abstract made a paper's
list about 7x slower on the 74,728 papers of 2025–26 (median 174–206 ms against 27 ms).

What is left out: the example itself — the paper (arXiv ids carry no version, so its other
versions are the same paper), or for a pasted text any of the nearest :data:`SELF_CHECK` papers
whose title and abstract the text reproduces (:func:`same_text`: pasting a stored paper's
abstract finds the papers like it, not that paper).

Each example ranks a fixed pool, the :data:`DEPTH` nearest papers that pass the filters, whatever
page is asked for, so pages never reshuffle (as hybrid search's fixed depth). Two orders
(:data:`SORTS`):

- ``relevance``: the pool by cosine, highest first;
- ``recency``: among the :data:`RECENCY_POOL` most similar, those with cosine at least
  :data:`RECENCY_FLOOR`, newest first (listing day, else v1's date; ties by cosine) — "what is
  new among the papers most like this one", never a barely related paper because it is new.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from paperfeed.papers.models import Paper
from paperfeed.params import BadParameter
from paperfeed.search import vector_index
from paperfeed.search.encoders import paper_text
from paperfeed.search.hits import Hit, SearchResult
from paperfeed.search.vector_filters import Filters

SORTS = ("relevance", "recency")
DEPTH = 100
"""Papers ranked per example: every page of its relevance order is a slice of these."""
RECENCY_POOL = 50
"""The most similar papers the recency order picks from."""
RECENCY_FLOOR = 0.5
"""Least cosine for a paper in the recency order. Among 300 random papers of the 74,728 of
2025-26 (all-MiniLM-L6-v2), the 50th nearest neighbour's cosine is 0.64 at the median and 0.54 at
the 10th percentile: the floor only removes weak neighbours of isolated papers."""
MAX_TEXT = 2_000
"""Longest pasted text, in characters (it travels in a GET query string)."""
MIN_WORDS = 3
"""Fewest words a pasted text must have: fewer is a search query, not an example."""
SELF_CHECK = 5
"""Nearest papers checked for being the pasted text's own paper."""


def check_text(name: str, text: str) -> str:
    """The pasted example, stripped; :class:`BadParameter` naming ``name`` when it is empty,
    has fewer than :data:`MIN_WORDS` words or more than :data:`MAX_TEXT` characters."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise BadParameter(
            name,
            f"{len(text):,} characters is longer than the {MAX_TEXT:,} an example may have "
            "(paste the abstract, not the paper)",
        )
    if len(_words(text)) < MIN_WORDS:
        raise BadParameter(
            name, f"paste an abstract or a few sentences (at least {MIN_WORDS} words)"
        )
    return text


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def same_text(text: str, title: str, abstract: str) -> bool:
    """Whether ``text`` reproduces the paper: its words (case, punctuation and white space
    aside) are the abstract's, the title's and abstract's, or a run of at least 30 words of
    them. ``text`` is assumed checked (:func:`check_text`).

    >>> same_text("Attention is all you need. The dominant models...", "Attention Is All You Need",
    ...           "The dominant  models ...")
    True
    """
    pasted = " ".join(_words(text))
    whole = " ".join(_words(f"{title} {abstract}"))
    if not pasted:
        return False
    if pasted in (whole, " ".join(_words(abstract))):
        return True
    return len(pasted.split()) >= 30 and pasted in whole


def by_recency(
    hits: list[Hit], days: dict[str, dt.date | None], *, pool=RECENCY_POOL, floor=RECENCY_FLOOR
) -> list[Hit]:
    """The recency order: of the first ``pool`` hits (best first), those with similarity at least
    ``floor``, newest first by ``days`` (no date: last), equal days by similarity then id."""
    kept = [h for h in hits[:pool] if (h.similarity or 0.0) >= floor]
    return sorted(
        kept,
        key=lambda h: (-(days.get(h.id) or dt.date.min).toordinal(), -(h.similarity or 0.0), h.id),
    )


def _days(ids: Iterable[str]) -> dict[str, dt.date | None]:
    rows = Paper.objects.filter(arxiv_id__in=list(ids)).values_list(
        "arxiv_id", "listed", "published"
    )
    return {pid: listed or published for pid, listed, published in rows}


def _page(pool: list[Hit], sort: str, limit: int, offset: int) -> SearchResult:
    if sort == "recency":
        pool = by_recency(pool, _days(h.id for h in pool[:RECENCY_POOL]))
    return SearchResult(pool[offset : offset + limit], len(pool), "semantic")


def _check(sort: str, limit: int, offset: int) -> None:
    if sort not in SORTS:
        raise BadParameter("sort", f"expected one of {', '.join(SORTS)}, got {sort!r}")
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0, got {limit} and {offset}")


def _vector_of(paper_id: str):
    vector = vector_index.stored_vector(paper_id)
    if vector is not None:
        return vector
    from paperfeed.search.hybrid import embed_query  # loads the model: only when needed

    row = Paper.objects.filter(arxiv_id=paper_id).values_list("title", "abstract").first()
    return embed_query(paper_text(*row)) if row else None


def like_paper(
    paper_id: str,
    *,
    sort: str = "relevance",
    limit: int = 10,
    offset: int = 0,
    filters: Filters | None = None,
) -> SearchResult:
    """Papers most like ``paper_id`` (itself left out), one page in the ``sort`` order; empty
    when there is no vector index, or the paper has no vector and the model is unavailable."""
    _check(sort, limit, offset)
    if vector_index.current_index() is None:
        return SearchResult([], 0, "semantic")
    vector = _vector_of(paper_id)
    if vector is None:
        return SearchResult([], 0, "semantic")
    pool = vector_index.search_vectors(vector, DEPTH, filters=filters, exclude={paper_id})
    return _page(pool, sort, limit, offset)


def like_text(
    text: str,
    *,
    sort: str = "relevance",
    limit: int = 10,
    offset: int = 0,
    filters: Filters | None = None,
) -> SearchResult:
    """Papers most like the pasted ``text`` (checked: :func:`check_text`), its own paper left
    out (:func:`same_text`), one page in the ``sort`` order; empty without a vector index or
    model."""
    text = check_text("text", text)
    _check(sort, limit, offset)
    from paperfeed.search.hybrid import embed_query

    index = vector_index.current_index()
    vector = embed_query(text) if index is not None else None
    if vector is None:
        return SearchResult([], 0, "semantic")
    pool = vector_index.search_vectors(vector, DEPTH + SELF_CHECK, filters=filters, index=index)
    own = _own_papers(text, [h.id for h in pool[:SELF_CHECK]])
    pool = [h for h in pool if h.id not in own][:DEPTH]
    return _page(pool, sort, limit, offset)


def _own_papers(text: str, ids: list[str]) -> set[str]:
    rows = Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "title", "abstract")
    return {pid for pid, title, abstract in rows if same_text(text, title, abstract)}
