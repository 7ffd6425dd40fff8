"""Native paper endpoints: one paper, and the papers nearest to it in meaning ("more like
this", :mod:`paperfeed.search.more_like`: the paper left out, by relevance or recency, paged;
``/api/v1/similar?text=`` is its twin for a pasted text, :mod:`paperfeed.api.similar`)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from paperfeed import params
from paperfeed.api.auth import optional_user
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, PaperOut, SimilarOut
from paperfeed.api.shapes import paper_out
from paperfeed.papers import lists
from paperfeed.search import more_like, papers_for
from paperfeed.search.vector_filters import Filters

router = Router(tags=["Papers"])
SIMILAR_DEFAULT = 10
SIMILAR_MAX = 50
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def visible_paper(paper_id: str, user):
    """The decorated paper for a path id, or 404 naming it (400 for a malformed id)."""
    arxiv_id = params.parse_paper_id("id", paper_id)
    found = lists.hydrate([arxiv_id], user)
    if not found:
        raise NotFound(f"no paper {arxiv_id!r} in this paperfeed")
    return found[0]


def similar_filters(category: list[str] | None, since: str | None, until: str | None) -> Filters:
    """The filters of a similar-papers request: ``category`` (repeated or comma-separated),
    ``since``/``until`` as YYYY-MM-DD (listing day)."""
    start = params.parse_day("since", since) if since else None
    end = params.parse_day("until", until) if until else None
    if start and end and start > end:
        raise params.BadParameter("until", f"{end} is before since={start}")
    categories = [
        params.check_category_name("category", c.strip())
        for value in (category or [])
        for c in value.split(",")
        if c.strip()
    ]
    return Filters(categories=tuple(categories), since=start, until=end)


def similar_page(result, user, *, sort: str, limit: int, offset: int) -> dict:
    """The shared body of both similar-papers endpoints (without ``id`` / ``text``)."""
    return {
        "sort": sort,
        "total": result.total,
        "limit": limit,
        "offset": offset,
        "has_next": offset + len(result.hits) < result.total,
        "items": [
            {"paper": paper_out(p, anonymous=user is None), "similarity": p.hit.similarity}
            for p in papers_for(result, user)
        ],
    }


@router.get(
    "/papers/{path:paper_id}/similar",
    response={200: SimilarOut, **ERRORS},
    summary="Papers similar in meaning",
)
def similar_papers(
    request: HttpRequest,
    paper_id: str,
    limit: int = SIMILAR_DEFAULT,
    offset: int = 0,
    sort: str = "relevance",
    category: Query[list[str]] = None,
    since: str | None = None,
    until: str | None = None,
):
    """More like this: the papers nearest by embedding, the paper itself left out (empty when
    it has no vector yet and no model can embed it). ``sort=relevance`` (default): closest
    first; ``sort=recency``: newest first among the 50 closest with cosine >= 0.5. Pages are
    slices of the 100 closest (``has_next``, ``total``)."""
    user = optional_user(request)
    paper = visible_paper(paper_id, user)
    limit = params.check_range("limit", limit, 1, SIMILAR_MAX)
    offset = params.check_range("offset", offset, 0, more_like.DEPTH)
    sort = params.check_choice("sort", sort, more_like.SORTS)
    filters = similar_filters(category, since, until)
    result = more_like.like_paper(
        paper.arxiv_id, sort=sort, limit=limit, offset=offset, filters=filters
    )
    return {
        "id": paper.arxiv_id,
        **similar_page(result, user, sort=sort, limit=limit, offset=offset),
    }


@router.get("/papers/{path:paper_id}", response={200: PaperOut, **ERRORS}, summary="One paper")
def get_paper(request: HttpRequest, paper_id: str):
    """A paper by arXiv id, new (``2503.01234``) or old style (``cs/9809007``)."""
    user = optional_user(request)
    return paper_out(visible_paper(paper_id, user), anonymous=user is None)
