"""Submitting a paper to today's feed through the API, and a submission's status.

A stored paper is in the feed at once (201); any other is queued for the worker to fetch from
arXiv (202, with ``status_url`` and a ``Location`` header to poll until ``done`` or ``failed``).
Both through :func:`paperfeed.community.submissions.submit`, like the /submit page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Router, Status
from ninja.errors import HttpError

from paperfeed.api.auth import WRITE_AUTH
from paperfeed.api.errors import NotFound
from paperfeed.api.schemas import ErrorOut, SubmissionIn, SubmissionOut
from paperfeed.api.shapes import paper_out
from paperfeed.community import submissions
from paperfeed.community.models import Submission
from paperfeed.ops import throttle
from paperfeed.papers import lists

router = Router(tags=["Submissions"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _out(request: HttpRequest, submission: Submission) -> dict:
    paper = None
    if submission.state == Submission.DONE:
        found = lists.hydrate([submission.arxiv_id], request.auth)
        if not found:  # hidden since it was submitted
            raise NotFound(f"no paper {submission.arxiv_id!r} in this paperfeed")
        paper = paper_out(found[0], anonymous=False)
    return {
        "id": submission.pk,
        "arxiv_id": submission.arxiv_id,
        "state": submission.state,
        "error": submission.error,
        "status_url": reverse("api:submission_status", args=[submission.pk]),
        "paper": paper,
        "user": {"username": submission.user.get_username()},
        "created": submission.created,
    }


@router.post(
    "/submissions",
    auth=WRITE_AUTH,
    response={
        201: SubmissionOut,
        202: SubmissionOut,
        429: ErrorOut,  # PAPERFEED_LIMIT_SUBMIT (adds retry_after; Retry-After header)
        503: ErrorOut,
        **ERRORS,
    },
    summary="Submit a paper",
)
def submit(request: HttpRequest, payload: SubmissionIn, response: HttpResponse):
    """An arXiv id or URL. A stored paper joins today's feed at once: 201 with the paper. Any
    other is queued for fetching from arXiv: 202 with ``state`` queued and ``status_url`` (also
    the ``Location`` header) to poll. Refusals (invalid id, already submitted, daily limit) are
    400 with the reason in ``detail``; over ``PAPERFEED_LIMIT_SUBMIT`` (per client address, per
    account) 429 with ``Retry-After``; a task queue that cannot be reached is 503."""
    if refused := throttle.consume(request, "submit", user=request.auth):
        return refused.response(request)
    try:
        submission = submissions.submit(request.auth, payload.paper)
    except submissions.SubmissionError as exc:
        raise HttpError(400, str(exc)) from None
    if submission.state == Submission.FAILED:
        raise HttpError(503, submission.error)
    body = _out(request, submission)
    if submission.pending:
        response["Location"] = body["status_url"]
        return Status(202, body)
    return Status(201, body)


@router.get(
    "/submissions/{int:submission_id}",
    auth=WRITE_AUTH,
    response={200: SubmissionOut, **ERRORS},
    summary="A submission's status",
    url_name="submission_status",
)
def status(request: HttpRequest, submission_id: int):
    """One of your submissions: queued, fetching, done (with the paper) or failed (with the
    reason in ``error``). Another user's submission, or none, is 404."""
    submission = submissions.for_user(request.auth, submission_id)
    if submission is None:
        raise NotFound(f"you have no submission {submission_id}")
    return _out(request, submission)
