"""The collection pages: ``/collections`` (the user's own and their invitations; ``POST`` makes
one), ``/collections/new``, ``/collections/public``, ``/collections/<id>-<slug>`` (the papers as
cards with their notes; changes for those who may) and each change as a POST with the CSRF
token. Every list has a JSON twin (``?format=json``). The logic is
:mod:`paperfeed.library.collections` and :mod:`paperfeed.library.pages`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paperfeed.library import collaborators, collections, pages, shapes
from paperfeed.library.models import Collection
from paperfeed.ops import throttle
from paperfeed.personal.views import _next
from paperfeed.web.paper import not_found
from paperfeed.web.params import BadParameter, bad_request, int_param

PER_PAGE = 50


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json"


def _refused(request: HttpRequest, exc: collections.CollectionError) -> HttpResponse:
    """A refusal as the page (or htmx fragment, or JSON) that says why."""
    if isinstance(exc, collections.NotFound):
        status = 404
    else:
        status = 403 if isinstance(exc, collections.Forbidden) else 400
    if request.htmx:
        return HttpResponse(f"Not changed: {exc}.", status=status)
    if status == 404:
        return not_found(request, f"{str(exc).capitalize()}.")
    return render(
        request, "web/error.html", {"title": "Not changed", "message": f"{exc}."}, status=status
    )


def _back(request: HttpRequest, collection: Collection | None = None) -> str:
    if back := _next(request):
        return back
    return shapes.collection_url(collection) if collection else reverse("library:collections")


# -- lists ----------------------------------------------------------------------------------


def _mine(request: HttpRequest, *, error: str = "", name: str = "", status: int = 200):
    theirs = collections.collections_of(request.user)
    invitations = collaborators.invitations_of(request.user)
    if _wants_json(request):
        return JsonResponse(
            {
                "collections": [shapes.summary(c) for c in theirs],
                "invitations": [
                    {**shapes.summary(m.collection), "invited_by": m.invited_by.get_username()}
                    for m in invitations
                    if m.invited_by
                ],
            }
        )
    context = {
        "title": "Collections",
        "collections": theirs,
        "invitations": invitations,
        "error": error,
        "name": name,
        "visibilities": Collection.VISIBILITIES,
        "max_collections": collections.MAX_COLLECTIONS,
    }
    return render(request, "library/collections.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def collection_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's collections and invitations; POST: make one (name, description,
    visibility) and open it."""
    if request.method == "GET":
        return _mine(request)
    name = request.POST.get("name", "")
    try:
        made = collections.create(
            request.user,
            name,
            description=request.POST.get("description", ""),
            visibility=request.POST.get("visibility") or Collection.PRIVATE,
        )
    except collections.CollectionError as exc:
        return _mine(request, error=str(exc), name=name, status=400)
    messages.success(request, f"Made “{made.name}”.")
    return redirect(shapes.collection_url(made))


@login_required
@require_GET
def collection_new(request: HttpRequest) -> HttpResponse:
    """The form of a new collection (it posts to /collections)."""
    context = {"title": "New collection", "visibilities": Collection.VISIBILITIES}
    return render(request, "library/new.html", context)


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Every public collection, the most recently changed first (?page=)."""
    try:
        number = int_param(request, "page", 1)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    found, total = collections.public_collections(number, PER_PAGE)
    if _wants_json(request):
        return JsonResponse({"total": total, "collections": [shapes.summary(c) for c in found]})
    context = {
        "title": "Public collections",
        "collections": found,
        "total": total,
        "page_number": number,
        "has_next": number * PER_PAGE < total,
    }
    return render(request, "library/public.html", context)


# -- one collection -------------------------------------------------------------------------


@require_GET
def collection_page(request: HttpRequest, collection_id: int, slug: str = "") -> HttpResponse:
    """The collection's papers as cards with their notes (?format=json: the same as JSON)."""
    try:
        page = pages.collection_page(request.user, collection_id)
    except collections.CollectionError as exc:
        return _refused(request, exc)
    if _wants_json(request):
        return JsonResponse(page.as_json())
    canonical = shapes.collection_url(page.collection)
    if slug != page.collection.slug:
        return redirect(canonical, permanent=False)
    feeds = []
    if page.collection.visibility != Collection.PRIVATE:
        feeds = [
            {
                "type": f"application/{kind}+xml",
                "title": f"{page.collection.name} ({label})",
                "href": url,
                "label": label,
            }
            for kind, label, url in (
                ("rss", "RSS", reverse("library:feed-rss", args=[collection_id])),
                ("atom", "Atom", reverse("library:feed-atom", args=[collection_id])),
            )
        ]
    context = {
        "title": page.collection.name,
        "page": page,
        "collection": page.collection,
        "rights": page.rights,
        "items": page.items,
        "members": page.members,
        "alternates": feeds,
        "visibilities": Collection.VISIBILITIES,
        "max_note": collections.MAX_NOTE,
        "here": canonical,
    }
    return render(request, "library/collection.html", context)


