"""RSS 2.0 and Atom feeds of the lists (daily, trending, category, search query, user).

Each feed calls the same list function as its page (:mod:`paperfeed.papers.lists`); titles and
abstracts go out as plain text, in formats that say so and never carry a character XML cannot
(:mod:`paperfeed.web.feedformats`). The daily and category
feeds take ``?sort=`` among the rankings the registry offers on feeds (:mod:`paperfeed.rankings`;
the daily feed's default is the lists' :data:`~paperfeed.papers.lists.DEFAULT_SORT`), the
trending feed ``?sort=stars``, and every list feed ``?code=1`` (only papers with code), as their
pages do. A bad parameter is a 404 naming it.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from paperfeed import params, rankings
from paperfeed.accounts import usernames
from paperfeed.papers import days, lists
from paperfeed.search import SORTS, IndexMissing, papers_for, search
from paperfeed.web import feedformats

FEED_TYPES = {"atom": feedformats.Atom, "rss": feedformats.Rss}
ITEMS = 50


class PaperFeed(Feed):
    """Common item fields for every paper feed."""

    @classmethod
    def as_kind(cls, kind: str) -> PaperFeed:
        """An instance of this feed in ``kind`` (atom or rss) format."""
        subclass = type(f"{cls.__name__}{kind.title()}", (cls,), {"feed_type": FEED_TYPES[kind]})
        return subclass()

    def item_title(self, paper) -> str:
        return paper.title

    def item_description(self, paper) -> str:
        return paper.abstract

    def item_link(self, paper) -> str:
        return reverse("paper", args=[paper.arxiv_id])

    def item_guid(self, paper) -> str:
        return paper.abs_url

    item_guid_is_permalink = False

    def item_author_name(self, paper) -> str:
        return ", ".join(a.name for a in getattr(paper, "author_list", []))

    def item_categories(self, paper) -> list[str]:
        return paper.category_list

    def item_pubdate(self, paper) -> dt.datetime | None:
        day = paper.day
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None


def feed_ranking(request, default: str, choices: tuple[str, ...] | None = None) -> rankings.Ranking:
    """The ranking ``?sort=`` names among ``choices`` (default: those offered on feeds); a 404
    naming the choices."""
    name = request.GET.get("sort") or default
    try:
        if choices is not None:
            return rankings.get(params.check_choice("sort", name, choices))
        return rankings.get(name, surface="feeds")
    except (rankings.UnknownRanking, params.BadParameter) as exc:
        raise Http404(str(exc)) from None


def feed_has_code(request) -> bool:
    """``?code=1``: only papers with code (a 404 naming a bad value)."""
    try:
        return params.parse_flag("code", request.GET.get("code", ""))
    except params.BadParameter as exc:
        raise Http404(str(exc)) from None


def _with_code(text: str, has_code: bool) -> str:
    return f"{text} Only papers with code." if has_code else text


class DailyFeed(PaperFeed):
    title = "paperfeed: daily papers"

    def get_object(self, request):
        return feed_ranking(request, lists.DEFAULT_SORT), feed_has_code(request)

    def description(self, obj) -> str:
        ranking, has_code = obj
        return _with_code(f"The latest full day's papers, {ranking.label.lower()} first.", has_code)

    def link(self) -> str:
        return reverse("home")

    def items(self, obj):
        ranking, has_code = obj
        day = days.latest_full_day(timezone.now().date())
        if day is None:
            return []
        return lists.day_feed(day, sort=ranking.name, per_page=ITEMS, has_code=has_code).items


class TrendingFeed(PaperFeed):
    """Recent papers by Hot, by decayed upvotes (``?sort=trending``) or by GitHub stars gained
    this week (``?sort=stars``)."""

    title = "paperfeed: trending papers"

    def get_object(self, request):
        return feed_ranking(request, lists.TRENDING_SORTS[0], lists.TRENDING_SORTS), feed_has_code(
            request
        )

    def description(self, obj) -> str:
        ranking, has_code = obj
        if ranking.name == "stars":
            text = "Recent papers by the GitHub stars their code gained this week (see /ranking)."
        elif ranking.name == "hot":
            text = (
                "Recent papers by upvotes here and on Hugging Face, stars gained and citations, "
                "decayed by age (see /ranking)."
            )
        else:
            text = "Papers ranked by upvotes with Hacker-News-style time decay (see /about)."
        return _with_code(text, has_code)

    def link(self) -> str:
        return reverse("trending")

    def items(self, obj):
        ranking, has_code = obj
        return lists.trending(sort=ranking.name, per_page=ITEMS, has_code=has_code).items


class CategoryFeed(PaperFeed):
    def get_object(self, request, category: str):
        return category, feed_ranking(request, "newest"), feed_has_code(request)

    def title(self, obj) -> str:
        return f"paperfeed: papers in {obj[0]}"

    def description(self, obj) -> str:
        category, ranking, has_code = obj
        if ranking.name == "newest":
            return _with_code(f"The newest papers listed in {category}.", has_code)
        return _with_code(f"Papers listed in {category}, {ranking.label.lower()} first.", has_code)

    def link(self, obj) -> str:
        return reverse("category", args=[obj[0]])

    def items(self, obj):
        category, ranking, has_code = obj
        found = lists.category_papers(
            category, sort=ranking.name, per_page=ITEMS, has_code=has_code
        )
        return found.items


class SearchFeed(PaperFeed):
    """Newest papers matching ``?q=`` (the same query language as the search page)."""

    def get_object(self, request):
        query = request.GET.get("q", "").strip()
        if not query:
            raise Http404("a search feed needs ?q=")
        sort = request.GET.get("sort") or "newest"
        if sort not in SORTS:
            raise Http404(f"sort must be one of {', '.join(SORTS)}")
        return {"query": query, "sort": sort, "user": request.user}

    def title(self, obj) -> str:
        return f"paperfeed: search “{obj['query']}”"

    def description(self, obj) -> str:
        return f"Papers matching {obj['query']}, {obj['sort']} first."

    def link(self, obj) -> str:
        return reverse("search") + "?" + self._query_string(obj)

    @staticmethod
    def _query_string(obj) -> str:
        return urlencode({"q": obj["query"], "sort": obj["sort"]})

    def items(self, obj):
        try:
            result = search(obj["query"], limit=ITEMS, sort=obj["sort"])
        except IndexMissing:
            return []
        return papers_for(result)


class UserFeed(PaperFeed):
    def get_object(self, request, username: str):
        owner = usernames.find_active(username)
        if owner is None:
            raise Http404("No such user.")
        return owner, feed_has_code(request)

    def title(self, obj) -> str:
        return f"paperfeed: papers submitted by {obj[0].get_username()}"

    def description(self, obj) -> str:
        owner, has_code = obj
        return _with_code(
            f"Papers {owner.get_username()} submitted to paperfeed, latest first.", has_code
        )

    def link(self, obj) -> str:
        return reverse("user", args=[obj[0].get_username()])

    def items(self, obj):
        owner, has_code = obj
        return lists.submitted_by(owner, per_page=ITEMS, has_code=has_code).items
