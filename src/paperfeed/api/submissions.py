"""Submitting a paper to today's feed through the API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import HttpError

from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, SubmissionIn, SubmissionOut
from paperfeed.api.shapes import paper_out
from paperfeed.community import submissions
from paperfeed.papers import lists

router = Router(tags=["Submissions"])


@router.post(
    "/submissions",
    auth=WRITE_AUTH,
    response={201: SubmissionOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Submit a paper",
)
def submit(request: HttpRequest, payload: SubmissionIn):
    """An arXiv id or URL; unknown papers are fetched from arXiv.  Refusals (invalid id,
    already submitted, daily limit, not on arXiv) are 400 with the reason in ``detail``."""
    try:
        submission = submissions.submit(request.auth, payload.paper)
    except submissions.SubmissionError as exc:
        raise HttpError(400, str(exc)) from None
    found = lists.hydrate([submission.paper_id], request.auth)
    if not found:  # hidden between the submission and this read
        raise NotFound(f"no paper {submission.paper_id!r} in this paperfeed")
    return Status(
        201,
        {
            "paper": paper_out(found[0], anonymous=False),
            "user": {"username": request.auth.get_username()},
            "created": submission.created,
        },
    )
