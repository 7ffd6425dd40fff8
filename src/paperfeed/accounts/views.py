"""The API tokens page: list, create (the raw token shown once), revoke. All changes are POST."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from paperfeed.accounts import tokens


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens; POST: create one and show it this once (never cached)."""
    context: dict = {"name": ""}
    if request.method == "POST":
        name = request.POST.get("name", "")
        try:
            context["new_token"] = tokens.create_token(request.user, name)
        except tokens.TokenError as exc:
            context["error"] = str(exc)
            context["name"] = name
    context["tokens"] = tokens.tokens_of(request.user)
    context["max_tokens"] = tokens.MAX_ACTIVE_TOKENS
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if tokens.revoke_token(request.user, token_id):
        messages.success(request, "Token revoked: it no longer works.")
    else:
        messages.error(request, "No such active token of yours.")
    return redirect("accounts:tokens")
