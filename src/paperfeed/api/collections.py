"""Collections through the API, each route thin over :mod:`paperfeed.library.collections` and
:mod:`paperfeed.library.pages` (the pages' JSON twins have the same shapes).

Reading a collection is public for unlisted and public ones (a private one is a 404 to anyone
but its owner and collaborators); everything else needs a token or a session with CSRF. A
refusal is 400 (bad input, a limit), 403 (not yours to change) or 404, with the reason.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from paperfeed.api import errors
from paperfeed.api.auth import WRITE_AUTH, optional_user
from paperfeed.api.schemas import ErrorOut
from paperfeed.library import collaborators, collections, pages, shapes
from paperfeed.ops import throttle

router = Router(tags=["Collections"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Visibility = Literal["private", "unlisted", "public"]


class CollectionOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    visibility: str
    is_default: bool = Field(description='Whether this is the owner\'s "Read later".')
    owner: str
    url: str = Field(description="The collection's page on the site.")
    n_items: int | None
    created: str
    updated: str


class InvitationOut(CollectionOut):
    invited_by: str


class MineOut(Schema):
    collections: list[CollectionOut]
    invitations: list[InvitationOut]


class PublicOut(Schema):
    total: int
    collections: list[CollectionOut]


class ItemOut(Schema):
    paper: str
    title: str
    position: int
    note: str = Field(description="Markdown source.")
    note_html: str = Field(description="Sanitised HTML, math as MathML.")
    added: str
    added_by: str | None


class FullOut(CollectionOut):
    items: list[ItemOut]


class CollectionIn(Schema):
    name: str
    description: str = ""
    visibility: Visibility = "private"


class CollectionPatch(Schema):
    name: str | None = None
    description: str | None = None
    visibility: Visibility | None = None


class PaperIn(Schema):
    paper: str = Field(description="An arXiv id stored here, e.g. 2503.00001.")


class NoteIn(PaperIn):
    note: str = Field(description=f"Markdown, $...$ math; at most {collections.MAX_NOTE:,} chars.")


class OrderIn(Schema):
    papers: list[str] = Field(description="Every paper of the collection once, in the new order.")


class InviteIn(Schema):
    username: str


def collection_call(do):
    """Run a collections call; its refusal as 404, 403 or 400 with the reason."""
    return errors.answering(
        do,
        {collections.NotFound: 404, collections.Forbidden: 403, collections.CollectionError: 400},
    )


def _full(user, collection_id: int) -> dict:
    return collection_call(lambda: pages.collection_page(user, collection_id)).as_json()


@router.get(
    "/me/collections", auth=WRITE_AUTH, response={200: MineOut, 401: ErrorOut}, summary="Yours"
)
def list_mine(request: HttpRequest):
    """The caller's collections (owned, or edited as an accepted collaborator) and the
    invitations they have not answered."""
    me = request.auth
    return {
        "collections": [shapes.summary(c) for c in collections.collections_of(me)],
        "invitations": [
            {**shapes.summary(m.collection), "invited_by": m.invited_by.get_username()}
            for m in collaborators.invitations_of(me)
            if m.invited_by
        ],
    }


@router.post(
    "/me/collections", auth=WRITE_AUTH, response={201: CollectionOut, **ERRORS}, summary="Create"
)
def create(request: HttpRequest, payload: CollectionIn):
    """201 with the new collection; 400 when the name is empty or too long, or the caller has
    the most collections allowed."""
    made = collection_call(
        lambda: collections.create(
            request.auth,
            payload.name,
            description=payload.description,
            visibility=payload.visibility,
        )
    )
    return Status(201, shapes.summary(made))


@router.post(
    "/me/saved", auth=WRITE_AUTH, response={200: ItemOut, 201: ItemOut, **ERRORS}, summary="Save"
)
def save(request: HttpRequest, payload: PaperIn):
    """One-click Save: the paper into the caller's "Read later" (made on first use); 201 when
    added, 200 when it was there already."""
    item, new = collection_call(lambda: collections.save(request.auth, payload.paper))
    return Status(201 if new else 200, shapes.item(item))


@router.get("/collections/public", response={200: PublicOut, **ERRORS}, summary="Public ones")
def public(request: HttpRequest, page: int = Query(1, ge=1, le=10_000)):
    """Every public collection, the most recently changed first, 50 a page."""
    found, total = collections.public_collections(page, 50)
    return {"total": total, "collections": [shapes.summary(c) for c in found]}


@router.get("/collections/{int:collection_id}", response={200: FullOut, **ERRORS}, summary="Get")
def get(request: HttpRequest, collection_id: int):
    """A collection with its papers in order and their notes. Unlisted and public ones are
    anyone's; a private one is a 404 but to its owner and collaborators (token or session)."""
    return _full(optional_user(request), collection_id)


