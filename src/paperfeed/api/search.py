"""Native search: hybrid (keyword + meaning), lexical or semantic, with filters and sorts.

``sort=for_you`` (a member with a profile, else a 400 naming ``sort``) reranks the best 200
matches for the caller (:func:`paperfeed.personal.rerank.search_for_you`): ``has_next`` stops
there, and each paper carries ``why``.

``count`` is exact in lexical mode and an estimate otherwise (``count_is_estimate``; see
docs/search.md, "Counts"); ``suggestions`` holds a spelling correction from the corpus vocabulary
and, when nothing was found, the filters whose removal would find papers, with their counts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from paperfeed import params, rankings
from paperfeed.api.auth import optional_user
from paperfeed.api.schemas import ErrorOut, SearchOut
from paperfeed.api.shapes import paper_out
from paperfeed.personal import order, rerank
from paperfeed.search import MODES, papers_for, suggest
from paperfeed.search import search as hybrid_search

router = Router(tags=["Search"])
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@router.get(
    "/search",
    response={200: SearchOut, 400: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Search papers",
)
def search(
    request: HttpRequest,
    q: str = "",
    mode: str = "hybrid",
    category: Query[list[str]] = None,
    since: str | None = None,
    until: str | None = None,
    author: str | None = None,
    sort: str = "relevance",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
):
    """``q`` in the query language of the search page (words, "phrases", -not, author:,
    title:, cat:); ``category`` may repeat; ``since``/``until`` are YYYY-MM-DD (feed day)."""
    mode = params.check_choice("mode", mode, MODES)
    sort = params.check_choice("sort", sort, rankings.offered("search", personal=True))
    limit = params.check_range("limit", limit, 1, MAX_LIMIT)
    offset = params.check_range("offset", offset, 0, params.MAX_OFFSET)
    start = params.parse_day("since", since) if since else None
    end = params.parse_day("until", until) if until else None
    if start and end and start > end:
        raise params.BadParameter("until", f"{end} is before since={start}")
    categories = [c for value in (category or []) for c in value.split(",") if c.strip()]
    user = optional_user(request)
    filters = {
        "mode": mode,
        "categories": categories or None,
        "since": start,
        "until": end,
        "author": author or None,
    }
    why: dict[str, list[str]] = {}
    if sort == rerank.FOR_YOU:
        order.require(user)
        mine = rerank.search_for_you(user, q, limit=limit, offset=offset, **filters)
        result, reachable, why = mine.result, mine.reachable, mine.why
    else:
        result = hybrid_search(q, limit=limit, offset=offset, sort=sort, facets=True, **filters)
        reachable = result.reachable
    papers = papers_for(result, user)
    for paper in papers:
        if paper.arxiv_id in why:
            paper.for_you_why = why[paper.arxiv_id]
    items = [
        {
            "paper": paper_out(paper, anonymous=user is None),
            "score": paper.hit.score,
            "why": paper.hit.why,
            "terms": paper.hit.terms,
            "matched": paper.hit.matched,
            "similarity": paper.hit.similarity,
            "snippets": paper.hit.snippets,
        }
        for paper in papers
    ]
    return {
        "query": q,
        "mode": result.mode,
        "note": result.note,
        "sort": sort,
        "total": result.total,
        "count": result.total,
        "count_is_estimate": result.count_is_estimate,
        "term_matches": result.term_matches,
        "limit": limit,
        "offset": offset,
        "has_next": offset + len(result.hits) < reachable,
        "items": items,
        "authors": [{"name": name, "papers": n} for name, n in result.authors],
        "similar_authors": result.similar_authors,
        "suggestions": suggest(q, result, **filters).as_dict(),
    }
