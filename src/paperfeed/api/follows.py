"""The caller's follows and private feed addresses through the API (token or session with CSRF).

``/api/v1/me/follows``: GET lists them, POST follows (following twice is one follow: 200 instead
of 201); ``/api/v1/me/follows/{id}``: PATCH its mail alert, DELETE it;
``/api/v1/me/follows/{id}/papers``: its papers newest first, paged (the JSON twin of
``/follows/<id>``). ``/api/v1/me/feed-token``: GET the private feed URLs, POST a new secret
(the old URLs stop working). The logic is :mod:`paperfeed.personal.follows`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from paperfeed import params
from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, PageOut
from paperfeed.api.shapes import page_out
from paperfeed.papers import lists
from paperfeed.personal import feedtokens, follow_pages, follows

router = Router(tags=["Follows"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
Alert = Literal["none", "instant", "daily", "weekly"]


class FollowIn(Schema):
    kind: Literal["author", "category", "org", "search"] = Field(
        description="author (by id: see /authors/{id} or /follows/authors?name= on the site), "
        "category (cs.CL; cs follows every cs.*), org (a Hugging Face organisation name) or "
        "search (a query)."
    )
    value: str = Field(description="The author id, category, organisation name or query.")
    alert: Alert | None = Field(None, description="Mail alert of new papers (default none).")


class AlertIn(Schema):
    alert: Alert = Field(description="Mail alert of new papers: none, instant, daily or weekly.")


class FollowOut(Schema):
    id: int
    kind: str
    value: str = Field(description="As stored: an author id, a category, an organisation, a query.")
    label: str = Field(description="What pages show: the author's or organisation's name.")
    alert: str
    created: dt.datetime
    url: str = Field(description="The follow's page on the site.")
    papers_url: str = Field(description="Its papers through this API.")


class FollowListOut(Schema):
    follows: list[FollowOut]


class FollowPageOut(PageOut):
    follow: FollowOut


class FeedTokenOut(Schema):
    token: str = Field(description="The secret in the private feed URLs.")
    follows_rss: str
    follows_atom: str
    for_you_rss: str
    for_you_atom: str
    follow_rss: str = Field(description="One follow's feed: replace {id} with the follow's id.")


def _out(row) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "value": row.value,
        "label": row.label or row.value,
        "alert": row.alert,
        "created": row.created,
        "url": reverse("personal:follow", args=[row.pk]),
        "papers_url": f"/api/v1/me/follows/{row.pk}/papers",
    }


def _mine(request: HttpRequest, follow_id: int):
    try:
        return follows.get(request.auth, follow_id)
    except follows.NoSuchFollow as exc:
        raise NotFound(str(exc)) from None


@router.get(
    "/me/follows",
    auth=WRITE_AUTH,
    response={200: FollowListOut, 401: ErrorOut},
    summary="Your follows",
)
def list_follows(request: HttpRequest):
    """The caller's follows by kind, then label."""
    return {"follows": [_out(f) for f in follows.follows_of(request.auth)]}


@router.post(
    "/me/follows",
    auth=WRITE_AUTH,
    response={200: FollowOut, 201: FollowOut, **ERRORS},
    summary="Follow an author, category, organisation or search",
)
def add_follow(request: HttpRequest, payload: FollowIn):
    """201 with the new follow; 200 with the existing one (its alert set when given); 400 with
    the reason (unknown author id, not an arXiv category, unknown organisation, query too short
    or long, too many follows)."""
    try:
        row, new = follows.follow(request.auth, payload.kind, payload.value, alert=payload.alert)
    except follows.FollowError as exc:
        raise HttpError(400, f"{payload.kind}: {exc}") from None
    return Status(201 if new else 200, _out(row))


@router.patch(
    "/me/follows/{int:follow_id}",
    auth=WRITE_AUTH,
    response={200: FollowOut, 404: ErrorOut, **ERRORS},
    summary="Set a follow's mail alert",
)
def change_follow(request: HttpRequest, follow_id: int, payload: AlertIn):
    """The follow with its new alert; 404 when the caller has no follow with this id."""
    try:
        return _out(follows.set_alert(request.auth, follow_id, payload.alert))
    except follows.NoSuchFollow as exc:
        raise NotFound(str(exc)) from None


@router.delete(
    "/me/follows/{int:follow_id}",
    auth=WRITE_AUTH,
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Unfollow",
)
def remove_follow(request: HttpRequest, follow_id: int):
    """204 once removed; 404 when the caller has no follow with this id."""
    if not follows.unfollow(request.auth, follow_id):
        raise NotFound(f"you have no follow {follow_id}")
    return Status(204, None)


@router.get(
    "/me/follows/{int:follow_id}/papers",
    auth=WRITE_AUTH,
    response={200: FollowPageOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A follow's papers",
)
def follow_papers(request: HttpRequest, follow_id: int, page: int = 1, per_page: int | None = None):
    """The papers the follow matches, newest first, without the caller's muted papers (a search
    follow: its newest matches, docs/personal.md)."""
    row = _mine(request, follow_id)
    params.check_range("page", page, 1, params.MAX_PAGE)
    size = params.check_range(
        "per_page", params.capped(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE), 1
    )
    try:
        result = follow_pages.follow_papers(row, user=request.auth, page=page, per_page=size)
    except lists.ListError as exc:
        raise HttpError(400, str(exc)) from None
    return {**page_out(result, anonymous=False), "follow": _out(row)}


def _urls(request: HttpRequest, token: str) -> dict:
    def url(name: str, **kw) -> str:
        return request.build_absolute_uri(
            reverse(f"personal:{name}", kwargs={"token": token, **kw})
        )

    one = url("private-follow-rss", follow_id=0).replace("/follows/0.rss", "/follows/{id}.rss")
    return {
        "token": token,
        "follows_rss": url("private-follows-rss"),
        "follows_atom": url("private-follows-atom"),
        "for_you_rss": url("private-for-you-rss"),
        "for_you_atom": url("private-for-you-atom"),
        "follow_rss": one,
    }


@router.get(
    "/me/feed-token",
    auth=WRITE_AUTH,
    response={200: FeedTokenOut, 401: ErrorOut},
    summary="Your private feed addresses",
)
def feed_token(request: HttpRequest):
    """The caller's private RSS/Atom URLs (the secret is made on first use)."""
    return _urls(request, feedtokens.token_for(request.auth))


@router.post(
    "/me/feed-token",
    auth=WRITE_AUTH,
    response={200: FeedTokenOut, 401: ErrorOut, 403: ErrorOut},
    summary="New private feed addresses",
)
def rotate_feed_token(request: HttpRequest):
    """A new secret: the returned URLs work, the old ones answer 404 from now on."""
    return _urls(request, feedtokens.rotate(request.auth))