def _change(request: HttpRequest, collection_id: int, do, said) -> HttpResponse:
    """Run ``do()`` (a collections call); back to ``next`` or the collection with ``said``."""
    try:
        result = do()
    except collections.CollectionError as exc:
        if _next(request) and not request.htmx:
            messages.error(request, f"Not changed: {exc}.")
            return redirect(_next(request))
        return _refused(request, exc)
    text = said(result) if callable(said) else said
    if text:
        messages.success(request, text)
    if collection_id is None:
        return redirect(_back(request))
    found = Collection.objects.filter(pk=collection_id).first()
    return redirect(_back(request, found))


@login_required
@require_POST
def collection_edit(request: HttpRequest, collection_id: int) -> HttpResponse:
    """The owner renames, describes or changes the visibility of a collection."""
    post = request.POST
    return _change(
        request,
        collection_id,
        lambda: collections.update(
            request.user,
            collection_id,
            name=post.get("name"),
            description=post.get("description"),
            visibility=post.get("visibility") or None,
        ),
        "Saved the collection's details.",
    )


@login_required
@require_POST
def collection_delete(request: HttpRequest, collection_id: int) -> HttpResponse:
    try:
        collections.delete(request.user, collection_id)
    except collections.CollectionError as exc:
        return _refused(request, exc)
    messages.success(request, "Deleted the collection.")
    return redirect("library:collections")


@login_required
@require_POST
def item_remove(request: HttpRequest, collection_id: int) -> HttpResponse:
    paper = request.POST.get("paper", "")
    return _change(
        request,
        collection_id,
        lambda: collections.remove(request.user, collection_id, paper),
        lambda removed: f"Removed {paper}." if removed else f"{paper} was not there.",
    )


@login_required
@require_POST
def item_move(request: HttpRequest, collection_id: int) -> HttpResponse:
    paper, direction = request.POST.get("paper", ""), request.POST.get("direction", "")
    return _change(
        request,
        collection_id,
        lambda: collections.move(request.user, collection_id, paper, direction),
        "",
    )


@login_required
@require_POST
def item_note(request: HttpRequest, collection_id: int) -> HttpResponse:
    """Set a paper's note; with htmx, the note block as it now is."""
    paper = request.POST.get("paper", "")
    if not request.htmx:
        return _change(
            request,
            collection_id,
            lambda: collections.set_note(
                request.user, collection_id, paper, request.POST.get("note", "")
            ),
            "Saved the note.",
        )
    try:
        item = collections.set_note(
            request.user, collection_id, paper, request.POST.get("note", "")
        )
    except collections.CollectionError as exc:
        return _refused(request, exc)
    context = {
        "item": item,
        "collection": item.collection,
        "rights": collections.Rights(True, True, False),
        "max_note": collections.MAX_NOTE,
        "saved": True,
    }
    return render(request, "library/_note.html", context)


# -- collaborators --------------------------------------------------------------------------


@login_required
@require_POST
def member_invite(request: HttpRequest, collection_id: int) -> HttpResponse:
    username = request.POST.get("username", "")
    if refused := throttle.consume(request, "invite"):
        return refused.response(request)
    return _change(
        request,
        collection_id,
        lambda: collaborators.invite(request.user, collection_id, username),
        lambda member: (
            f"Invited {member.user.get_username()}: they accept on their collections page."
        ),
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, collection_id: int) -> HttpResponse:
    username = request.POST.get("username", "")
    return _change(
        request,
        collection_id,
        lambda: collaborators.remove_member(request.user, collection_id, username),
        lambda removed: f"Removed {username}." if removed else f"{username} was not invited.",
    )


@login_required
@require_POST
def invitation_answer(request: HttpRequest, collection_id: int) -> HttpResponse:
    """Accept (``answer=accept``) or decline an invitation; ``answer=leave`` leaves."""
    answer = request.POST.get("answer", "")
    try:
        if answer == "accept":
            member = collaborators.accept(request.user, collection_id)
            messages.success(request, f"You now edit “{member.collection.name}”.")
            return redirect(shapes.collection_url(member.collection))
        if answer not in ("decline", "leave"):
            raise collections.CollectionError(
                f"answer must be accept, decline or leave, not {answer[:10]!r}"
            )
        collaborators.decline(request.user, collection_id)
    except collections.CollectionError as exc:
        return _refused(request, exc)
    messages.success(request, "Declined." if answer == "decline" else "You left the collection.")
    return redirect("library:collections")
