"""The organisation pages: ``/orgs/new``, an organisation's page (``/orgs/<slug>``, through
:func:`local`, which ``personal``'s ``/orgs/<name>`` asks first), ``/orgs/<slug>/members`` (members
and roles, the owners' settings and Hugging Face claim) and the POSTs that change them, attach and
detach papers. Thin over :mod:`paperfeed.orgs.core` and :mod:`paperfeed.orgs.pages`; every change
a POST with the CSRF token; a refusal is the page again with the reason (403 for a role too low,
404 for an unknown organisation)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.ops import throttle
from paperfeed.orgs import core, matching, pages
from paperfeed.orgs.models import Membership
from paperfeed.papers import lists
from paperfeed.personal.views import _next
from paperfeed.web.params import BadParameter, bad_request, int_param

PER_PAGE = 50


def _url(org) -> str:
    return reverse("personal:org", args=[org.slug])


def local(request: HttpRequest, name: str) -> HttpResponse | None:
    """The page of the local organisation ``name`` (a slug); a redirect there for the
    Hugging Face name it claims (approved); None when neither: Hugging Face's page then."""
    try:
        org = core.get(name) if core.SLUG.match(name) else None
    except core.NoSuchOrg:
        org = None
    if org is None:
        claimant = matching.by_claim(name)
        return None if claimant is None else redirect(_url(claimant))
    try:
        shown = pages.org_page(
            org, user=request.user, page=int_param(request, "page", 1), per_page=PER_PAGE
        )
    except (BadParameter, lists.ListError) as exc:
        return bad_request(request, str(exc))
    context = {
        "title": org.name,
        "org": org,
        "members": shown.members,
        "role": shown.role,
        "page": shown.page,
        "papers": shown.page.items,
    }
    return render(request, "orgs/org.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST: create the organisation (the ``org`` rate limit), its owner the
    user."""
    fields = ("slug", "name", "avatar", "description", "hf_name")
    values = {f: request.POST.get(f, "") for f in fields}
    if request.method == "GET":
        return _new_page(request, values)
    if refused := throttle.consume(request, "org"):
        return refused.response(request)
    try:
        org = core.create(request.user, **values)
    except core.OrgError as exc:
        return _new_page(request, values, error=str(exc), status=400)
    messages.success(request, f"Created {org.name}: you are its owner.")
    return redirect(_url(org))


def _new_page(request, values, *, error="", status=200):
    context = {
        "title": "New organisation",
        "values": values,
        "error": error,
        "mine": core.orgs_of(request.user),
        "max_owned": core.MAX_OWNED,
    }
    return render(request, "orgs/new.html", context, status=status)


def _org(slug: str):
    try:
        return core.get(slug)
    except core.NoSuchOrg as exc:
        raise Http404(str(exc)) from None


@require_http_methods(["GET"])
def members(request: HttpRequest, slug: str) -> HttpResponse:
    """The members with their roles, and for admins and owners the forms that change them."""
    return _members_page(request, _org(slug))


def _members_page(request, org, *, error="", status=200):
    context = {
        "title": f"Members of {org.name}",
        "org": org,
        "members": core.members(org),
        "role": core.role_of(request.user, org),
        "roles": Membership.ROLES,
        "error": error,
    }
    return render(request, "orgs/members.html", context, status=status)


def _change(request, slug: str, act: Callable, done: Callable[[object], str]) -> HttpResponse:
    org = _org(slug)
    try:
        result = act(org)
    except core.NotAllowed as exc:
        return HttpResponseForbidden(str(exc))
    except core.OrgError as exc:
        back = _next(request)
        if back:
            messages.error(request, str(exc))
            return redirect(back)
        return _members_page(request, org, error=str(exc), status=400)
    messages.success(request, done(result))
    return redirect(_next(request) or reverse("orgs:members", args=[org.slug]))


@login_required
@require_POST
def member_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a member by username with a role, or change a member's role."""
    username, role = request.POST.get("username", ""), request.POST.get("role", "member")
    return _change(
        request,
        slug,
        lambda org: core.add_member(request.user, org, username, role),
        lambda m: f"{m.user.get_username()} is now {m.get_role_display().lower()}.",
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str) -> HttpResponse:
    username = request.POST.get("username", "")
    return _change(
        request,
        slug,
        lambda org: core.remove_member(request.user, org, username),
        lambda _: f"Removed {username[:60]}.",
    )


@login_required
@require_POST
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    org = _org(slug)
    try:
        core.leave(request.user, org)
    except core.OrgError as exc:
        return _members_page(request, org, error=str(exc), status=400)
    messages.success(request, f"You left {org.name}.")
    return redirect(_url(org))


@login_required
@require_POST
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    """The owners' settings: name, avatar, description and the Hugging Face claim."""

    def act(org):
        core.update(
            request.user,
            org,
            name=request.POST.get("name", ""),
            avatar=request.POST.get("avatar", ""),
            description=request.POST.get("description", ""),
        )
        return core.claim(request.user, org, request.POST.get("hf_name", ""))

    return _change(request, slug, act, lambda org: f"Saved {org.name}.")


@login_required
@require_POST
def paper_attach(request: HttpRequest) -> HttpResponse:
    """Attach ``paper`` (an arXiv id) to the organisation ``org`` (a slug: the paper page's
    "Add to my organisation" form); back to ``next``."""
    paper = request.POST.get("paper", "")
    return _change(
        request,
        request.POST.get("org", ""),
        lambda org: (org, core.attach(request.user, org, paper)),
        lambda r: f"Added to {r[0].name}." if r[1] else f"Already in {r[0].name}.",
    )


@login_required
@require_POST
def paper_detach(request: HttpRequest, slug: str) -> HttpResponse:
    paper = request.POST.get("paper", "")
    return _change(
        request,
        slug,
        lambda org: (org, core.detach(request.user, org, paper)),
        lambda r: f"Removed from {r[0].name}." if r[1] else f"It was not in {r[0].name}.",
    )
