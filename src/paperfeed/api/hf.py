"""Hugging Face-compatible endpoints: HF's paths, parameter names and response shapes.

``huggingface_hub.HfApi(endpoint=<paperfeed URL>)`` can call ``list_daily_papers``,
``paper_info`` and ``list_papers`` unchanged, signals included (``PaperInfo.github_repo``,
``.ai_summary``...; see :mod:`paperfeed.api.shapes` for where they sit).  The lists come from
:mod:`paperfeed.papers.lists` and the search from :func:`paperfeed.search.search`; this
module only maps HF's parameters onto them and the results onto HF's shapes.  docs/api.md has
the field-by-field mapping.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field as QField
from ninja import Query, Router, Schema

from paperfeed import params, rankings
from paperfeed.api.auth import optional_user
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, HfDailyEntry, HfPaper
from paperfeed.api.shapes import hf_entry, hf_paper
from paperfeed.papers import days, lists
from paperfeed.search import papers_for
from paperfeed.search import search as hybrid_search

router = Router(tags=["Hugging Face-compatible"])

HF_SORTS = {"publishedAt": "newest", "trending": "trending", "upvotes": "upvotes"}
"""HF's ``sort`` values (plus paperfeed's ``upvotes``) -> rankings offered on the API."""
rankings.require(HF_SORTS.values(), surface="api")
DAILY_DEFAULT_LIMIT = 50
DAILY_MAX_LIMIT = 100
SEARCH_DEFAULT_LIMIT = 50
SEARCH_MAX_LIMIT = 100
ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class DailyPapersQuery(Schema):
    date: str | None = QField(None, description="A day, YYYY-MM-DD.")
    week: str | None = QField(None, description="An ISO week, YYYY-Www (e.g. 2025-W09).")
    month: str | None = QField(None, description="A month, YYYY-MM.")
    submitter: str | None = QField(None, description="Username: the papers this user submitted.")
    sort: str = QField(
        "publishedAt",
        description="publishedAt (newest first, HF's default), "
        "trending, or upvotes (paperfeed extension).",
    )
    p: int = QField(0, description="Page number, from 0 as on HF.")
    limit: int | None = QField(
        None,
        description=f"Papers per page, default {DAILY_DEFAULT_LIMIT}, at most {DAILY_MAX_LIMIT}.",
    )


def _daily_page(query: DailyPapersQuery, user) -> lists.PaperPage:
    """The PaperPage HF's parameters ask for (see docs/api.md for the rules)."""
    params.only_one(date=query.date, week=query.week, month=query.month)
    sort = HF_SORTS[params.check_choice("sort", query.sort, tuple(HF_SORTS))]
    page = params.check_range("p", query.p, 0) + 1
    per_page = params.capped(query.limit, DAILY_DEFAULT_LIMIT, DAILY_MAX_LIMIT)
    params.check_range("limit", per_page, 1)
    period = query.date or query.week or query.month
    if query.submitter:
        if period:
            raise params.BadParameter("submitter", "cannot be combined with date, week or month")
        try:
            return lists.submitted_by(query.submitter, page=page, per_page=per_page, user=user)
        except lists.ListError as exc:  # no such user
            raise params.BadParameter("submitter", str(exc)) from None
    if query.week:
        year, week = params.parse_iso_week("week", query.week)
        return lists.week_feed(year, week, sort=sort, page=page, per_page=per_page, user=user)
    if query.month:
        year, month = params.parse_month("month", query.month)
        return lists.month_feed(year, month, sort=sort, page=page, per_page=per_page, user=user)
    if query.date:
        day = params.parse_day("date", query.date)
    elif sort == "trending":
        return lists.trending(page=page, per_page=per_page, user=user)
    else:
        day = days.latest_full_day()
        if day is None:
            return lists.PaperPage([], 0, page, per_page, False)
    return lists.day_feed(day, sort=sort, page=page, per_page=per_page, user=user)


@router.get(
    "/daily_papers",
    response={200: list[HfDailyEntry], **ERRORS},
    by_alias=True,
    exclude_unset=True,  # HF omits the signal fields nobody gave
    summary="Daily papers (HF-compatible)",
)
def daily_papers(request: HttpRequest, query: Query[DailyPapersQuery]):
    """Papers of a day, ISO week or month, trending, or submitted by a user, as HF lists them.

    Without date, week or month: the latest day that has papers (``sort=trending``: the
    trending list).  ``submitter`` cannot be combined with a period.
    """
    page = _daily_page(query, optional_user(request))
    return [hf_entry(paper) for paper in page.items]


@router.get(
    "/papers/search",
    response={200: list[HfDailyEntry], **ERRORS, 503: ErrorOut},
    by_alias=True,
    exclude_unset=True,  # HF omits the signal fields nobody gave
    summary="Search papers (HF-compatible)",
)
def search_papers(request: HttpRequest, q: str = "", limit: int | None = None):
    """Hybrid (keyword + meaning) search, best first, in HF's daily-papers entry shape."""
    limit = params.capped(limit, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT)
    params.check_range("limit", limit, 1)
    if not q.strip():
        return []
    result = hybrid_search(q, mode="hybrid", limit=limit)
    return [hf_entry(paper) for paper in papers_for(result, optional_user(request))]


@router.get(
    "/papers/{path:paper_id}",
    response={200: HfPaper, **ERRORS},
    by_alias=True,
    exclude_unset=True,  # HF omits the signal fields nobody gave
    summary="One paper (HF-compatible)",
)
def paper_info(request: HttpRequest, paper_id: str):
    """A paper by arXiv id: new style (``2503.01234``) or old (``cs/9809007``), version ignored."""
    arxiv_id = params.parse_paper_id("id", paper_id)
    found = lists.hydrate([arxiv_id], optional_user(request))
    if not found:
        raise NotFound(f"no paper {arxiv_id!r} in this paperfeed")
    return hf_paper(found[0])
