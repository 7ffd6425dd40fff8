"""What a collection's page, its JSON twin, its feeds and the API show: one data function,
:func:`collection_page`, over :mod:`paperfeed.library.collections`."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperfeed.library import collaborators, collections, shapes
from paperfeed.library.models import Collection, CollectionItem, CollectionMember
from paperfeed.papers import lists


@dataclass
class CollectionPage:
    collection: Collection
    rights: collections.Rights
    items: list[CollectionItem]  # each with .card: the decorated paper of the site's cards
    members: list[CollectionMember] = field(default_factory=list)

    def as_json(self) -> dict:
        titles = {item.paper_id: item.card.title for item in self.items}
        return shapes.full(self.collection, self.items, titles)


def collection_page(user, collection_id: int, *, newest_first: bool = False) -> CollectionPage:
    """The collection ``user`` may see, its papers in order (or last added first) as cards;
    its collaborators only for those who may change it. NotFound otherwise."""
    collection, rights = collections.get_visible(user, collection_id)
    rows = collections.items_of(collection)
    if newest_first:
        rows.sort(key=lambda row: (row.added, row.pk), reverse=True)
    cards = {p.arxiv_id: p for p in lists.hydrate([row.paper_id for row in rows], user)}
    items = []
    for row in rows:
        if row.paper_id in cards:
            row.card = cards[row.paper_id]
            items.append(row)
    members = collaborators.members_of(collection) if rights.edit else []
    return CollectionPage(collection, rights, items, members)
