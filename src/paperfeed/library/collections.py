"""Collections: the one writer of :mod:`paperfeed.library.models`, and who may see or change what.

Rights. The owner does everything. An invited collaborator (role editor) who accepted adds,
removes, moves and annotates papers; only the owner renames, changes the visibility or the
description, deletes, and invites or removes collaborators (a collaborator may leave). Who may
see: a private collection, its owner and accepted collaborators; an unlisted one, anyone with
the link (listed nowhere); a public one, anyone (listed on the owner's page and
/collections/public). To anyone else a private collection does not exist (:class:`NotFound`).

One-click Save adds a paper to the user's "Read later" (``is_default``), made on first use.
Every refusal is a :class:`CollectionError` whose message says what was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from paperfeed.library.models import Collection, CollectionItem
from paperfeed.library.notes import render_note
from paperfeed.papers.models import Paper

MAX_COLLECTIONS = 100  # per owner
MAX_ITEMS = 5_000  # per collection
MAX_NAME = 200  # characters
MAX_DESCRIPTION = 2_000
MAX_NOTE = 10_000  # characters of Markdown
READ_LATER = "Read later"
VISIBILITIES = tuple(v for v, _ in Collection.VISIBILITIES)


class CollectionError(ValueError):
    """A change that cannot be made as asked; the message says why (shown to the user)."""


class NotFound(CollectionError):
    """No such collection, paper, item or invitation (or one the user may not see)."""


class Forbidden(CollectionError, PermissionDenied):
    """The user may see the collection but not make this change (a view answers 403)."""


@dataclass(frozen=True)
class Rights:
    view: bool
    edit: bool  # add, remove, move, annotate
    own: bool  # rename, visibility, delete, invite


# -- who may do what ------------------------------------------------------------------------


def signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def _is_member(user, collection: Collection) -> bool:
    return collection.members.filter(user_id=user.pk, accepted__isnull=False).exists()


def rights(user, collection: Collection) -> Rights:
    """What ``user`` (None or anonymous for a visitor) may do with ``collection``."""
    listed = collection.visibility != Collection.PRIVATE
    if not signed_in(user):
        return Rights(view=listed, edit=False, own=False)
    if collection.owner_id == user.pk:
        return Rights(view=True, edit=True, own=True)
    member = _is_member(user, collection)
    return Rights(view=listed or member, edit=member, own=False)


def get_visible(user, collection_id: int) -> tuple[Collection, Rights]:
    """The collection ``user`` may see, with their rights; NotFound otherwise."""
    collection = Collection.objects.select_related("owner").filter(pk=collection_id).first()
    if collection is None or not collection.owner.is_active:
        raise NotFound(f"no collection {collection_id}")
    allowed = rights(user, collection)
    if not allowed.view:
        raise NotFound(f"no collection {collection_id}")
    return collection, allowed


def check_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden("log in to use collections")
    if not user.is_active:
        raise Forbidden("this account is deactivated")


def _editable(user, collection_id: int) -> Collection:
    check_user(user)
    collection, allowed = get_visible(user, collection_id)
    if not allowed.edit:
        raise Forbidden("only the owner and the collaborators of this collection can change it")
    return collection


def owned(user, collection_id: int) -> Collection:
    collection = _editable(user, collection_id)
    if collection.owner_id != user.pk:
        raise Forbidden("only the owner of this collection can do that")
    return collection


# -- listing --------------------------------------------------------------------------------


def _counted(queryset: QuerySet) -> QuerySet:
    """With ``n_items``; in the model's order (Django leaves ``Meta.ordering`` out of a query
    that aggregates)."""
    counted = queryset.select_related("owner").annotate(n_items=Count("items", distinct=True))
    return counted.order_by(*(queryset.query.order_by or Collection._meta.ordering))


def collections_of(user) -> list[Collection]:
    """The collections ``user`` owns or collaborates on (accepted), "Read later" first."""
    if not signed_in(user):
        return []
    mine = Q(owner=user) | Q(members__user=user, members__accepted__isnull=False)
    return list(_counted(Collection.objects.filter(mine).distinct()))


def public_of(owner) -> list[Collection]:
    """``owner``'s public collections (their profile page lists them)."""
    return list(_counted(Collection.objects.filter(owner=owner, visibility=Collection.PUBLIC)))


