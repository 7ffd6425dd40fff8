"""Export pages: one paper (``/papers/{id}.bib``, ``.ris``, ``.csl.json``, ``.md``) and the
results of a search (``/search/export?q=...&format=bibtex``), written by
:mod:`paperfeed.library.exports`.

A paper's Markdown is shown in the browser (``inline``, like Hugging Face's ``read_paper``, for
people and language models); the reference-manager formats download as files.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header

from paperfeed.library import exports
from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.search import MODES, SORTS, IndexMissing
from paperfeed.web.paper import not_found
from paperfeed.web.params import (
    BadParameter,
    bad_request,
    categories_param,
    choice_param,
    date_param,
)

BY_EXTENSION = {f.extension: f for f in exports.FORMATS.values()}


def response(text: str, fmt: exports.Format, stem: str) -> HttpResponse:
    """``text`` served as ``fmt``, with the file name ``{stem}.{extension}``."""
    reply = HttpResponse(text, content_type=fmt.content_type)
    reply["Content-Disposition"] = content_disposition_header(
        fmt.name != "markdown", f"{stem}.{fmt.extension}"
    )
    return reply


def paper(request, arxiv_id: str, extension: str):
    try:
        paper_id = parse_arxiv_id(arxiv_id).id
    except InvalidArxivId:
        return not_found(request, f"{arxiv_id[:60]!r} is not an arXiv id.")
    entries = exports.load_entries([paper_id])
    if not entries:
        return not_found(request, f"No paper {paper_id} here yet.")
    fmt = BY_EXTENSION[extension]
    return response(exports.export(entries, fmt.name), fmt, paper_id.replace("/", "_"))


def search(request):
    """The best results of a search page's query, same parameters, in ``format``."""
    query = request.GET.get("q", "").strip()
    try:
        fmt = exports.FORMATS[choice_param(request, "format", exports.FORMATS, "bibtex")]
        args = {
            "mode": choice_param(request, "mode", MODES, "hybrid"),
            "sort": choice_param(request, "sort", SORTS, "relevance"),
            "since": date_param(request, "since"),
            "until": date_param(request, "until"),
            "categories": categories_param(request),
        }
        if not query:
            raise BadParameter("q", "give the query whose results to export")
    except BadParameter as exc:
        return bad_request(request, str(exc))
    try:
        entries = exports.search_entries(query, **args)
    except IndexMissing as exc:
        message = f"Search is not ready: {exc}"
        return render(
            request, "web/error.html", {"title": "Not ready", "message": message}, status=503
        )
    return response(exports.export(entries, fmt.name), fmt, "paperfeed-search")


def search_links(query: str, *, mode: str, sort: str, since, until, categories) -> list[dict]:
    """The search page's export links: its query and filters, one link per format (a personal
    order is not exported: its results come in relevance order)."""
    args = {"q": query, "mode": mode, "sort": sort if sort in SORTS else "relevance"}
    args |= {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}
    if categories:
        args["category"] = " ".join(categories)
    base = reverse("search-export")
    return [
        {"label": f.label, "href": f"{base}?{urlencode({**args, 'format': f.name})}"}
        for f in exports.FORMATS.values()
    ]
