"""The mutes settings page (/settings/mutes): list, add, remove. Every change is a POST with
the CSRF token; the paper page's mute buttons post here too and come back where they were.
/settings/order keeps the list order the lists' For you / Community toggle chose."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.personal import mutes, order, preferences
from paperfeed.personal.models import Mute


def _next(request: HttpRequest) -> str | None:
    """The page to go back to (a same-site ``next``), or None to stay on the settings page."""
    candidate = request.POST.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _page(request: HttpRequest, *, error: str = "", kind: str = "", value: str = "", status=200):
    context = {
        "title": "Mutes",
        "mutes": mutes.mutes_of(request.user),
        "kinds": Mute.KINDS,
        "error": error,
        "kind": kind or Mute.KEYWORD,
        "value": value,
        "max_mutes": mutes.MAX_MUTES,
    }
    return render(request, "personal/mutes.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def mute_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's mutes and the form to add one; POST: add one (``kind``, ``value``)."""
    if request.method == "GET":
        return _page(request)
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    back = _next(request)
    try:
        mute, new = mutes.add_mute(request.user, kind, value)
    except mutes.MuteError as exc:
        if back:
            messages.error(request, f"Not muted: {exc}")
            return redirect(back)
        return _page(request, error=str(exc), kind=kind, value=value, status=400)
    said = f"{mute.get_kind_display()} “{mute.value}”"
    messages.success(request, f"Muted {said}." if new else f"{said} was already muted.")
    return redirect(back or reverse("personal:mutes"))


@login_required
@require_POST
def mute_remove(request: HttpRequest, mute_id: int) -> HttpResponse:
    """Unmute one of the user's mutes."""
    if mutes.remove_by_id(request.user, mute_id):
        messages.success(request, "Unmuted: those papers show again.")
    else:
        messages.error(request, "No such mute of yours.")
    return redirect(_next(request) or reverse("personal:mutes"))


@login_required
@require_POST
def order_choice(request: HttpRequest) -> HttpResponse:
    """Keep ``order`` (``for_you``, ``community`` or ``auto``) as the member's list order
    (:func:`paperfeed.personal.order.remember`) and go back to the list (``next``)."""
    try:
        said = order.remember(request.user, request.POST.get("order", ""))
    except preferences.PreferenceError as exc:
        messages.error(request, f"Order not changed: {exc}")
    else:
        messages.success(request, said)
    return redirect(_next(request) or reverse("home"))
