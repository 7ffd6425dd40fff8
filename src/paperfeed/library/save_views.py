"""The Save button of cards and the paper page (``{% save_button paper %}``): one POST puts the
paper in the user's "Read later" and, with htmx, swaps the button for "Saved to Read later" and
a small menu (a ``<details>``: keyboard-reachable, no script of ours) to put it in another
collection or a new one. Without JavaScript each is a plain form that comes back to ``next``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from paperfeed.library import collections
from paperfeed.library.views import _back, _refused
from paperfeed.papers.models import Paper


def _widget(request: HttpRequest, paper_id: str, said: str) -> HttpResponse:
    paper = Paper.objects.only("arxiv_id", "title").get(pk=paper_id)
    mine = [c for c in collections.collections_of(request.user) if not c.is_default]
    context = {"paper": paper, "saved": True, "said": said, "menu": mine, "next": _back(request)}
    return render(request, "library/_save_button.html", context)


def _done(request: HttpRequest, paper_id: str, do, said) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(_back(request))
    try:
        item, _ = do()
    except collections.CollectionError as exc:
        if isinstance(exc, collections.NotFound) and "paper" in str(exc):
            return _refused(request, exc)
        if request.htmx:  # said in the widget (htmx swaps 2xx answers only)
            return _widget(request, paper_id, f"Not saved: {exc}")
        messages.error(request, f"Not saved: {exc}.")
        return redirect(_back(request))
    text = said(item.collection)
    if request.htmx:
        return _widget(request, item.paper_id, text)
    messages.success(request, f"{text}.")
    return redirect(_back(request))


@require_POST
def save(request: HttpRequest) -> HttpResponse:
    """Save ``paper`` to the user's "Read later" (made on first use)."""
    paper = request.POST.get("paper", "")
    return _done(
        request,
        paper,
        lambda: collections.save(request.user, paper),
        lambda c: f"Saved to {c.name}",
    )


@require_POST
def add(request: HttpRequest, collection_id: int) -> HttpResponse:
    """Put ``paper`` in one of the user's collections (the Save menu, the import pages)."""
    paper = request.POST.get("paper", "")
    return _done(
        request,
        paper,
        lambda: collections.add(request.user, collection_id, paper),
        lambda c: f"Saved to {c.name}",
    )


@require_POST
def save_new(request: HttpRequest) -> HttpResponse:
    """Make a collection called ``name`` and put ``paper`` in it."""
    paper = request.POST.get("paper", "")

    def do():
        collections.visible_paper(paper)  # a bad paper id makes no empty collection
        made = collections.create(request.user, request.POST.get("name", ""))
        return collections.add(request.user, made.pk, paper)

    return _done(request, paper, do, lambda c: f"Saved to {c.name}")
