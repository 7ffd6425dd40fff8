"""The caller's whole account through the API: ``GET /api/v1/me/export`` (everything as one JSON
document, :mod:`paperfeed.accounts.yourdata`) and ``DELETE /api/v1/me`` (the account, after the
password, :mod:`paperfeed.accounts.deletion`). Token or session (with CSRF for DELETE)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import logout
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from paperfeed.accounts import deletion, yourdata
from paperfeed.accounts.data_views import attachment
from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.schemas import ErrorOut
from paperfeed.ops import throttle

router = Router(tags=["Your account"])


class AccountExportOut(Schema):
    """The version-1 account export (docs/account.md describes every key)."""

    format: Literal["paperfeed-account-export"]
    version: Literal[1]
    exported_at: dt.datetime
    profile: dict[str, Any] = Field(
        description="username, email, emails [{email, verified, primary}], first_name, "
        "last_name, date_joined, last_login."
    )
    preferences: dict[str, Any] | None = Field(description="order, seen, onboarded_at.")
    votes: list[dict[str, Any]] = Field(description="[{paper_id, created}]")
    comments: list[dict[str, Any]] = Field(
        description="[{id, paper_id, parent_id, body, created, edited, hidden}]"
    )
    submissions: list[dict[str, Any]] = Field(description="[{arxiv_id, state, error, created}]")
    collections: list[dict[str, Any]] = Field(
        description="Collections you own: [{id, name, slug, description, visibility, "
        "is_default, created, updated, items [{paper_id, position, note, added}], "
        "collaborators [{username, role, invited, accepted}]}]"
    )
    collection_memberships: list[dict[str, Any]] = Field(
        description="Others' collections you were invited to: [{collection_id, collection, "
        "owner, role, invited, accepted}]"
    )
    follows: list[dict[str, Any]] = Field(description="[{kind, value, label, alert, created}]")
    mutes: list[dict[str, Any]] = Field(description="[{kind, value, created}]")
    seen: list[dict[str, Any]] = Field(description="[{paper_id, how, at}]")
    feedback: list[dict[str, Any]] = Field(description="[{paper_id, signal, created}]")
    digest_subscriptions: list[dict[str, Any]] = Field(
        description="Linked to you or to an address you verified: [{email, status, frequency, "
        "send_hour, timezone, top_n, categories, recommendations, created, confirmed_at, "
        "saved_searches [{query, created}]}]"
    )
    api_tokens: list[dict[str, Any]] = Field(
        description="[{name, created, last_used, revoked}]; never the secrets."
    )
    library_bibtex: str = Field(description="The papers of your collections as BibTeX.")


class DeleteIn(Schema):
    password: str = Field(description="Your password (re-authentication).")
    keep_comments: bool = Field(
        description="true: keep your comments, shown as by 'deleted user'; false: remove them "
        "(a top-level comment with replies keeps its place, its text replaced)."
    )


class DeletedOut(Schema):
    deleted: Literal[True] = True
    votes: int = Field(description="Upvotes removed (each paper's count went down by one).")
    comments_kept: int
    comments_removed: int
    submissions_kept: int = Field(description="Submissions kept, submitted by 'deleted user'.")
    digest_subscriptions: int


@router.get(
    "/me/export",
    auth=WRITE_AUTH,
    response={200: AccountExportOut, 401: ErrorOut, 429: ErrorOut},
    summary="Download everything about your account",
)
def export_account(request: HttpRequest):
    """Everything paperfeed holds about the caller as one JSON document (an attachment, never
    cached). Limited by ``PAPERFEED_LIMIT_ACCOUNT_EXPORT`` (429 with ``retry_after``)."""
    if refused := throttle.consume(request, "export_account", user=request.auth):
        return refused.response(request)
    user = request.auth
    return attachment(
        yourdata.as_json(user), "application/json; charset=utf-8", yourdata.filename(user, "json")
    )


@router.delete(
    "/me",
    auth=WRITE_AUTH,
    response={200: DeletedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut},
    summary="Delete your account",
)
def delete_me(request: HttpRequest, payload: DeleteIn) -> Any:
    """Delete the caller's account and its data (docs/account.md) after checking ``password``;
    400 for a wrong one, nothing deleted. Limited by ``PAPERFEED_LIMIT_ACCOUNT_DELETE``."""
    user = request.auth
    if refused := throttle.consume(request, "delete_account", user=user):
        return refused.response(request)
    try:
        deletion.check_password(user, payload.password)
        done = deletion.delete_account(user, keep_comments=payload.keep_comments)
    except deletion.DeletionError as exc:
        raise HttpError(400, str(exc)) from None
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)  # the session of the deleted account ends too
    return {"deleted": True, **done.__dict__}
