"""The JSON shape of collections, one for the pages' ``?format=json`` twins and the API."""

from __future__ import annotations

from django.urls import reverse

from paperfeed.library.models import Collection, CollectionItem


def collection_url(collection: Collection) -> str:
    return reverse("library:collection", args=[collection.pk, collection.slug])


def summary(collection: Collection) -> dict:
    """A collection without its items (the lists)."""
    return {
        "id": collection.pk,
        "name": collection.name,
        "slug": collection.slug,
        "description": collection.description,
        "visibility": collection.visibility,
        "is_default": collection.is_default,
        "owner": collection.owner.get_username(),
        "url": collection_url(collection),
        "n_items": getattr(collection, "n_items", None),
        "created": collection.created.isoformat(),
        "updated": collection.updated.isoformat(),
    }


def item(row: CollectionItem, title: str = "") -> dict:
    return {
        "paper": row.paper_id,
        "title": title,
        "position": row.position,
        "note": row.note,
        "note_html": row.note_html,
        "added": row.added.isoformat(),
        "added_by": row.added_by.get_username() if row.added_by else None,
    }


def full(collection: Collection, rows: list[CollectionItem], titles: dict[str, str]) -> dict:
    """A collection with its items in order (``titles``: paper id -> title)."""
    return {
        **summary(collection),
        "n_items": len(rows),
        "items": [item(row, titles.get(row.paper_id, "")) for row in rows],
    }
