"""Native paper endpoints: one paper, and the papers nearest to it in meaning."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from paperfeed import params
from paperfeed.api.auth import optional_user
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, PaperOut, SimilarOut
from paperfeed.api.shapes import paper_out
from paperfeed.papers import lists
from paperfeed.search import papers_for, similar

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


@router.get(
    "/papers/{path:paper_id}/similar",
    response={200: SimilarOut, **ERRORS},
    summary="Papers similar in meaning",
)
def similar_papers(request: HttpRequest, paper_id: str, limit: int = SIMILAR_DEFAULT):
    """Nearest papers by embedding (empty when the paper has no vector yet)."""
    user = optional_user(request)
    paper = visible_paper(paper_id, user)
    limit = params.check_range("limit", limit, 1, SIMILAR_MAX)
    result = similar(paper.arxiv_id, limit)
    return {
        "id": paper.arxiv_id,
        "items": [
            {"paper": paper_out(p, anonymous=user is None), "similarity": p.hit.similarity}
            for p in papers_for(result, user)
        ],
    }


@router.get("/papers/{path:paper_id}", response={200: PaperOut, **ERRORS}, summary="One paper")
def get_paper(request: HttpRequest, paper_id: str):
    """A paper by arXiv id, new (``2503.01234``) or old style (``cs/9809007``)."""
    user = optional_user(request)
    return paper_out(visible_paper(paper_id, user), anonymous=user is None)
