"""Author claims through the API, thin over :mod:`paperfeed.claims.claims`: the caller's claims,
making one (429 over ``PAPERFEED_LIMIT_CLAIM``), withdrawing one, and the papers of the authors
a user's approved claims hold."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from paperfeed import params
from paperfeed.accounts import usernames
from paperfeed.api import errors
from paperfeed.api.auth import WRITE_AUTH, optional_user
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, PageOut
from paperfeed.api.shapes import page_out
from paperfeed.claims import claims
from paperfeed.ops import throttle

router = Router(tags=["Claims"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_PER_PAGE = 100


class ClaimOut(Schema):
    id: int
    author: int
    author_name: str
    state: str = Field(description="pending, approved, rejected or withdrawn.")
    disputed: bool = Field(description="Made while another user's claim held the author.")
    orcid: str
    note: str
    reason: str = Field(description="Why a moderator rejected it.")
    evidence: dict = Field(description="What paperfeed gathered when it was made.")
    auto_rule: str = Field(description="The PAPERFEED_CLAIM_AUTO_APPROVE rule that approved it.")
    created: str
    decided: str | None


class ClaimIn(Schema):
    author: int = Field(description="The author's id (as the papers' authors give it).")
    orcid: str = Field("", description="Optional ORCID iD, e.g. 0000-0002-1825-0097.")
    note: str = Field(
        "", description=f"Optional, for the moderators; at most {claims.MAX_NOTE:,} chars."
    )


def _out(c) -> dict:
    return {
        "id": c.pk,
        "author": c.author_id,
        "author_name": c.author.name,
        "state": c.state,
        "disputed": c.disputed,
        "orcid": c.orcid,
        "note": c.note,
        "reason": c.reason,
        "evidence": c.evidence,
        "auto_rule": c.auto_rule,
        "created": c.created.isoformat(),
        "decided": c.decided.isoformat() if c.decided else None,
    }


def _call(do):
    return errors.answering(do, {claims.NotFound: 404, claims.ClaimError: 400})


@router.get(
    "/me/claims", auth=WRITE_AUTH, response={200: list[ClaimOut], 401: ErrorOut}, summary="Yours"
)
def mine(request: HttpRequest):
    """The caller's claims to be an author, newest first."""
    return [_out(c) for c in claims.of(request.auth)]


@router.post(
    "/claims",
    auth=WRITE_AUTH,
    response={201: ClaimOut, 429: ErrorOut, **ERRORS},
    summary="Claim an author",
)
def make(request: HttpRequest, payload: ClaimIn):
    """201 with the claim: pending, or approved when PAPERFEED_CLAIM_AUTO_APPROVE holds; 400 for
    a bad ORCID iD or a claim the caller already holds; 404 for an unknown author; 429 over
    ``PAPERFEED_LIMIT_CLAIM``."""
    if refused := throttle.consume(request, "claim", user=request.auth):
        return refused.response(request)
    claim = _call(
        lambda: claims.make(request.auth, payload.author, orcid=payload.orcid, note=payload.note)
    )
    return Status(201, _out(claim))


@router.post(
    "/claims/{int:claim_id}/withdraw",
    auth=WRITE_AUTH,
    response={200: ClaimOut, **ERRORS},
    summary="Withdraw",
)
def withdraw(request: HttpRequest, claim_id: int):
    """The caller withdraws their pending or approved claim; 400 when it is already decided
    against or withdrawn, 404 when it is not theirs."""
    return _out(_call(lambda: claims.withdraw(request.auth, claim_id)))


@router.get(
    "/users/{username}/papers",
    response={200: PageOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Papers by a user",
)
def user_papers(request: HttpRequest, username: str, page: int = 1, per_page: int = 50):
    """The papers of the authors the user's approved claims hold, newest first."""
    params.check_range("page", page, 1, params.MAX_PAGE)
    params.check_range("per_page", per_page, 1, MAX_PER_PAGE)
    owner = usernames.find_active(username)
    if owner is None:
        raise NotFound(f"no user called {username!r}")
    viewer = optional_user(request)
    result = claims.papers_by(owner, page=page, per_page=per_page, user=viewer)
    return page_out(result, anonymous=viewer is None)
