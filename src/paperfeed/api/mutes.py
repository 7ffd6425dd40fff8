"""The caller's mutes through the API: /api/v1/me/mutes (token or session with CSRF).

GET lists them, POST adds one (muting twice is one mute: 200 instead of 201), DELETE removes one
by id. Muted papers are left out of the caller's feeds (:mod:`paperfeed.personal.filters`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut
from paperfeed.personal import mutes

router = Router(tags=["Mutes"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class MuteIn(Schema):
    kind: Literal["keyword", "author", "category"] = Field(
        description="keyword (title or abstract, any case), author (name as on the papers) "
        "or category (cs.CV; cs mutes every cs.*)."
    )
    value: str = Field(description="The keyword, author name or category.")


class MuteOut(Schema):
    id: int
    kind: str
    value: str = Field(description="As stored: keywords in lower case, white space collapsed.")
    created: dt.datetime


class MuteListOut(Schema):
    mutes: list[MuteOut]


def _out(mute) -> dict:
    return {"id": mute.pk, "kind": mute.kind, "value": mute.value, "created": mute.created}


@router.get(
    "/me/mutes",
    auth=WRITE_AUTH,
    response={200: MuteListOut, 401: ErrorOut},
    summary="Your mutes",
)
def list_mutes(request: HttpRequest):
    """The caller's muted keywords, authors and categories, by kind then value."""
    return {"mutes": [_out(m) for m in mutes.mutes_of(request.auth)]}


@router.post(
    "/me/mutes",
    auth=WRITE_AUTH,
    response={200: MuteOut, 201: MuteOut, **ERRORS},
    summary="Mute a keyword, author or category",
)
def add_mute(request: HttpRequest, payload: MuteIn):
    """201 with the new mute; 200 with the existing one when it was already muted; 400 with the
    reason (unknown author, bad category, keyword too short, too many mutes)."""
    try:
        mute, new = mutes.add_mute(request.auth, payload.kind, payload.value)
    except mutes.MuteError as exc:
        raise HttpError(400, f"{payload.kind}: {exc}") from None
    return Status(201 if new else 200, _out(mute))


@router.delete(
    "/me/mutes/{int:mute_id}",
    auth=WRITE_AUTH,
    response={204: None, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Unmute",
)
def remove_mute(request: HttpRequest, mute_id: int):
    """204 once removed; 404 when the caller has no mute with this id."""
    if not mutes.remove_by_id(request.auth, mute_id):
        raise NotFound(f"you have no mute {mute_id}")
    return Status(204, None)
