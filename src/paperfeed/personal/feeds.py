"""Private RSS/Atom feeds of one user, behind the secret token of their URL
(:mod:`paperfeed.personal.feedtokens`): one follow's papers, all their follows merged, and their
day in the for-you order. Feed readers cannot log in, so the token is the credential: an
unknown, rotated or malformed token is a 404 (as is another user's follow), and every answer
says ``Cache-Control: private`` and ``X-Robots-Tag: noindex``. The user's mutes apply. The item
fields are the public feeds' (:class:`paperfeed.web.feeds.PaperFeed`).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from paperfeed.papers import days, lists
from paperfeed.personal import feedtokens, filters, follows
from paperfeed.personal.models import Follow
from paperfeed.web.feeds import FEED_TYPES, ITEMS, PaperFeed

__all__ = ["FEED_TYPES", "FollowFeed", "FollowsFeed", "ForYouFeed"]


class PrivateFeed(PaperFeed):
    """A feed of the user whose token the URL carries."""

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    @staticmethod
    def owner(token: str):
        user = feedtokens.user_for(token)
        if user is None:
            raise Http404("no such private feed (the address may have been replaced)")
        return user

    @staticmethod
    def newest(papers, user) -> list:
        """The :data:`ITEMS` newest of ``papers`` without the user's muted ones, as cards."""
        ids = list(filters.hide_for(papers, user).values_list("pk", flat=True)[:ITEMS])
        return lists.hydrate(ids, user)


class FollowFeed(PrivateFeed):
    """The newest papers of one follow."""

    def get_object(self, request, token: str, follow_id: int):
        user = self.owner(token)
        found = Follow.objects.filter(user=user, pk=follow_id).first()
        if found is None:
            raise Http404("no such follow")
        return found

    def title(self, obj) -> str:
        return f"paperfeed: {obj.get_kind_display().lower()} {obj.label or obj.value}"

    def description(self, obj) -> str:
        return f"The newest papers of your follow of {obj.label or obj.value}."

    def link(self, obj) -> str:
        return reverse("personal:follow", args=[obj.pk])

    def items(self, obj):
        return self.newest(follows.papers_of(obj), obj.user)


class FollowsFeed(PrivateFeed):
    """The newest papers of every follow of the user, merged (each paper once)."""

    title = "paperfeed: your follows"
    description = (
        "The newest papers of the authors, categories, organisations and searches you follow."
    )

    def get_object(self, request, token: str):
        return self.owner(token)

    def link(self) -> str:
        return reverse("personal:follows")

    def items(self, obj):
        return self.newest(follows.merged(obj), obj)


class ForYouFeed(PrivateFeed):
    """The user's latest full day (:func:`paperfeed.papers.days.latest_full_day`) in the order
    their day page takes: for you when they have a profile
    (:func:`paperfeed.personal.order.choose`), else the community order."""

    title = "paperfeed: your day"
    description = "The latest full day's papers, in your order (for you once you have a profile)."

    def get_object(self, request, token: str):
        return self.owner(token)

    def link(self) -> str:
        return reverse("home")

    def items(self, obj):
        from paperfeed.personal import order  # the for-you code reaches back here via lists

        day = days.latest_full_day(timezone.now().date())
        if day is None:
            return []
        choice = order.choose(obj, "", lists.DEFAULT_SORT, lists.sorts())
        found = lists.day_feed(
            day, sort=choice.sort, per_page=ITEMS, user=obj, personal=choice.personal
        )
        return found.items
