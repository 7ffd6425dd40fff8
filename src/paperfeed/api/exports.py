"""Exports: a paper, or a search's best results, as BibTeX, RIS, CSL-JSON or Markdown.

The answers are the files themselves (:mod:`paperfeed.library.exports` writes them), with the
format's content type and a file name, not JSON; errors are the API's JSON shape."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from paperfeed import params
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut
from paperfeed.library import exports
from paperfeed.library.export_views import response
from paperfeed.search import MODES, SORTS

router = Router(tags=["Exports"])


def file_answer(what: str) -> dict:
    """The OpenAPI description of a 200 answer that is a file in one of the formats."""
    return {
        "responses": {
            200: {
                "description": f"{what}, in the format asked for",
                "content": {
                    f.content_type.split(";")[0]: {"schema": {"type": "string"}}
                    for f in exports.FORMATS.values()
                },
            }
        }
    }


def export_format(fmt: str) -> exports.Format:
    return exports.FORMATS[params.check_choice("format", fmt, exports.FORMATS)]


@router.get(
    "/papers/{path:paper_id}/export",
    response={400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Export a paper",
    openapi_extra=file_answer("The paper"),
)
def export_paper(request: HttpRequest, paper_id: str, format: str = "bibtex"):  # noqa: A002
    """A paper (``2503.01234``, ``hep-th/9901001``) as ``format``: bibtex, ris, csl-json or
    markdown."""
    fmt = export_format(format)
    arxiv_id = params.parse_paper_id("id", paper_id)
    entries = exports.load_entries([arxiv_id])
    if not entries:
        raise NotFound(f"no paper {arxiv_id!r} in this paperfeed")
    return response(exports.export(entries, fmt.name), fmt, arxiv_id.replace("/", "_"))


@router.get(
    "/search/export",
    response={400: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Export search results",
    openapi_extra=file_answer("The best results"),
)
def export_search(
    request: HttpRequest,
    q: str,
    format: str = "bibtex",  # noqa: A002
    mode: str = "hybrid",
    category: Query[list[str]] = None,
    since: str | None = None,
    until: str | None = None,
    author: str | None = None,
    sort: str = "relevance",
    limit: int = exports.SEARCH_EXPORT_MAX,
):
    """The best ``limit`` (at most 200) results of ``/api/v1/search`` with the same
    parameters, as ``format`` (bibtex, ris, csl-json, markdown)."""
    fmt = export_format(format)
    if not q.strip():
        raise params.BadParameter("q", "give the query whose results to export")
    start = params.parse_day("since", since) if since else None
    end = params.parse_day("until", until) if until else None
    entries = exports.search_entries(
        q,
        mode=params.check_choice("mode", mode, MODES),
        sort=params.check_choice("sort", sort, SORTS),
        categories=[c for value in (category or []) for c in value.split(",") if c.strip()],
        since=start,
        until=end,
        author=author,
        limit=params.check_range("limit", limit, 1, exports.SEARCH_EXPORT_MAX),
    )
    return response(exports.export(entries, fmt.name), fmt, "paperfeed-search")
