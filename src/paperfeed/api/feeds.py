"""Native feed endpoints: a day, an ISO week, a month, trending — with pagination metadata.

``sort`` is a ranking the registry offers on the API (:mod:`paperfeed.rankings`; default: the
lists' :data:`~paperfeed.papers.lists.DEFAULT_SORT`, Hot), trending's ``trending`` or ``stars``;
``has_code=true`` keeps the papers with code. ``sort=for_you`` orders the day, week and month for
the caller (a token or session of a member with a profile, else a 400 naming ``sort``: see
:func:`paperfeed.personal.order.require`); each item then says ``why``. The API's default stays
the community order whatever the member chose on the site: a client asks for what it wants.
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
from paperfeed.personal import order

router = Router(tags=["Feeds"])
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
ERRORS = {400: ErrorOut, 422: ErrorOut}


def _paging(page: int, per_page: int | None) -> tuple[int, int]:
    params.check_range("page", page, 1, params.MAX_PAGE)
    size = params.capped(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE)
    return page, params.check_range("per_page", size, 1)


def _sort(sort: str) -> str:
    return params.check_choice("sort", sort, rankings.offered("api", personal=True))


def _personal(request, sort: str):
    """The caller's personaliser for ``sort=for_you`` (a 400 naming ``sort`` for anyone without
    a profile); None for the community orders."""
    return order.require(optional_user(request)) if sort == lists.FOR_YOU else None


def _sort_param(default: str, choices: tuple[str, ...] | None = None):
    """The ``sort`` query parameter: a string :func:`_sort` checks (a 400 naming it), its
    choices (default: the rankings offered on the API) said in the OpenAPI document."""
    if choices:
        return Query(default, description=f"A ranking: {', '.join(choices)} (/ranking).")
    names = ", ".join(rankings.offered("api", personal=True))
    return Query(
        default,
        description=f"A ranking: {names} (docs/rankings.md, /ranking). for_you: the caller's "
        "own order (a member with a profile; items then carry why).",
    )


def has_code_param():
    """The ``has_code`` query parameter: text that :func:`paperfeed.params.parse_flag` reads (a
    400 naming it for anything but true/false/1/0/yes/no/on/off)."""
    return Query(
        None,
        description="true: only papers with code (a repository or a Hugging Face artifact); "
        "false or absent: every paper.",
    )


def _has_code(value: str | None) -> bool:
    return params.parse_flag("has_code", value or "")


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
    sort: str = _sort_param(lists.DEFAULT_SORT),
    page: int = 1,
    per_page: int | None = None,
    has_code: str | None = has_code_param(),
):
    """The papers whose feed day is ``date`` (default: the latest full day, papers/days.py)."""
    sort = _sort(sort)
    page, per_page = _paging(page, per_page)
    code = _has_code(has_code)
    personal = _personal(request, sort)
    day = params.parse_day("date", date) if date else days.latest_full_day()
    if day is None:
        return _feed(request, "daily", lists.PaperPage([], 0, page, per_page, False), None, sort)
    result = lists.day_feed(
        day,
        sort=sort,
        page=page,
        per_page=per_page,
        user=optional_user(request),
        has_code=code,
        personal=personal,
    )
    before, after = lists.neighbours(day, day)
    return _feed(request, "daily", result, day.isoformat(), sort, _iso(before), _iso(after))


@router.get("/feeds/weekly", response={200: FeedPageOut, **ERRORS}, summary="Papers of an ISO week")
def weekly(
    request: HttpRequest,
    week: str | None = None,
    sort: str = _sort_param(lists.DEFAULT_SORT),
    page: int = 1,
    per_page: int | None = None,
    has_code: str | None = has_code_param(),
):
    """``week`` as YYYY-Www (default: the week of the latest day with papers)."""
    sort = _sort(sort)
    page, per_page = _paging(page, per_page)
    code = _has_code(has_code)
    if week:
        year, number = params.parse_iso_week("week", week)
    else:
        latest = lists.latest_day() or dt.date.today()
        year, number, _ = latest.isocalendar()
    result = lists.week_feed(
        year,
        number,
        sort=sort,
        page=page,
        per_page=per_page,
        user=optional_user(request),
        has_code=code,
        personal=_personal(request, sort),
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
    sort: str = _sort_param(lists.DEFAULT_SORT),
    page: int = 1,
    per_page: int | None = None,
    has_code: str | None = has_code_param(),
):
    """``month`` as YYYY-MM (default: the month of the latest day with papers)."""
    sort = _sort(sort)
    page, per_page = _paging(page, per_page)
    code = _has_code(has_code)
    if month:
        year, number = params.parse_month("month", month)
    else:
        latest = lists.latest_day() or dt.date.today()
        year, number = latest.year, latest.month
    result = lists.month_feed(
        year,
        number,
        sort=sort,
        page=page,
        per_page=per_page,
        user=optional_user(request),
        has_code=code,
        personal=_personal(request, sort),
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
def trending(
    request: HttpRequest,
    sort: str = _sort_param(lists.TRENDING_SORTS[0], lists.TRENDING_SORTS),
    page: int = 1,
    per_page: int | None = None,
    has_code: str | None = has_code_param(),
):
    """Recent papers ranked by Hot (upvotes here and on Hugging Face, stars gained, citations,
    decayed with age: see /ranking), with ``sort=trending`` by local upvotes decayed with age,
    or with ``sort=stars`` by the GitHub stars their code gained this week, as Hugging Face's
    trending page."""
    sort = params.check_choice("sort", sort, lists.TRENDING_SORTS)
    page, per_page = _paging(page, per_page)
    result = lists.trending(
        sort=sort,
        page=page,
        per_page=per_page,
        user=optional_user(request),
        has_code=_has_code(has_code),
    )
    return _feed(request, "trending", result, None, sort)
