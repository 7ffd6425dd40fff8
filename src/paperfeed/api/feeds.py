"""Native feed endpoints: a day, an ISO week, a month, trending — with pagination metadata.

``sort`` is a ranking the registry offers on the API (:mod:`paperfeed.rankings`).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router

from paperfeed import params, rankings
from paperfeed.api.auth import optional_user
from paperfeed.api.schemas import ErrorOut, FeedPageOut
from paperfeed.api.shapes import page_out
from paperfeed.papers import days, lists

router = Router(tags=["Feeds"])
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
ERRORS = {400: ErrorOut, 422: ErrorOut}


def _paging(page: int, per_page: int | None) -> tuple[int, int]:
    params.check_range("page", page, 1, params.MAX_PAGE)
    size = params.capped(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return page, params.check_range("per_page", size, 1)


def _sort(sort: str) -> str:
    return params.check_choice("sort", sort, rankings.offered("api"))


def _sort_param(default: str):
    """The ``sort`` query parameter: a string :func:`_sort` checks (a 400 naming it), its
    choices (the rankings offered on the API) said in the OpenAPI document."""
    names = ", ".join(rankings.offered("api"))
    return Query(default, description=f"A ranking: {names} (docs/rankings.md).")


def _feed(
    request,
    name: str,
    result: lists.PaperPage,
    period: str | None,
    sort: str,
    previous: str | None = None,
    following: str | None = None,
) -> dict:
    body = page_out(result, anonymous=optional_user(request) is None)
    body.update(
        feed=name, period=period, sort=sort, previous_period=previous, next_period=following
    )
    return body


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _week_name(day: dt.date | None) -> str | None:
    if day is None:
        return None
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@router.get("/feeds/daily", response={200: FeedPageOut, **ERRORS}, summary="Papers of a day")
def daily(
    request: HttpRequest,
    date: str | None = None,
    sort: str = _sort_param("upvotes"),
    page: int = 1,
    per_page: int | None = None,
):
    """The papers whose feed day is ``date`` (default: the latest full day, papers/days.py)."""
    sort = _sort(sort)
    page, per_page = _paging(page, per_page)
    day = params.parse_day("date", date) if date else days.latest_full_day()
    if day is None:
        return _feed(request, "daily", lists.PaperPage([], 0, page, per_page, False), None, sort)
    result = lists.day_feed(
        day, sort=sort, page=page, per_page=per_page, user=optional_user(request)
    )
    before, after = lists.neighbours(day, day)
    return _feed(request, "daily", result, day.isoformat(), sort, _iso(before), _iso(after))


@router.get("/feeds/weekly", response={200: FeedPageOut, **ERRORS}, summary="Papers of an ISO week")
def weekly(
    request: HttpRequest,
    week: str | None = None,
    sort: str = _sort_param("upvotes"),
    page: int = 1,
    per_page: int | None = None,
):
    """``week`` as YYYY-Www (default: the week of the latest day with papers)."""
    sort = _sort(sort)
    page, per_page = _paging(page, per_page)
    if week:
        year, number = params.parse_iso_week("week", week)
    else:
        latest = lists.latest_day() or dt.date.today()
        year, number, _ = latest.isocalendar()
    result = lists.week_feed(
        year, number, sort=sort, page=page, per_page=per_page, user=optional_user(request)
    )
    start, end = lists.week_bounds(year, number)
    before, after = lists.neighbours(start, end)
    return _feed(
        request,
        "weekly",
        result,
        f"{year}-W{number:02d}",
        sort,
        _week_name(before),
        _week_name(after),
    )


@router.get("/feeds/monthly", response={200: FeedPageOut, **ERRORS}, summary="Papers of a month")
def monthly(
    request: HttpRequest,
    month: str | None = None,
    sort: str = _sort_param("upvotes"),
    page: int = 1,
    per_page: int | None = None,
):
    """``month`` as YYYY-MM (default: the month of the latest day with papers)."""
    sort = _sort(sort)
    page, per_page = _paging(page, per_page)
    if month:
        year, number = params.parse_month("month", month)
    else:
        latest = lists.latest_day() or dt.date.today()
        year, number = latest.year, latest.month
    result = lists.month_feed(
        year, number, sort=sort, page=page, per_page=per_page, user=optional_user(request)
    )
    start, end = lists.month_bounds(year, number)
    before, after = lists.neighbours(start, end)
    return _feed(
        request,
        "monthly",
        result,
        f"{year}-{number:02d}",
        sort,
        before.strftime("%Y-%m") if before else None,
        after.strftime("%Y-%m") if after else None,
    )


@router.get("/feeds/trending", response={200: FeedPageOut, **ERRORS}, summary="Trending papers")
def trending(request: HttpRequest, page: int = 1, per_page: int | None = None):
    """Recent papers ranked by upvotes decayed with age (see the About page for the formula)."""
    page, per_page = _paging(page, per_page)
    result = lists.trending(page=page, per_page=per_page, user=optional_user(request))
    return _feed(request, "trending", result, None, "trending")
