"""The claim pages: the form a paper page's "This is me" opens (``/claims/new?author=``), its
POST, the user's claims (``/claims``) and withdrawing one. Thin over :mod:`.claims`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from paperfeed.claims import claims
from paperfeed.ops import throttle
from paperfeed.personal.follow_pages import Candidate, candidates
from paperfeed.web.paper import not_found
from paperfeed.web.params import bad_request


def _form(request: HttpRequest, author_id, *, error: str = "", status: int = 200) -> HttpResponse:
    try:
        author = claims.find_author(author_id)
    except claims.NotFound as exc:
        return not_found(request, f"{exc}.")
    except claims.ClaimError as exc:
        return bad_request(request, str(exc))
    found = claims.preview(request.user, author)
    namesakes = candidates(author.name)  # the chooser of the follow pages: papers, co-authors
    if author.pk not in {c.author.pk for c in namesakes}:  # past the chooser's 20, or no letters
        namesakes.insert(0, Candidate(author, found["papers_under_name"]))
    context = {
        "title": f"Claim {author.name}",
        "author": author,
        "namesakes": namesakes,
        "evidence": found,
        "paper": request.GET.get("paper", "") or request.POST.get("paper", ""),
        "orcid": request.POST.get("orcid", ""),
        "note": request.POST.get("note", ""),
        "error": error,
    }
    return render(request, "claims/new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """GET: the form for ``?author=``; POST: make the claim (counted by PAPERFEED_LIMIT_CLAIM)."""
    if request.method == "GET":
        return _form(request, request.GET.get("author", ""))
    author = request.POST.get("author", "")
    if refused := throttle.consume(request, "claim"):
        return refused.response(request)
    try:
        claim = claims.make(
            request.user,
            author,
            orcid=request.POST.get("orcid", ""),
            note=request.POST.get("note", ""),
        )
    except claims.NotFound as exc:
        return not_found(request, f"{exc}.")
    except claims.ClaimError as exc:
        return _form(request, author, error=str(exc), status=400)
    if claim.state == claim.State.APPROVED:
        messages.success(request, f"You are {claim.author.name} here now.")
    else:
        messages.success(request, f"Your claim of {claim.author.name} waits for a moderator.")
    return redirect("claims:mine")


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    context = {"title": "Your author claims", "claims": claims.of(request.user)}
    return render(request, "claims/mine.html", context)


@login_required
@require_POST
def withdraw(request: HttpRequest, claim_id: int) -> HttpResponse:
    try:
        claim = claims.withdraw(request.user, claim_id)
    except claims.NotFound as exc:
        return not_found(request, f"{exc}.")
    except claims.ClaimError as exc:
        return bad_request(request, str(exc))
    messages.success(request, f"Your claim of {claim.author.name} is withdrawn.")
    return redirect("claims:mine")
