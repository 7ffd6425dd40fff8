"""RSS 2.0 and Atom feeds of the lists (daily, trending, category, search query, user).

Each feed calls the same list function as its page (:mod:`paperfeed.papers.lists`); titles and
abstracts go out as plain text, which the syndication framework escapes. The daily and category
feeds take ``?sort=`` among the rankings the registry offers on feeds (:mod:`paperfeed.rankings`).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from paperfeed import rankings
from paperfeed.papers import days, lists
from paperfeed.search import SORTS, IndexMissing, papers_for, search

FEED_TYPES = {"atom": Atom1Feed, "rss": Rss201rev2Feed}
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


def feed_ranking(request, default: str) -> rankings.Ranking:
    """The ranking ``?sort=`` names among those offered on feeds (404 naming the choices)."""
    try:
        return rankings.get(request.GET.get("sort") or default, surface="feeds")
    except rankings.UnknownRanking as exc:
        raise Http404(str(exc)) from None


class DailyFeed(PaperFeed):
    title = "paperfeed: daily papers"

    def get_object(self, request):
        return feed_ranking(request, "upvotes")

    def description(self, ranking) -> str:
        return f"The latest full day's papers, {ranking.label.lower()} first."

    def link(self) -> str:
        return reverse("home")

    def items(self, ranking):
        day = days.latest_full_day(timezone.now().date())
        return lists.day_feed(day, sort=ranking.name, per_page=ITEMS).items if day else []


class TrendingFeed(PaperFeed):
    title = "paperfeed: trending papers"
    description = "Papers ranked by upvotes with Hacker-News-style time decay (see /about)."

    def link(self) -> str:
        return reverse("trending")

    def items(self):
        return lists.trending(per_page=ITEMS).items


class CategoryFeed(PaperFeed):
    def get_object(self, request, category: str):
        return category, feed_ranking(request, "newest")

    def title(self, obj) -> str:
        return f"paperfeed: papers in {obj[0]}"

    def description(self, obj) -> str:
        category, ranking = obj
        if ranking.name == "newest":
            return f"The newest papers listed in {category}."
        return f"Papers listed in {category}, {ranking.label.lower()} first."

    def link(self, obj) -> str:
        return reverse("category", args=[obj[0]])

    def items(self, obj):
        category, ranking = obj
        return lists.category_papers(category, sort=ranking.name, per_page=ITEMS).items


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
        model = get_user_model()
        return get_object_or_404(model, **{model.USERNAME_FIELD: username, "is_active": True})

    def title(self, owner) -> str:
        return f"paperfeed: papers submitted by {owner.get_username()}"

    def description(self, owner) -> str:
        return f"Papers {owner.get_username()} submitted to paperfeed, latest first."

    def link(self, owner) -> str:
        return reverse("user", args=[owner.get_username()])

    def items(self, owner):
        return lists.submitted_by(owner, per_page=ITEMS).items
