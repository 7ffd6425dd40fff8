"""The /settings page (one place for a reader's personal choices) and the seen papers' routes:
the seen mode, "forget what I've seen", and a card's Dismiss / Undo.

Every change is a POST with the CSRF token that comes back to a page (``next``, same site
only); Dismiss answered to htmx swaps the card in place instead. The choices themselves live
in :mod:`paperfeed.personal.preferences` and :mod:`paperfeed.personal.seen`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from paperfeed.papers import lists
from paperfeed.personal import mutes, preferences, seen
from paperfeed.personal.models import Preferences

RECENT_DISMISSED = 10
"""Dismissed papers the settings page lists, each with its Undo."""


def _next(request: HttpRequest) -> str | None:
    """The page to go back to (a same-site ``next``), or None."""
    candidate = request.POST.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _settings_url() -> str:
    return reverse("personal:settings")


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    """The reader's settings: seen papers, order, mutes, follows, onboarding."""
    user = request.user
    dismissed, _ = seen.history(user, how="dismissed", per_page=RECENT_DISMISSED)
    return render(
        request,
        "personal/settings.html",
        {
            "title": "Settings",
            "prefs": preferences.get(user),
            "seen_choices": Preferences.SEEN_CHOICES,
            "seen_counts": seen.count(user),
            "dismissed": dismissed,
            "n_mutes": len(mutes.mutes_of(user)),
        },
    )


@login_required
@require_POST
def seen_mode(request: HttpRequest) -> HttpResponse:
    """Set what lists and digests do with seen papers (``seen``: show, dim or hide)."""
    try:
        prefs = preferences.set_seen(request.user, request.POST.get("seen", ""))
    except preferences.PreferenceError as exc:
        messages.error(request, f"Not changed: {exc}.")
        return redirect(_settings_url() + "#seen")
    said = dict(Preferences.SEEN_CHOICES)[prefs.seen].lower()
    messages.success(request, f"Papers you have seen: {said}.")
    return redirect(_next(request) or _settings_url() + "#seen")


@login_required
@require_POST
def seen_forget(request: HttpRequest) -> HttpResponse:
    """Forget the papers the user opened or dismissed (upvotes stay)."""
    gone = seen.clear(request.user)
    messages.success(
        request,
        f"Forgot {gone} paper{'s' if gone != 1 else ''} you had opened or dismissed: they are "
        "new to you again (upvoted papers still count as seen).",
    )
    return redirect(_settings_url() + "#seen")


def _card(request: HttpRequest, paper_id: str, back: str) -> HttpResponse:
    """The card of ``paper_id`` as lists show it to this user now (htmx answers)."""
    found = lists.hydrate([paper_id], request.user)
    if not found:
        return HttpResponse(f"No paper {paper_id[:40]!r} here.", status=404)
    paper = seen.dim(found, request.user)[0]
    context = {"paper": paper, "next": back, "focus": True}
    if paper.dismissed and not paper.dimmed:  # hidden or shown as usual: fold it to one line
        return render(request, "personal/_dismissed_card.html", context)
    return render(request, "web/_card.html", context)


@require_POST
def dismiss(request: HttpRequest) -> HttpResponse:
    """Dismiss a paper (``paper``, ``dismissed=1``) or undo it (``dismissed=0``); back to
    ``next``, or with htmx the card as it now is (dimmed, or folded with an Undo)."""
    paper_id = request.POST.get("paper", "").strip()
    back = _next(request) or _settings_url()
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    wanted = request.POST.get("dismissed", "1")
    try:
        if wanted not in ("0", "1"):
            raise seen.SeenError(f"dismissed must be 1 or 0, not {wanted[:10]!r}")
        if wanted == "1":
            seen.dismiss(request.user, paper_id)
            said = "Dismissed"
        else:
            seen.undismiss(request.user, paper_id)
            said = "Not dismissed any more"
    except seen.SeenError as exc:
        if request.htmx:
            return HttpResponse(f"Not changed: {exc}.", status=400)
        messages.error(request, f"Not changed: {exc}.")
        return redirect(back)
    if request.htmx:
        return _card(request, paper_id, back)
    messages.success(request, f"{said}: {paper_id}.")
    return redirect(back)
