"""The list pages: daily feed, week, month, trending, author, category, user; About and Ranking.

Views only read request parameters, call :mod:`paperfeed.papers.lists` and render; the sorts
offered, their labels and help come from the rankings registry (:mod:`paperfeed.rankings`).
Every list takes ``?code=1`` (only papers with code), kept by the paging and sort links, and
offered as a toggle beside the sort tabs. The day, week and month pages also offer a signed-in
member with a profile the for-you order (:mod:`paperfeed.personal.order` decides which order a
page takes; the toggle that keeps the choice posts to ``/settings/order``). Nothing here changes
state (all GET).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from paperfeed import rankings
from paperfeed.accounts import usernames
from paperfeed.claims.claims import papers_by
from paperfeed.library import collections as library
from paperfeed.papers import days, lists
from paperfeed.papers.models import Author
from paperfeed.personal import order, preferences
from paperfeed.rankings import gravity, hot
from paperfeed.web.params import BadParameter, bad_request, choice_param, flag_param, int_param


def _alternate(name: str, title: str, query: dict | None = None, **kwargs) -> list[dict]:
    """The page's Atom and RSS feeds, with ``query`` (the page's sort, ``code=1``) as theirs."""
    tail = "?" + urlencode(query) if query else ""
    return [
        {
            "type": "application/atom+xml",
            "title": f"{title} (Atom)",
            "href": reverse(f"{name}-atom", kwargs=kwargs) + tail,
        },
        {
            "type": "application/rss+xml",
            "title": f"{title} (RSS)",
            "href": reverse(f"{name}-rss", kwargs=kwargs) + tail,
        },
    ]


def _feed_query(sort: str, default_sort: str, has_code: bool) -> dict:
    """What a page's feeds need to list what the page lists: its sort (when not the feed's
    default, and offered on feeds) and the has-code filter."""
    query = {}
    if sort != default_sort and sort in rankings.offered("feeds"):
        query["sort"] = sort
    if has_code:
        query["code"] = "1"
    return query


def _tabs(sorts: tuple[str, ...], current: str) -> list[dict]:
    """One sort tab per ranking, labelled and explained by the registry."""
    return [
        {"sort": r.name, "label": r.label, "help": r.help, "current": r.name == current}
        for r in map(rankings.get, sorts)
    ]


def _list_page(
    request,
    template: str,
    fetch,
    *,
    default_sort: str = lists.DEFAULT_SORT,
    sorts=None,
    feeds: tuple | None = None,
    personal: bool = False,
    **context,
):
    """Parse sort/page/code, call ``fetch(sort=, page=, user=, has_code=)`` and render
    ``template``; ``sorts`` defaults to the rankings the registry offers on the pages. ``feeds``:
    ``(url name, title, url kwargs)`` of the page's Atom/RSS twins, which get its sort and
    filter. ``personal``: the page offers the for-you order (``fetch`` then takes
    ``personal=``, the member's personaliser)."""
    sorts = sorts or rankings.offered("pages")
    choice = order.Choice(default_sort, default_sort, offered=False)
    try:
        if personal:
            choice = order.choose(request.user, request.GET.get("sort", ""), default_sort, sorts)
            sort = choice.sort
        else:
            sort = choice_param(request, "sort", sorts, default_sort)
        page_number = int_param(request, "page", 1)
        has_code = flag_param(request, "code")
        seen_view = request.GET.get("seen") or None  # ?seen=show: the seen papers, this view
        preferences.for_this_view(request.user, seen=seen_view)
        more = {"personal": choice.personal} if personal else {}
        page = fetch(sort=sort, page=page_number, user=request.user, has_code=has_code, **more)
    except (BadParameter, lists.ListError, preferences.PreferenceError) as exc:
        return bad_request(request, str(exc))
    tabs = _tabs(sorts, sort)
    if feeds:
        name, title, kwargs = feeds
        query = _feed_query(sort, default_sort, has_code)
        context["alternates"] = _alternate(name, title, query, **kwargs)
    return render(
        request,
        template,
        {
            "page": page,
            "papers": page.items,
            "sort": sort,
            "tabs": tabs,
            "default_sort": choice.default,
            "for_you": choice,
            "has_code": has_code,
            **context,
        },
    )


# -- the daily feed and its periods ---------------------------------------------------------
def _period_nav(start: dt.date, end: dt.date, *, to_name, to_label) -> dict:
    before, after = lists.neighbours(start, end)
    return {
        "prev_url": reverse(*to_name(before)) if before else None,
        "prev_label": to_label(before) if before else "",
        "next_url": reverse(*to_name(after)) if after else None,
        "next_label": to_label(after) if after else "",
    }


def _day_nav(day: dt.date) -> dict:
    return _period_nav(
        day,
        day,
        to_name=lambda d: ("day", None, (d,)),
        to_label=lambda d: d.strftime("%a %d %b %Y"),
    )


def _iso_week(day: dt.date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def _show_day(request, day: dt.date, *, note: str = "", is_home: bool = False):
    nav = _day_nav(day)
    year, week = _iso_week(day)
    return _list_page(
        request,
        "web/feed.html",
        lambda **kw: lists.day_feed(day, **kw),
        title=f"Papers of {day.strftime('%A %d %B %Y')}",
        heading=day.strftime("%A %d %B %Y"),
        period="day",
        day=day,
        note=note,
        is_home=is_home,
        week_url=reverse("week", args=[(year, week)]),
        month_url=reverse("month", args=[(day.year, day.month)]),
        feeds=("feed-daily", "Daily papers", {}),
        personal=True,
        **nav,
    )


def home(request):
    """The latest full day (papers/days.py): today's papers, or the latest day that is not
    near-empty when today has none or only a few (and say so)."""
    today = timezone.now().date()
    latest = days.latest_full_day(today)
    if latest is None:
        return render(request, "web/empty.html", {"title": "No papers yet"})
    newest = lists.latest_day(today)
    if latest == today:
        note = ""
    elif newest is not None and newest > latest:
        note = (
            f"Only a few papers on {newest.isoformat()} so far; showing {latest.isoformat()}, "
            "the latest full day."
        )
    else:
        note = f"No papers for today ({today.isoformat()}) yet; showing the latest day with papers."
    return _show_day(request, latest, note=note, is_home=True)


def day(request, day: dt.date):
    return _show_day(request, day)


def week(request, week: tuple[int, int]):
    year, number = week
    try:
        start, end = lists.week_bounds(year, number)
    except lists.ListError as exc:
        raise Http404(str(exc)) from None
    nav = _period_nav(
        start,
        end,
        to_name=lambda d: ("week", None, (_iso_week(d),)),
        to_label=lambda d: "Week {1} of {0}".format(*_iso_week(d)),
    )
    return _list_page(
        request,
        "web/feed.html",
        lambda **kw: lists.week_feed(year, number, **kw),
        title=f"Papers of week {number}, {year}",
        heading=f"Week {number}, {year} ({start:%d %b} – {end:%d %b %Y})",
        period="week",
        day=start,
        month_url=reverse("month", args=[(start.year, start.month)]),
        day_url=reverse("day", args=[start]),
        feeds=("feed-daily", "Daily papers", {}),
        personal=True,
        **nav,
    )


def month(request, month: tuple[int, int]):
    year, number = month
    try:
        start, end = lists.month_bounds(year, number)
    except lists.ListError as exc:
        raise Http404(str(exc)) from None
    nav = _period_nav(
        start,
        end,
        to_name=lambda d: ("month", None, ((d.year, d.month),)),
        to_label=lambda d: d.strftime("%B %Y"),
    )
    return _list_page(
        request,
        "web/feed.html",
        lambda **kw: lists.month_feed(year, number, **kw),
        title=f"Papers of {start:%B %Y}",
        heading=start.strftime("%B %Y"),
        period="month",
        day=start,
        day_url=reverse("day", args=[start]),
        week_url=reverse("week", args=[_iso_week(start)]),
        feeds=("feed-daily", "Daily papers", {}),
        personal=True,
        **nav,
    )


def trending(request):
    """Recent papers by Hot (every signal, decayed by age), by decayed local upvotes
    (``?sort=trending``) or by GitHub stars gained this week (``?sort=stars``)."""
    return _list_page(
        request,
        "web/feed.html",
        lambda **kw: lists.trending(**kw),
        sorts=lists.TRENDING_SORTS,
        default_sort=lists.TRENDING_SORTS[0],
        title="Trending papers",
        heading="Trending",
        period="trending",
        gravity=gravity.GRAVITY,
        window_days=gravity.WINDOW_DAYS,
        feeds=("feed-trending", "Trending papers", {}),
    )


# -- authors, categories, users -------------------------------------------------------------
def author(request, author_id: int):
    person = get_object_or_404(Author, pk=author_id)
    return _list_page(
        request,
        "web/list.html",
        lambda **kw: lists.author_papers(author_id, **kw),
        default_sort="newest",
        title=f"Papers by {person.name}",
        heading=person.name,
        subheading="Author",
    )


def category(request, category: str):
    if not category or len(category) > 40 or not all(c.isalnum() or c in ".-_" for c in category):
        return bad_request(request, f"{category[:40]!r} is not an arXiv category name")
    return _list_page(
        request,
        "web/list.html",
        lambda **kw: lists.category_papers(category, **kw),
        default_sort="newest",
        title=f"Papers in {category}",
        heading=category,
        subheading="Category",
        feeds=("feed-category", f"Papers in {category}", {"category": category}),
    )


def user_page(request, username: str):
    owner = usernames.find_active(username)
    if owner is None:
        raise Http404("No such user.")
    tab = request.GET.get("tab") or "submitted"
    fetch = {"submitted": lists.submitted_by, "upvoted": lists.upvoted_by, "papers": papers_by}
    if tab not in fetch:
        return bad_request(request, f"tab must be submitted, upvoted or papers, not {tab[:40]!r}")
    fetch = fetch[tab]
    return _list_page(
        request,
        "web/user.html",
        lambda sort, **kw: fetch(owner, **kw),
        sorts=("newest",),
        default_sort="newest",
        title=f"{owner.get_username()} on paperfeed",
        owner=owner,
        tab=tab,
        public_collections=library.public_of(owner),
        feeds=(
            "feed-user",
            f"Submitted by {owner.get_username()}",
            {"username": owner.get_username()},
        ),
    )


def about(request):
    return render(
        request,
        "web/about.html",
        {
            "title": "About paperfeed",
            "gravity": gravity.GRAVITY,
            "offset_hours": gravity.OFFSET_HOURS,
            "window_days": gravity.WINDOW_DAYS,
            "examples": [
                {"upvotes": votes, "age": age, "score": f"{gravity.score(votes, age):.4f}"}
                for votes, age in ((10, 0), (10, 24), (50, 24), (50, 72), (100, 7 * 24))
            ],
            "rankings": [rankings.get(name) for name in rankings.offered("pages")],
        },
    )


HOT_EXAMPLES = (
    ("A paper 5 members upvoted here", {"upvotes": 5}),
    ("85 upvotes on Hugging Face", {"hf_upvotes": 85}),
    ("Its code gained 1,000 GitHub stars this week", {"stars_gained": 1000}),
    ("120 citations", {"citations": 120}),
    ("2 here, 40 on HF, +300 stars", {"upvotes": 2, "hf_upvotes": 40, "stars_gained": 300}),
)
"""Papers the /ranking page scores with the weights in use (signal values as a Row has them)."""
HOT_AGES = (12, 7 * 24)
"""The ages (hours) the examples are scored at: in a day's list, and a week later."""


def _hot_examples(weights: hot.Weights) -> list[dict]:
    rows = []
    for label, signals in HOT_EXAMPLES:
        values = {"upvotes": 0, "hf_upvotes": None, "stars_gained": None, "citations": None}
        values.update(signals)
        points = hot.points(**values, weights=weights)
        scores = [hot.score(**values, age_hours=age, weights=weights) for age in HOT_AGES]
        rows.append(
            {"label": label, "points": f"{points:.1f}", "scores": [f"{s:.4f}" for s in scores]}
        )
    return rows


def ranking(request):
    """/ranking: every order paperfeed offers, the Hot formula with the weights in use and where
    each signal comes from, all read from the registry and the settings (nothing hand-copied)."""
    weights = hot.current()
    return render(
        request,
        "web/ranking.html",
        {
            "title": "How papers are ranked",
            "rankings": [
                {
                    "ranking": r,
                    "surfaces": [
                        (s, rankings.SURFACES[s]) for s in rankings.SURFACES if s in r.where
                    ],
                    "inputs": [name for name in r.inputs if name in rankings.INPUTS],
                }
                for r in rankings.all_rankings()
            ],
            "inputs": [
                {"name": name, "meaning": meaning, "origin": rankings.ORIGINS[name]}
                for name, meaning in rankings.INPUTS.items()
            ],
            "default": rankings.get(lists.DEFAULT_SORT),
            "weights": weights,
            "gravity": gravity.GRAVITY,
            "offset_hours": gravity.OFFSET_HOURS,
            "window_days": gravity.WINDOW_DAYS,
            "hot_ages": HOT_AGES,
            "hot_examples": _hot_examples(weights),
            "stale_days": days.STALE_DAYS,
            "recent_days": days.RECENT_DAYS,
            "near_empty": days.NEAR_EMPTY,
        },
    )
