"""Site views of the digests app for logged-in users: the "more / less like this" buttons
(htmx partial, or a redirect for a plain form post) and the "For you" page.

Every state change is a POST (CSRF-protected by the middleware); anonymous posts go to the login
page (htmx: an ``HX-Redirect`` header), as the community vote does.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from paperfeed.digests import feedback, foryou
from paperfeed.papers import lists
from paperfeed.papers.models import Paper

WANTED = {"1": feedback.MORE, "-1": feedback.LESS, "0": None}


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@require_POST
def paper_feedback(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    """Set the user's signal on the paper to ``signal`` = 1 (more like this), -1 (less) or 0
    (neither); the buttons send the wanted state, so a double click cannot undo itself."""
    paper = get_object_or_404(Paper.objects.visible(), pk=arxiv_id)
    back = _safe_next(request, reverse("paper", args=[paper.pk]))
    if not request.user.is_authenticated:
        url = f"{settings.LOGIN_URL}?{urlencode({'next': back})}"
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    raw = request.POST.get("signal", "")
    if raw not in WANTED:
        message = f"signal must be 1, -1 or 0, not {raw!r}"
        if request.htmx:
            return HttpResponse(message, status=400)
        messages.error(request, message)
        return redirect(back)
    try:
        state = feedback.set_feedback(request.user, paper.pk, WANTED[raw])
    except feedback.FeedbackError as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=403)
        messages.error(request, str(exc))
        return redirect(back)
    if request.htmx:
        context = {"paper": paper, "signal": state, "next": back}
        return render(request, "digests/_feedback_buttons.html", context)
    return redirect(back)


def as_cards(found: foryou.ForYou, user) -> None:
    """Swap each pick's paper for the list-decorated one that ``web/_card.html`` expects
    (authors, comment count, the user's vote, external signals: three queries for the page),
    keeping the "more / less like this" state the picks were loaded with."""
    cards = {p.pk: p for p in lists.hydrate([item.paper.pk for item in found.items], user)}
    for item in found.items:
        card = cards.get(item.paper.pk)
        if card is not None:
            card.feedback_signal = getattr(item.paper, "feedback_signal", None)
            item.paper = card


@login_required
@require_GET
def for_you(request: HttpRequest) -> HttpResponse:
    """The user's recommended recent papers, each with its reason, as the same cards as the day
    page (LaTeX as MathML, authors, signals line, vote button)."""
    found = foryou.for_you(request.user)
    as_cards(found, request.user)
    context = {"title": "For you", "found": found, "recent_days": foryou.RECENT_DAYS}
    return render(request, "digests/for_you.html", context)
