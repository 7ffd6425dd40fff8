"""RSS 2.0 and Atom feeds of an unlisted or public collection: its papers, the last added first,
each with its note (as text) before the abstract. A private collection has no feed (404), so a
feed URL never shows what its owner keeps to themselves. Written by the site's feed machinery
(:mod:`paperfeed.web.feeds`, :mod:`paperfeed.web.feedformats`)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404

from paperfeed.library import collections, pages, shapes
from paperfeed.web.feeds import ITEMS, PaperFeed

FEED_TYPES = ("rss", "atom")


class CollectionFeed(PaperFeed):
    def get_object(self, request, collection_id: int):
        try:  # as a visitor: the feed of a private collection is nobody's
            page = pages.collection_page(None, collection_id, newest_first=True)
        except collections.NotFound:
            raise Http404(f"No collection {collection_id} with a feed.") from None
        return page

    def title(self, page) -> str:
        owner = page.collection.owner.get_username()
        return f"paperfeed: {page.collection.name} (a collection of {owner})"

    def description(self, page) -> str:
        return page.collection.description or f"Papers in {page.collection.name}, last added first."

    def link(self, page) -> str:
        return shapes.collection_url(page.collection)

    def items(self, page):
        cards = []
        for row in page.items[:ITEMS]:
            row.card.collection_note, row.card.added = row.note, row.added
            cards.append(row.card)
        return cards

    def item_description(self, paper) -> str:
        if paper.collection_note:
            return f"Note: {paper.collection_note}\n\n{paper.abstract}"
        return paper.abstract

    def item_pubdate(self, paper) -> dt.datetime | None:
        return paper.added
