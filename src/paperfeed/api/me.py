"""The caller's preferences and seen papers through the API (token, or session with CSRF).

``/api/v1/me/preferences``: GET the seen mode, list order and onboarding time; PATCH the seen
mode or the order (each validated, a 400 naming the field). ``/api/v1/me/seen``: GET the papers
the caller opened or dismissed, newest first, paged; POST one (``how``: dismissed, or opened to
mark it read); DELETE ``/api/v1/me/seen/{paper_id}`` undoes a dismissal. The web pages and this
API share :mod:`paperfeed.personal.preferences` and :mod:`paperfeed.personal.seen`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from paperfeed import params
from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut
from paperfeed.personal import preferences, seen
from paperfeed.personal.models import Seen

router = Router(tags=["Preferences and seen papers"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
SeenMode = Literal["show", "dim", "hide"]
Order = Literal["auto", "community", "for_you"]


class PreferencesOut(Schema):
    seen: SeenMode = Field(
        description="What lists do with papers you opened, dismissed or upvoted: show them as "
        "usual, dim them, or hide them (then digests and alerts leave them out too)."
    )
    order: Order = Field(
        description="Your lists' order when none is asked for: auto (for you once your "
        "profile is strong), community, or for_you."
    )
    onboarded_at: dt.datetime | None = Field(
        description="When you finished or skipped /welcome; null: not yet."
    )


class PreferencesIn(Schema):
    seen: str | None = Field(None, description="show, dim or hide; absent: unchanged.")
    order: str | None = Field(None, description="auto, community or for_you; absent: unchanged.")


class SeenIn(Schema):
    paper_id: str = Field(description="The arXiv id, e.g. 2503.01234.")
    how: Literal["dismissed", "opened"] = Field(
        "dismissed",
        description="dismissed (done with it without reading) or opened (you read it).",
    )


class SeenOut(Schema):
    paper_id: str
    title: str
    how: Literal["opened", "dismissed"]
    at: dt.datetime = Field(description="When it was last opened or dismissed.")


class SeenPageOut(Schema):
    items: list[SeenOut]
    total: int
    page: int
    per_page: int
    has_next: bool


def _prefs(row) -> dict:
    return {"seen": row.seen, "order": row.order, "onboarded_at": row.onboarded_at}


def _seen(row: Seen) -> dict:
    return {"paper_id": row.paper_id, "title": row.paper.title, "how": row.how, "at": row.at}


@router.get(
    "/me/preferences",
    auth=WRITE_AUTH,
    response={200: PreferencesOut, 401: ErrorOut},
    summary="Your preferences",
)
def get_preferences(request: HttpRequest):
    """The caller's seen mode, list order and onboarding time (defaults when never set)."""
    return _prefs(preferences.get(request.auth))


@router.patch(
    "/me/preferences",
    auth=WRITE_AUTH,
    response={200: PreferencesOut, **ERRORS},
    summary="Change your preferences",
)
def patch_preferences(request: HttpRequest, payload: PreferencesIn):
    """Set ``seen`` and/or ``order``; 400 naming the field and its choices when one is wrong
    (nothing is changed then)."""
    user = request.auth
    if payload.seen is None and payload.order is None:
        raise HttpError(400, "send seen and/or order")
    try:
        if payload.seen is not None:
            preferences.check_seen(payload.seen)
        if payload.order is not None:
            preferences.check_order(payload.order)
    except preferences.PreferenceError as exc:
        raise HttpError(400, str(exc)) from None
    if payload.seen is not None:
        preferences.set_seen(user, payload.seen)
    if payload.order is not None:
        preferences.set_order(user, payload.order)
    return _prefs(preferences.get(user))


class SeenQuery(Schema):
    how: Literal["opened", "dismissed"] | None = Field(None, description="Only this kind.")
    page: int = Field(1, ge=1, le=params.MAX_PAGE)  # beyond, the offset overflows the database
    per_page: int = Field(50, ge=1, le=seen.MAX_PER_PAGE)


@router.get(
    "/me/seen",
    auth=WRITE_AUTH,
    response={200: SeenPageOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut},
    summary="Papers you have seen",
)
def list_seen(request: HttpRequest, query: Query[SeenQuery]):
    """The papers the caller opened or dismissed, newest first (upvotes are in
    /api/v1/users/{username}/upvoted and count as seen too)."""
    try:
        rows, total = seen.history(
            request.auth, how=query.how, page=query.page, per_page=query.per_page
        )
    except seen.SeenError as exc:
        raise HttpError(400, str(exc)) from None
    return {
        "items": [_seen(r) for r in rows],
        "total": total,
        "page": query.page,
        "per_page": query.per_page,
        "has_next": query.page * query.per_page < total,
    }


@router.post(
    "/me/seen",
    auth=WRITE_AUTH,
    response={201: SeenOut, **ERRORS},
    summary="Dismiss a paper (or mark it opened)",
)
def add_seen(request: HttpRequest, payload: SeenIn):
    """201 with the paper's seen row; 400 naming an unknown paper. Dismissing an opened paper
    upgrades it; opening a dismissed one keeps the dismissal."""
    user = request.auth
    try:
        if payload.how == Seen.DISMISSED:
            seen.dismiss(user, payload.paper_id)
        else:
            seen.mark_opened(user, seen.check_paper(user, payload.paper_id))
    except seen.SeenError as exc:
        raise HttpError(400, f"paper_id: {exc}") from None
    row = Seen.objects.select_related("paper").get(user=user, paper_id=payload.paper_id.strip())
    return Status(201, _seen(row))


@router.delete(
    "/me/seen/{path:paper_id}",
    auth=WRITE_AUTH,
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Undo a dismissal",
)
def remove_seen(request: HttpRequest, paper_id: str):
    """204 once the dismissal is undone (the paper is new to the caller again); 404 when the
    caller had not dismissed it."""
    if not seen.undismiss(request.auth, paper_id):
        raise NotFound(f"you have not dismissed {paper_id[:40]!r}")
    return Status(204, None)
