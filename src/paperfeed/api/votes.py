"""Upvotes through the API: POST to upvote, DELETE to take it back (both idempotent)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from paperfeed import params
from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, VoteOut
from paperfeed.community import votes
from paperfeed.papers.models import Paper

router = Router(tags=["Votes"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _set(request: HttpRequest, paper_id: str, voted: bool) -> dict:
    arxiv_id = params.parse_paper_id("id", paper_id)
    try:
        result = votes.set_vote(request.auth, arxiv_id, voted)
    except votes.VoteError as exc:
        if not Paper.objects.visible().filter(pk=arxiv_id).exists():
            raise NotFound(str(exc)) from None
        raise params.BadParameter("vote", str(exc)) from None
    return {"id": arxiv_id, "voted": result.voted, "upvotes": result.count}


@router.post(
    "/papers/{path:paper_id}/vote",
    auth=WRITE_AUTH,
    response={200: VoteOut, **ERRORS},
    summary="Upvote a paper",
)
def upvote(request: HttpRequest, paper_id: str):
    """Upvote (again: no change); returns the paper's count."""
    return _set(request, paper_id, True)


@router.delete(
    "/papers/{path:paper_id}/vote",
    auth=WRITE_AUTH,
    response={200: VoteOut, **ERRORS},
    summary="Remove an upvote",
)
def remove_upvote(request: HttpRequest, paper_id: str):
    """Take the upvote back (none: no change); returns the paper's count."""
    return _set(request, paper_id, False)
