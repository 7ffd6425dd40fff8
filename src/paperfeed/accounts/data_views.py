""" "Your data": download the account's data (JSON) or library (BibTeX), and delete the account.

The downloads are GETs of one's own data (nothing changes): login required, sent as attachments
that no cache keeps (``Cache-Control: private, no-store``), counted against
``PAPERFEED_LIMIT_ACCOUNT_EXPORT``. Deleting is a POST with the CSRF token and the password; the
core is :mod:`paperfeed.accounts.yourdata` and :mod:`paperfeed.accounts.deletion`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from paperfeed.accounts import deletion, yourdata
from paperfeed.ops import throttle

KEEP, REMOVE = "keep", "remove"


def attachment(body: str, content_type: str, filename: str) -> HttpResponse:
    """A download no shared or browser cache keeps (also used by the API)."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    if refused := throttle.consume(request, "export_account"):
        return refused.response(request)
    user = request.user
    return attachment(
        yourdata.as_json(user), "application/json; charset=utf-8", yourdata.filename(user, "json")
    )


@login_required
@require_GET
def export_bibtex(request: HttpRequest) -> HttpResponse:
    if refused := throttle.consume(request, "export_account"):
        return refused.response(request)
    user = request.user
    return attachment(
        yourdata.library_bibtex(user),
        "application/x-bibtex; charset=utf-8",
        yourdata.filename(user, "bib"),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """GET: the form (password, what happens to comments); POST: delete, log out, go home."""
    context = {"title": "Delete your account", "comments": KEEP, "error": ""}
    if request.method == "POST":
        choice = request.POST.get("comments", "")
        context["comments"] = choice
        if choice not in (KEEP, REMOVE):
            context["error"] = "comments: choose whether to keep or remove your comments"
            return render(request, "accounts/delete.html", context, status=400)
        if refused := throttle.consume(request, "delete_account"):
            return refused.response(request)
        try:
            deletion.check_password(request.user, request.POST.get("password", ""))
            deletion.delete_account(request.user, keep_comments=choice == KEEP)
        except deletion.DeletionError as exc:
            context["error"] = str(exc)
            return render(request, "accounts/delete.html", context, status=400)
        logout(request)
        messages.success(request, "Your account and its data are deleted.")
        return redirect("/")
    return render(request, "accounts/delete.html", context)
