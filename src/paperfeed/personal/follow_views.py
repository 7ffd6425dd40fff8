"""The follow pages: ``/follows`` (the user's follows by kind, each with its mail alert, unfollow,
its page and private feed; follow something; rotate the feed secret), ``/follows/<id>`` (one
follow's papers), ``/follows/authors?name=`` (which author a name means, before following) and
``/orgs/<name>`` (an organisation's papers). Every change is a POST with the CSRF token; the
follow buttons on other pages post here with ``next`` and come back where they were. The logic is
:mod:`paperfeed.personal.follows`, :mod:`~paperfeed.personal.follow_pages` and
:mod:`~paperfeed.personal.feedtokens`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paperfeed.papers import lists
from paperfeed.personal import feedtokens, follow_pages, follows
from paperfeed.personal.models import Follow
from paperfeed.personal.views import _next
from paperfeed.web.params import BadParameter, bad_request, int_param

PER_PAGE = 50


def follow_link(follow: Follow) -> str:
    """Where a follow's subject lives on the site: the author, category, organisation or
    search page (its own page is ``/follows/<id>``)."""
    if follow.kind == Follow.AUTHOR:
        return reverse("author", args=[int(follow.value)])
    if follow.kind == Follow.CATEGORY:
        return reverse("category", args=[follow.value])
    if follow.kind == Follow.ORG:
        return reverse("personal:org", args=[follow.value])
    return reverse("search") + "?" + urlencode({"q": follow.value})


def private_urls(request: HttpRequest, token: str) -> dict:
    """The absolute URLs of the user's private feeds (merged follows, for you)."""

    def url(name: str, **kw) -> str:
        return request.build_absolute_uri(
            reverse(f"personal:{name}", kwargs={"token": token, **kw})
        )

    return {
        "follows_rss": url("private-follows-rss"),
        "follows_atom": url("private-follows-atom"),
        "for_you_rss": url("private-for-you-rss"),
        "for_you_atom": url("private-for-you-atom"),
    }


def _groups(request: HttpRequest, theirs: list[Follow], token: str) -> list[tuple[str, list]]:
    by_kind: dict[str, list] = {kind: [] for kind, _ in Follow.KINDS}
    for f in theirs:
        feed = reverse("personal:private-follow-rss", kwargs={"token": token, "follow_id": f.pk})
        f.link = follow_link(f)
        f.feed_url = request.build_absolute_uri(feed)
        by_kind[f.kind].append(f)
    titles = {
        Follow.AUTHOR: "Authors",
        Follow.CATEGORY: "Categories",
        Follow.ORG: "Organisations",
        Follow.SEARCH: "Searches",
    }
    return [(titles[kind], items) for kind, items in by_kind.items() if items]


