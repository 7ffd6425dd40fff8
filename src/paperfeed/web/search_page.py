"""The search page: /search?q=&mode=&category=&since=&until=&sort=&page= (shareable URLs).

Results come from :func:`paperfeed.search.search`, their papers from
:func:`paperfeed.search.papers_for`. The hits' snippets are HTML that the search layer built by
escaping every piece of text and adding only ``<mark>`` (see
:func:`paperfeed.search.snippets.highlight`), so they are marked safe here and nothing else is.

The count tells the truth: exact in lexical mode, "about N" otherwise (:func:`count_text`); a
search that finds nothing shows the no-results state, with a spelling correction from the corpus
vocabulary and the filters whose removal would find papers, each with its count
(:func:`paperfeed.search.suggest`); a correction is offered above results too when a query word is
in no paper.

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
from paperfeed.search import (
    MAX_LIMIT,
    MODES,
    SORTS,
    IndexMissing,
    SearchResult,
    papers_for,
    suggest,
)
from paperfeed.search import search as hybrid_search
from paperfeed.web.params import (
    BadParameter,
    bad_request,
    choice_param,
    filter_params,
    int_param,
)

PER_PAGE = 20
MAX_AUTHOR = 200
"""The longest ``author`` filter the page takes."""
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


def count_text(result: SearchResult) -> str:
    """How many papers the search found, in words that say how exact the number is.

    Lexical: ``12 results`` (tantivy counts every match). Hybrid: ``about 212 results``: the
    papers holding the words (exact) plus those found only by meaning among the ranked
    candidates. Semantic: ``the 200 papers closest in meaning`` (every paper is somewhat close;
    only the ranked candidates are counted).
    """
    total = result.total
    if result.count_is_estimate and result.term_matches is None:
        return f"the {total:,} paper{'' if total == 1 else 's'} closest in meaning"
    return results_text(total, estimate=result.count_is_estimate)


def results_text(count: int, *, estimate: bool) -> str:
    """``1 result``, ``1,234 results``, ``about 212 results``."""
    return f"{'about ' if estimate else ''}{count:,} result{'' if count == 1 else 's'}"


def count_detail(result: SearchResult) -> str:
    """For hybrid results: how the estimate is made up (``10 hold your words, 200 more found by
    meaning``: "found by", not "similar": some may be only loosely related); empty otherwise."""
    if not result.count_is_estimate or result.term_matches is None:
        return ""
    words, meaning = result.term_matches, result.total - result.term_matches
    held = (
        f"{words:,} hold{'s' if words == 1 else ''} your words" if words else "none hold your words"
    )
    return f"{held}, {meaning:,} more found by meaning"


def rare_text(held_by: dict[str, int]) -> str:
    """Why a correction is offered: ``No paper holds “atention”; “tranformer” is in only 3
    papers``."""
    none = [word for word, held in held_by.items() if not held]
    parts = ["No paper holds " + ", ".join(f"“{word}”" for word in none)] if none else []
    parts += [
        f"“{word}” is in only {held} paper{'' if held == 1 else 's'}"
        for word, held in held_by.items()
        if held
    ]
    return "; ".join(parts)


def _href(request, **changes) -> str:
    """This search's URL with ``changes`` (None: the parameter removed), back on page 1."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    return reverse("search") + "?" + params.urlencode()


def _suggestions(request, query, result, mode, categories, since, until) -> dict:
    found = suggest(
        query, result, mode=mode, categories=categories or None, since=since, until=until
    )
    spelling = None
    if found.spelling:
        fixed = found.spelling
        spelling = {
            "query": fixed.query,
            "rare": rare_text(fixed.held_by),
            "href": _href(request, q=fixed.query),
            "count": results_text(fixed.count, estimate=fixed.count_is_estimate),
        }
    drops = [
        {
            "label": r.label,
            "href": _href(request, q=r.query, **({r.param: None} if r.param else {})),
            "count": results_text(r.count, estimate=r.count_is_estimate),
            "empty": r.count == 0,
        }
        for r in found.relaxations
    ]
    return {"spelling": spelling, "drops": drops}


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
        categories, since, until = filter_params(request)
        author = request.GET.get("author", "").strip()
        if len(author) > MAX_AUTHOR:
            raise BadParameter("author", f"at most {MAX_AUTHOR} characters")
    except BadParameter as exc:
        return bad_request(request, str(exc))
    if choice.offered:
        context["sorts"].append((rerank.FOR_YOU, choice.ranking.label))
    context.update(mode=mode, sort=sort, since=since, until=until, category=" ".join(categories))
    context["author"] = author
    context.update(for_you=choice)
    if query:
        args = {"mode": mode, "categories": categories or None, "since": since, "until": until}
        args["author"] = author or None
        offset, why = (page - 1) * PER_PAGE, {}
        try:
            if sort == rerank.FOR_YOU:
                mine = rerank.search_for_you(
                    request.user, query, limit=PER_PAGE, offset=offset, **args
                )
                result, reachable, why = mine.result, mine.reachable, mine.why
            else:
                result = hybrid_search(
                    query, limit=PER_PAGE, offset=offset, sort=sort, facets=True, **args
                )
                reachable = result.reachable
        except IndexMissing as exc:
            context["error"] = f"Search is not ready: {exc}"
            return render(request, "web/search.html", context, status=503)
        papers = papers_for(result, request.user)
        for paper in papers:
            if paper.arxiv_id in why:
                paper.for_you_why = why[paper.arxiv_id]
        papers = filters.hide_muted(request, papers, context)
        _mark_snippets(papers)
        total = result.total
        context.update(_suggestions(request, query, result, mode, categories, since, until))
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
            count_text=count_text(result),
            count_detail=count_detail(result),
            term_matches=result.term_matches,
            ran_mode=result.mode,
            author_facet=result.authors,
            similar_authors=result.similar_authors,
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