@router.patch(
    "/collections/{int:collection_id}",
    auth=WRITE_AUTH,
    response={200: CollectionOut, **ERRORS},
    summary="Rename, describe, share",
)
def update(request: HttpRequest, collection_id: int, payload: CollectionPatch):
    """The owner only (403 for a collaborator); fields left out stay as they are."""
    changed = collection_call(
        lambda: collections.update(
            request.auth,
            collection_id,
            name=payload.name,
            description=payload.description,
            visibility=payload.visibility,
        )
    )
    return shapes.summary(changed)


@router.delete(
    "/collections/{int:collection_id}",
    auth=WRITE_AUTH,
    response={204: None, **ERRORS},
    summary="Delete",
)
def delete(request: HttpRequest, collection_id: int):
    """The owner only; the items and collaborators go with it."""
    collection_call(lambda: collections.delete(request.auth, collection_id))
    return Status(204, None)


@router.post(
    "/collections/{int:collection_id}/items",
    auth=WRITE_AUTH,
    response={200: ItemOut, 201: ItemOut, **ERRORS},
    summary="Add a paper",
)
def add_item(request: HttpRequest, collection_id: int, payload: PaperIn):
    """At the end; 201 when added, 200 when it was there already. Owner or collaborator."""
    item, new = collection_call(lambda: collections.add(request.auth, collection_id, payload.paper))
    return Status(201 if new else 200, shapes.item(item))


@router.delete(
    "/collections/{int:collection_id}/items",
    auth=WRITE_AUTH,
    response={204: None, **ERRORS},
    summary="Remove a paper",
)
def remove_item(request: HttpRequest, collection_id: int, paper: str = Query(...)):
    """``?paper=`` (ids may hold a slash); 404 when it was not in the collection."""
    if not collection_call(lambda: collections.remove(request.auth, collection_id, paper)):
        raise HttpError(404, f"{paper[:40]!r} is not in collection {collection_id}")
    return Status(204, None)


@router.put(
    "/collections/{int:collection_id}/note",
    auth=WRITE_AUTH,
    response={200: ItemOut, **ERRORS},
    summary="Set a paper's note",
)
def set_note(request: HttpRequest, collection_id: int, payload: NoteIn):
    """Replace the note (an empty one removes it); the answer has its sanitised HTML."""
    item = collection_call(
        lambda: collections.set_note(request.auth, collection_id, payload.paper, payload.note)
    )
    return shapes.item(item)


@router.put(
    "/collections/{int:collection_id}/order",
    auth=WRITE_AUTH,
    response={200: FullOut, **ERRORS},
    summary="Reorder",
)
def reorder(request: HttpRequest, collection_id: int, payload: OrderIn):
    """Every paper of the collection once, in the new order; the collection as it now is."""
    collection_call(lambda: collections.reorder(request.auth, collection_id, payload.papers))
    return _full(request.auth, collection_id)


@router.post(
    "/collections/{int:collection_id}/invitations",
    auth=WRITE_AUTH,
    response={201: None, 429: ErrorOut, **ERRORS},
    summary="Invite a collaborator",
)
def invite(request: HttpRequest, collection_id: int, payload: InviteIn):
    """The owner invites a user by name to edit; they accept or decline. 429 over
    ``PAPERFEED_LIMIT_INVITE``."""
    if refused := throttle.consume(request, "invite", user=request.auth):
        return refused.response(request)
    collection_call(lambda: collaborators.invite(request.auth, collection_id, payload.username))
    return Status(201, None)


@router.post(
    "/collections/{int:collection_id}/{answer}",
    auth=WRITE_AUTH,
    response={204: None, **ERRORS},
    summary="Accept, decline or leave",
)
def answer(request: HttpRequest, collection_id: int, answer: Literal["accept", "decline", "leave"]):
    """``accept`` or ``decline`` the caller's invitation, or ``leave`` a collection they edit."""
    if answer == "accept":
        collection_call(lambda: collaborators.accept(request.auth, collection_id))
    else:
        collection_call(lambda: collaborators.decline(request.auth, collection_id))
    return Status(204, None)
