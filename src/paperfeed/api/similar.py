"""``GET /api/v1/similar?text=``: more like a pasted text (an abstract), the twin of
``/api/v1/papers/{id}/similar``. A GET, as the page: the text travels in the query string, at
most 2,000 characters (:data:`paperfeed.search.more_like.MAX_TEXT`); a longer or near-empty one
is a 400 naming ``text``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from paperfeed import params
from paperfeed.api.auth import optional_user
from paperfeed.api.papers import ERRORS, SIMILAR_DEFAULT, SIMILAR_MAX, similar_filters, similar_page
from paperfeed.api.schemas import SimilarTextOut
from paperfeed.search import more_like

router = Router(tags=["Papers"])


@router.get("/similar", response={200: SimilarTextOut, **ERRORS}, summary="Papers like a text")
def similar_to_text(
    request: HttpRequest,
    text: str = "",
    limit: int = SIMILAR_DEFAULT,
    offset: int = 0,
    sort: str = "relevance",
    category: Query[list[str]] = None,
    since: str | None = None,
    until: str | None = None,
):
    """More like a pasted abstract: the papers nearest to its embedding, the stored paper whose
    title and abstract it reproduces left out. ``sort``, ``category``, ``since``, ``until``,
    ``limit`` and ``offset`` as ``/papers/{id}/similar``."""
    user = optional_user(request)
    text = more_like.check_text("text", text)
    limit = params.check_range("limit", limit, 1, SIMILAR_MAX)
    offset = params.check_range("offset", offset, 0, more_like.DEPTH)
    sort = params.check_choice("sort", sort, more_like.SORTS)
    filters = similar_filters(category, since, until)
    result = more_like.like_text(text, sort=sort, limit=limit, offset=offset, filters=filters)
    return {"text": text, **similar_page(result, user, sort=sort, limit=limit, offset=offset)}