def public_collections(page: int = 1, per_page: int = 50) -> tuple[list[Collection], int]:
    """Every active user's public collection, the most recently changed first; and the total."""
    listed = Collection.objects.filter(visibility=Collection.PUBLIC, owner__is_active=True)
    total = listed.count()
    start = (page - 1) * per_page
    return list(_counted(listed.order_by("-updated", "-pk"))[start : start + per_page]), total


def items_of(collection: Collection) -> list[CollectionItem]:
    """The collection's items in order, the hidden and withdrawn papers left out."""
    return list(
        collection.items.filter(paper__hidden=False, paper__deleted=False).select_related(
            "added_by"
        )
    )


def saved_paper_ids(user, paper_ids) -> set[str]:
    """Which of ``paper_ids`` ``user`` has in any of their own collections."""
    if not signed_in(user):
        return set()
    found = CollectionItem.objects.filter(collection__owner=user, paper_id__in=list(paper_ids))
    return set(found.values_list("paper_id", flat=True))


# -- collections ----------------------------------------------------------------------------


def _clean_name(name) -> str:
    if not isinstance(name, str):
        raise CollectionError("the name must be text")
    name = " ".join(name.split())
    if not name:
        raise CollectionError("the name is empty")
    if len(name) > MAX_NAME:
        raise CollectionError(f"the name is {len(name):,} characters; the limit is {MAX_NAME}")
    return name


def _clean_description(description) -> str:
    if not isinstance(description, str):
        raise CollectionError("the description must be text")
    description = description.replace("\r\n", "\n").strip()
    if len(description) > MAX_DESCRIPTION:
        raise CollectionError(
            f"the description is {len(description):,} characters; the limit is {MAX_DESCRIPTION:,}"
        )
    return description


def _clean_visibility(visibility) -> str:
    if visibility not in VISIBILITIES:
        raise CollectionError(
            f"visibility must be one of {', '.join(VISIBILITIES)}, not {str(visibility)[:20]!r}"
        )
    return visibility


