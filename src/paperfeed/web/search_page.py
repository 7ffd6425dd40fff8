"""The search page: /search?q=&mode=&category=&since=&until=&sort=&page= (shareable URLs).

Results come from :func:`paperfeed.search.search`, their papers from
:func:`paperfeed.search.papers_for`. The hits' snippets are HTML that the search layer built by
escaping every piece of text and adding only ``<mark>`` (see
:func:`paperfeed.search.snippets.highlight`), so they are marked safe here and nothing else is.

A signed-in member with a profile may also order the results for them (``sort=for_you``,
:func:`paperfeed.personal.rerank.search_for_you`: the best 200 matches reranked); which order a
search takes without ``?sort=`` is :func:`paperfeed.personal.order.choose`'s decision.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from paperfeed import rankings
from paperfeed.library import export_views, exports
from paperfeed.personal import filters, order, rerank
from paperfeed.search import MAX_LIMIT, MODES, SORTS, IndexMissing, papers_for
from paperfeed.search import search as hybrid_search
from paperfeed.web.params import (
    BadParameter,
    bad_request,
    categories_param,
    choice_param,
    date_param,
    int_param,
)

PER_PAGE = 20
MAX_PAGE = MAX_LIMIT // PER_PAGE
SORT_LABELS = rankings.labels("search")


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
        choice = order.choose(request.user, request.GET.get("sort", ""), "relevance", SORTS)
        sort = choice.sort
        page = int_param(request, "page", 1, maximum=MAX_PAGE)
        since, until = date_param(request, "since"), date_param(request, "until")
        categories = categories_param(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    if choice.offered:
        context["sorts"].append((rerank.FOR_YOU, choice.ranking.label))
    context.update(mode=mode, sort=sort, since=since, until=until, category=" ".join(categories))
    context.update(for_you=choice)
    if query:
        args = {"mode": mode, "categories": categories or None, "since": since, "until": until}
        offset, why = (page - 1) * PER_PAGE, {}
        try:
            if sort == rerank.FOR_YOU:
                mine = rerank.search_for_you(
                    request.user, query, limit=PER_PAGE, offset=offset, **args
                )
                result, reachable, why = mine.result, mine.reachable, mine.why
            else:
                result = hybrid_search(query, limit=PER_PAGE, offset=offset, sort=sort, **args)
                reachable = result.reachable
        except IndexMissing as exc:
            context["error"] = f"Search is not ready: {exc}"
            return render(request, "web/search.html", context, status=503)
        papers = papers_for(result, request.user)
        for paper in papers:
            if paper.arxiv_id in why:
                paper.for_you_why = why[paper.arxiv_id]
        if request.GET.get(filters.SHOW_MUTED) != "show":  # the user's mutes hide, visibly
            papers, muted = filters.split_muted(papers, request.user)
            context["hidden_by_mutes"] = len(muted)
        _mark_snippets(papers)
        total = result.total
        feed_query = urlencode({"q": query, "sort": "newest"})
        context["exports"] = export_views.search_links(
            query, mode=mode, sort=sort, since=since, until=until, categories=categories
        )
        context["export_max"] = exports.SEARCH_EXPORT_MAX
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
            mode_note=result.note,
            page=page,
            has_previous=page > 1,
            has_next=page < MAX_PAGE and page * PER_PAGE < reachable,
            feed_url=True,
        )
    template = (
        "web/_search_results.html"
        if request.htmx and request.htmx.target == "results"
        else "web/search.html"
    )
    return render(request, template, context)
