"""The more-like-this page: /similar?paper=ID or /similar?text=… (&sort=&category=&since=&until=&page=).

A read-only search, so a GET with a shareable URL, like /search: the pasted text travels in the
query string, at most :data:`~paperfeed.search.more_like.MAX_TEXT` characters (well within the
64 KiB request head ``paperfeed serve`` reads and nginx's default 8 KiB request line for
abstract-length English). Thin over :mod:`paperfeed.search.more_like`; the papers are hydrated
by :func:`paperfeed.search.papers_for` and the reader's mutes hide as on /search.
"""

from __future__ import annotations

from django.shortcuts import render

from paperfeed import params
from paperfeed.papers import lists
from paperfeed.personal import filters
from paperfeed.search import IndexMissing, more_like, papers_for
from paperfeed.search.vector_filters import Filters
from paperfeed.web.params import (
    BadParameter,
    bad_request,
    choice_param,
    filter_params,
    int_param,
)

PER_PAGE = 20
MAX_PAGE = more_like.DEPTH // PER_PAGE
SORT_LABELS = {"relevance": "Most similar", "recency": "Newest among the most similar"}


def similar(request):
    raw_paper = request.GET.get("paper", "").strip()
    raw_text = request.GET.get("text", "")
    context = {
        "title": "More like this",
        "text": raw_text,
        "sorts": [(s, SORT_LABELS[s]) for s in more_like.SORTS],
        "max_text": more_like.MAX_TEXT,
    }
    try:
        if raw_paper and raw_text.strip():
            raise BadParameter("paper", "give either paper or text, not both")
        sort = choice_param(request, "sort", more_like.SORTS, "relevance")
        page = int_param(request, "page", 1, maximum=MAX_PAGE)
        categories, since, until = filter_params(request)
        paper_id = params.parse_paper_id("paper", raw_paper) if raw_paper else ""
        text = more_like.check_text("text", raw_text) if raw_text.strip() else ""
    except BadParameter as exc:
        return bad_request(request, str(exc))
    context.update(sort=sort, since=since, until=until, category=" ".join(categories))
    if paper_id:
        found = lists.hydrate([paper_id], request.user)
        if not found:
            return render(
                request,
                "web/not_found.html",
                {"title": "Paper not found", "message": f"No paper {paper_id} here yet."},
                status=404,
            )
        context.update(example=found[0], title=f"More like: {found[0].title}")
    if not (paper_id or text):
        return render(request, "web/similar.html", context)
    page_args = {
        "sort": sort,
        "limit": PER_PAGE,
        "offset": (page - 1) * PER_PAGE,
        "filters": Filters(categories=tuple(categories), since=since, until=until),
    }
    try:
        if paper_id:
            result = more_like.like_paper(paper_id, **page_args)
        else:
            result = more_like.like_text(text, **page_args)
    except IndexMissing as exc:
        context["error"] = f"Search is not ready: {exc}"
        return render(request, "web/similar.html", context, status=503)
    papers = papers_for(result, request.user)
    papers = filters.hide_muted(request, papers, context)
    context.update(
        asked=True,
        papers=papers,
        total=result.total,
        page=page,
        has_previous=page > 1,
        has_next=page < MAX_PAGE and page * PER_PAGE < result.total,
    )
    return render(request, "web/similar.html", context)