def _free_slug(owner, name: str, exclude: int | None = None) -> str:
    base = slugify(name)[:200].strip("-") or "collection"
    taken = set(
        Collection.objects.filter(owner=owner, slug__startswith=base)
        .exclude(pk=exclude)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_room(owner) -> None:
    if Collection.objects.filter(owner=owner).count() >= MAX_COLLECTIONS:
        raise CollectionError(
            f"you have {MAX_COLLECTIONS} collections, the limit; delete one to make another"
        )


def create(
    user, name: str, *, description: str = "", visibility: str = Collection.PRIVATE
) -> Collection:
    """A new collection of ``user``'s."""
    check_user(user)
    name = _clean_name(name)
    description = _clean_description(description)
    visibility = _clean_visibility(visibility)
    with transaction.atomic():
        _check_room(user)
        return Collection.objects.create(
            owner=user,
            name=name,
            slug=_free_slug(user, name),
            description=description,
            visibility=visibility,
        )


def read_later(user) -> Collection:
    """``user``'s "Read later", made (private) on first use."""
    check_user(user)
    found = Collection.objects.filter(owner=user, is_default=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            _check_room(user)
            return Collection.objects.create(
                owner=user,
                name=READ_LATER,
                slug=_free_slug(user, READ_LATER),
                is_default=True,
            )
    except IntegrityError:  # made at the same moment by another request
        return Collection.objects.get(owner=user, is_default=True)


def update(
    user,
    collection_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
) -> Collection:
    """Rename, describe or change the visibility of ``user``'s own collection."""
    collection = owned(user, collection_id)
    if name is not None:
        collection.name = _clean_name(name)
        collection.slug = _free_slug(user, collection.name, exclude=collection.pk)
    if description is not None:
        collection.description = _clean_description(description)
    if visibility is not None:
        collection.visibility = _clean_visibility(visibility)
    collection.save()
    return collection


def delete(user, collection_id: int) -> None:
    """Delete ``user``'s own collection with its items and collaborators."""
    owned(user, collection_id).delete()


# -- items ----------------------------------------------------------------------------------


def _touch(collection: Collection) -> None:
    Collection.objects.filter(pk=collection.pk).update(updated=timezone.now())


def visible_paper(paper_id) -> Paper:
    paper_id = str(paper_id or "").strip()
    paper = Paper.objects.visible().filter(pk=paper_id).only("pk").first()
    if paper is None:
        raise NotFound(f"no paper {paper_id[:40]!r}")
    return paper


def add(user, collection_id: int, paper_id: str) -> tuple[CollectionItem, bool]:
    """Put a paper at the end of a collection; (item, True), or (the item, False) when it was
    already there."""
    collection = _editable(user, collection_id)
    return _add(user, collection, visible_paper(paper_id))


def _add(user, collection: Collection, paper: Paper) -> tuple[CollectionItem, bool]:
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        existing = collection.items.filter(paper=paper).first()
        if existing is not None:
            return existing, False
        if collection.items.count() >= MAX_ITEMS:
            raise CollectionError(
                f"“{collection.name}” holds {MAX_ITEMS:,} papers, the limit; remove some first"
            )
        last = collection.items.aggregate(last=Max("position"))["last"]
        item = CollectionItem.objects.create(
            collection=collection,
            paper=paper,
            position=0 if last is None else last + 1,
            added_by=user,
        )
    _touch(collection)
    return item, True


@dataclass(frozen=True)
class Added:
    """What :func:`add_many` did: papers added, papers already there whose note it replaced,
    and papers already there left as they were."""

    collection: Collection
    added: list[str]
    noted: list[str]
    kept: list[str]


def room_for(collection: Collection, paper_ids) -> None:
    """Raise :class:`CollectionError` when adding ``paper_ids`` would pass :data:`MAX_ITEMS`."""
    wanted = set(paper_ids)
    there = set(collection.items.values_list("paper_id", flat=True))
    total = len(there | wanted)
    if total > MAX_ITEMS:
        raise CollectionError(
            f"this would put {total:,} papers in “{collection.name}”; the limit is "
            f"{MAX_ITEMS:,}: remove some or import fewer"
        )


def add_many(user, collection_id: int, entries: list[tuple[str, str]], *, reserve=()) -> Added:
    """Add ``(paper_id, note)`` pairs at the end of a collection, in order (an import). A paper
    already there keeps its place; its note is replaced by a non-empty note that differs, never
    by an empty one. Papers not visible are skipped. Nothing is added when the papers and
    those of ``reserve`` (to be added later) would pass :data:`MAX_ITEMS`."""
    collection = _editable(user, collection_id)
    notes: dict[str, str] = {}
    for paper_id, note in entries:
        note = _clean_note(note, f" on {str(paper_id)[:40]}")
        if paper_id not in notes or (note and not notes[paper_id]):
            notes[paper_id] = note
    ids = list(notes)
    shown: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = Paper.objects.visible().filter(pk__in=ids[start : start + 500])
        shown.update(chunk.values_list("pk", flat=True))
    done = Added(collection, [], [], [])
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        room_for(collection, [p for p in ids if p in shown] + list(reserve))
        there = {item.paper_id: item for item in collection.items.all()}
        last = max((item.position for item in there.values()), default=-1)
        new, changed = [], []
        for paper_id in ids:
            item, note = there.get(paper_id), notes[paper_id]
            if item is not None and note and note != item.note:
                item.note, item.note_html = note, render_note(note)
                changed.append(item)
                done.noted.append(paper_id)
            elif item is not None:
                done.kept.append(paper_id)
            elif paper_id in shown:
                last += 1
                row = {"paper_id": paper_id, "position": last, "added_by": user}
                new.append(CollectionItem(collection=collection, note=note, **row))
                new[-1].note_html = render_note(note)
                done.added.append(paper_id)
        CollectionItem.objects.bulk_create(new, batch_size=500)
        CollectionItem.objects.bulk_update(changed, ["note", "note_html"], batch_size=500)
    if new or changed:
        _touch(collection)
    return done


def save(user, paper_id: str) -> tuple[CollectionItem, bool]:
    """One-click Save: the paper into ``user``'s "Read later"."""
    check_user(user)
    paper = visible_paper(paper_id)
    return _add(user, read_later(user), paper)


def remove(user, collection_id: int, paper_id: str) -> bool:
    """Take a paper out of a collection; False when it was not there."""
    collection = _editable(user, collection_id)
    removed, _ = collection.items.filter(paper_id=str(paper_id)).delete()
    if removed:
        _touch(collection)
    return bool(removed)


def _item(collection: Collection, paper_id: str) -> CollectionItem:
    item = collection.items.filter(paper_id=str(paper_id)).first()
    if item is None:
        raise NotFound(f"{str(paper_id)[:40]!r} is not in “{collection.name}”")
    return item


def _clean_note(note, of: str = "") -> str:
    if not isinstance(note, str):
        raise CollectionError("the note must be text")
    note = note.replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        raise CollectionError(
            f"the note{of} is {len(note):,} characters; the limit is {MAX_NOTE:,}"
        )
    return note


def set_note(user, collection_id: int, paper_id: str, note) -> CollectionItem:
    """Replace the note of a paper in a collection (empty removes it)."""
    collection = _editable(user, collection_id)
    note = _clean_note(note)
    item = _item(collection, paper_id)
    item.note, item.note_html = note, render_note(note)
    item.save(update_fields=["note", "note_html"])
    _touch(collection)
    return item


def move(user, collection_id: int, paper_id: str, direction: str) -> bool:
    """Swap a paper with its neighbour above (``up``) or below (``down``); False at an end."""
    if direction not in ("up", "down"):
        raise CollectionError(f"direction must be up or down, not {str(direction)[:10]!r}")
    collection = _editable(user, collection_id)
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        item = _item(collection, paper_id)
        _renumber_ties(collection)
        item.refresh_from_db(fields=["position"])
        if direction == "up":
            other = collection.items.filter(position__lt=item.position).order_by("-position")
        else:
            other = collection.items.filter(position__gt=item.position).order_by("position")
        neighbour = other.first()
        if neighbour is None:
            return False
        item.position, neighbour.position = neighbour.position, item.position
        CollectionItem.objects.bulk_update([item, neighbour], ["position"])
    _touch(collection)
    return True


def _renumber_ties(collection: Collection) -> None:
    """Positions 0..n-1 again when two items share one (concurrent adds), so swaps are exact."""
    positions = list(collection.items.values_list("position", flat=True))
    if len(positions) != len(set(positions)):
        items = list(collection.items.all())
        for n, row in enumerate(items):
            row.position = n
        CollectionItem.objects.bulk_update(items, ["position"])


def reorder(user, collection_id: int, paper_ids: list[str]) -> None:
    """Put the collection's papers in the order of ``paper_ids`` (each of its papers once)."""
    collection = _editable(user, collection_id)
    if not isinstance(paper_ids, list) or not all(isinstance(p, str) for p in paper_ids):
        raise CollectionError("the order must be a list of paper ids")
    with transaction.atomic():
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        items = {item.paper_id: item for item in collection.items.all()}
        if len(set(paper_ids)) != len(paper_ids):
            raise CollectionError("the order names a paper twice")
        if set(paper_ids) != set(items):
            missing = sorted(set(items) - set(paper_ids))[:3]
            extra = sorted(set(paper_ids) - set(items))[:3]
            said = [f"missing {', '.join(missing)}" if missing else ""]
            said.append(f"not in the collection: {', '.join(extra)}" if extra else "")
            raise CollectionError(
                "the order must name each paper of the collection once ("
                + "; ".join(s for s in said if s)
                + ")"
            )
        for n, paper_id in enumerate(paper_ids):
            items[paper_id].position = n
        CollectionItem.objects.bulk_update(list(items.values()), ["position"])
    _touch(collection)