def _page(request: HttpRequest, *, error="", kind="", value="", status=200) -> HttpResponse:
    theirs = follows.follows_of(request.user)
    token = feedtokens.token_for(request.user)
    context = {
        "title": "Follows",
        "groups": _groups(request, theirs, token),
        "count": len(theirs),
        "kinds": Follow.KINDS,
        "alerts": Follow.ALERTS,
        "error": error,
        "kind": kind or Follow.SEARCH,
        "value": value,
        "max_follows": follows.MAX_FOLLOWS,
        "private": private_urls(request, token),
    }
    return render(request, "personal/follows.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def follow_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's follows; POST: follow ``kind``/``value`` (optional ``alert``)."""
    if request.method == "GET":
        return _page(request)
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    alert = request.POST.get("alert") or None
    back = _next(request)
    try:
        row, new = follows.follow(request.user, kind, value, alert=alert)
    except follows.FollowError as exc:
        if back:
            messages.error(request, f"Not followed: {exc}")
            return redirect(back)
        return _page(request, error=str(exc), kind=kind, value=value, status=400)
    said = f"{row.get_kind_display().lower()} “{row.label or row.value}”"
    messages.success(request, f"Following {said}." if new else f"You already follow {said}.")
    return redirect(back or reverse("personal:follows"))


@login_required
@require_POST
def follow_remove(request: HttpRequest, follow_id: int) -> HttpResponse:
    """Unfollow one of the user's follows."""
    if follows.unfollow(request.user, follow_id):
        messages.success(request, "Unfollowed.")
    else:
        messages.error(request, "No such follow of yours.")
    return redirect(_next(request) or reverse("personal:follows"))


@login_required
@require_POST
def follow_alert(request: HttpRequest, follow_id: int) -> HttpResponse:
    """Set the mail alert of one follow (``alert``: none, instant, daily or weekly)."""
    try:
        row = follows.set_alert(request.user, follow_id, request.POST.get("alert", ""))
    except follows.NoSuchFollow as exc:
        raise Http404(str(exc)) from None
    except follows.FollowError as exc:
        return _page(request, error=str(exc), status=400)
    name = row.label or row.value
    messages.success(request, f"Alert of “{name}”: {row.get_alert_display().lower()}.")
    return redirect(_next(request) or reverse("personal:follows"))


@login_required
@require_POST
def rotate_token(request: HttpRequest) -> HttpResponse:
    """A new secret for the private feeds: the old URLs stop working."""
    feedtokens.rotate(request.user)
    messages.success(
        request,
        "New private feed addresses below: the old ones no longer work. Update your feed reader.",
    )
    return redirect(reverse("personal:follows") + "#private-feeds")


@login_required
@require_GET
def follow_page(request: HttpRequest, follow_id: int) -> HttpResponse:
    """The papers of one follow, newest first, a page at a time."""
    try:
        row = follows.get(request.user, follow_id)
        page = follow_pages.follow_papers(
            row, user=request.user, page=int_param(request, "page", 1), per_page=PER_PAGE
        )
    except follows.NoSuchFollow as exc:
        raise Http404(str(exc)) from None
    except (BadParameter, lists.ListError) as exc:
        return bad_request(request, str(exc))
    token = feedtokens.token_for(request.user)
    kw = {"token": token, "follow_id": row.pk}
    context = {
        "title": f"Following {row.label or row.value}",
        "follow": row,
        "link": follow_link(row),
        "alerts": Follow.ALERTS,
        "page": page,
        "papers": page.items,
        "feed_rss": request.build_absolute_uri(reverse("personal:private-follow-rss", kwargs=kw)),
        "feed_atom": request.build_absolute_uri(reverse("personal:private-follow-atom", kwargs=kw)),
    }
    return render(request, "personal/follow.html", context)


@require_GET
def author_chooser(request: HttpRequest) -> HttpResponse:
    """The authors ``?name=`` may mean, each with what tells them apart and a follow button."""
    name = " ".join(request.GET.get("name", "").split())[:200]
    found = follow_pages.candidates(name) if name else []
    context = {"title": "Which author?", "name": name, "candidates": found}
    return render(request, "personal/follow_authors.html", context)


@require_GET
def org_page(request: HttpRequest, name: str) -> HttpResponse:
    """A local organisation's page (:func:`paperfeed.orgs.views.local`: also for the Hugging
    Face name it claims), else the organisation's papers as Hugging Face names it, newest first,
    with a follow button."""
    from paperfeed.orgs import views as org_views

    if (answer := org_views.local(request, name)) is not None:
        return answer
    org = follow_pages.organisation(name)
    if org is None:
        raise Http404(f"no organisation called {name[:80]!r} has papers here")
    try:
        page = follow_pages.org_papers(
            org.name, user=request.user, page=int_param(request, "page", 1), per_page=PER_PAGE
        )
    except (BadParameter, lists.ListError) as exc:
        return bad_request(request, str(exc))
    context = {"title": org.fullname, "org": org, "page": page, "papers": page.items}
    return render(request, "personal/follow_org.html", context)
