"""The search page: /search?q=&mode=&category=&since=&until=&sort=&page= (shareable URLs).

Results come from :func:`paperfeed.search.search`, their papers from
:func:`paperfeed.search.papers_for`. The hits' snippets are HTML that the search layer built by
escaping every piece of text and adding only ``<mark>`` (see
:func:`paperfeed.search.snippets.highlight`), so they are marked safe here and nothing else is.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from paperfeed import params, rankings
from paperfeed.personal import filters
from paperfeed.search import MAX_LIMIT, MODES, SORTS, IndexMissing, papers_for
from paperfeed.search import search as hybrid_search
from paperfeed.web.params import BadParameter, bad_request, choice_param, date_param, int_param

PER_PAGE = 20
MAX_PAGE = MAX_LIMIT // PER_PAGE
SORT_LABELS = rankings.labels("search")


def _categories(request) -> list[str]:
    names = [
        c for value in request.GET.getlist("category") for c in value.replace(",", " ").split()
    ]
    return [params.check_category_name("category", name) for name in names]


def _mark_snippets(papers) -> None:
    """``paper.snippet_title`` / ``snippet_abstract``: the hit's snippets, safe to render."""
    for paper in papers:
        snippets = paper.hit.snippets
        paper.snippet_title = mark_safe(snippets["title"]) if "title" in snippets else None  # noqa: S308
        paper.snippet_abstract = (
            mark_safe(snippets["abstract"])  # noqa: S308 - escaped upstream
            if "abstract" in snippets
            else None
        )


def search(request):
    query = request.GET.get("q", "").strip()
    context = {
        "title": f"Search: {query}" if query else "Search",
        "query": query,
        "modes": MODES,
        "sorts": [(s, SORT_LABELS[s]) for s in SORTS],
    }
    try:
        mode = choice_param(request, "mode", MODES, "hybrid")
        sort = choice_param(request, "sort", SORTS, "relevance")
        page = int_param(request, "page", 1, maximum=MAX_PAGE)
        since, until = date_param(request, "since"), date_param(request, "until")
        categories = _categories(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    context.update(mode=mode, sort=sort, since=since, until=until, category=" ".join(categories))
    if query:
        try:
            result = hybrid_search(
                query,
                mode=mode,
                limit=PER_PAGE,
                offset=(page - 1) * PER_PAGE,
                categories=categories or None,
                since=since,
                until=until,
                sort=sort,
            )
        except IndexMissing as exc:
            context["error"] = f"Search is not ready: {exc}"
            return render(request, "web/search.html", context, status=503)
        papers = papers_for(result, request.user)
        if request.GET.get(filters.SHOW_MUTED) != "show":  # the user's mutes hide, visibly
            papers, muted = filters.split_muted(papers, request.user)
            context["hidden_by_mutes"] = len(muted)
        _mark_snippets(papers)
        total = result.total
        feed_query = urlencode({"q": query, "sort": "newest"})
        context.update(
            alternates=[
                {
                    "type": f"application/{kind}+xml",
                    "title": f"Search “{query}” ({kind})",
                    "href": reverse(f"feed-search-{kind}") + "?" + feed_query,
                }
                for kind in ("atom", "rss")
            ],
            papers=papers,
            total=total,
            ran_mode=result.mode,
            page=page,
            has_previous=page > 1,
            has_next=page < MAX_PAGE and page * PER_PAGE < total,
            feed_url=True,
        )
    template = (
        "web/_search_results.html"
        if request.htmx and request.htmx.target == "results"
        else "web/search.html"
    )
    return render(request, template, context)
