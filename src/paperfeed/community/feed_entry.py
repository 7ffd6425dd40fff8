"""How a submitted paper enters the daily feed: at once when it is stored, after the worker
fetched it from arXiv when it is not (issue 14: no request waits on arXiv).

:func:`fetch_queued` is what the ``fetch_submitted_paper`` task runs: it moves the paper's
pending :class:`~paperfeed.community.models.Submission` from ``queued`` to ``fetching``, asks the
arXiv query API (:func:`paperfeed.ingest.harvest.fetch_ids`, with its client's retries), then
enters the paper into the feed (``done``) or records why it could not (``failed``, the reason in
the submitter's words). :func:`enter_feed` sets a submitted paper's ``feed_day`` (the one writer
of that field besides the importer); :func:`paper_problem` says why a stored paper cannot be
submitted. :mod:`paperfeed.community.submissions` creates the submissions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from paperfeed.community.models import Submission
from paperfeed.ingest.harvest import HarvestError, HarvestSummary, fetch_ids
from paperfeed.ops import pagecache
from paperfeed.papers import days
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import Paper

log = logging.getLogger(__name__)


@dataclasses.dataclass
class Fetched:
    """What :func:`fetch_queued` did: the fetch (None when the paper was stored already) and
    the outcome of the paper's pending submission (``state`` None when there was none)."""

    arxiv_id: str
    summary: HarvestSummary | None
    state: str | None = None
    error: str = ""


def paper_problem(paper: Paper | None, paper_id: str) -> str | None:
    """Why ``paper`` cannot enter the feed (None: it can), as the submitter reads it."""
    if paper is None:  # fetched, yet arXiv's answer was rejected by the importer
        return f"Sorry, arXiv's record of {paper_id} could not be read."
    if paper.deleted:
        return f"Sorry, {paper_id} has been withdrawn from arXiv."
    if paper.hidden:
        return f"Sorry, {paper_id} has been hidden by the moderators."
    return None


def enter_feed(paper_id: str, day: dt.date) -> None:
    """Put a paper submitted on ``day`` into the current daily list
    (:func:`paperfeed.papers.days.submission_day`)."""
    Paper.objects.filter(pk=paper_id).update(feed_day=days.submission_day(day))
    pagecache.changed("submitted paper entered the feed")


def _pending(paper_id: str):
    return Submission.objects.filter(arxiv_id=paper_id, state__in=Submission.PENDING)


def fail(paper_id: str, error: str) -> int:
    """Mark the paper's pending submission failed with ``error``; how many were (0 or 1)."""
    return _pending(paper_id).update(state=Submission.FAILED, error=error, updated=timezone.now())


def complete(paper_id: str, today: dt.date | None = None) -> str:
    """Enter a stored paper's pending submission into the feed (or fail it when the paper
    cannot be submitted); the submission's new state."""
    paper = Paper.objects.filter(pk=paper_id).first()
    problem = paper_problem(paper, paper_id)
    if problem:
        fail(paper_id, problem)
        return Submission.FAILED
    with transaction.atomic():
        if _pending(paper_id).update(
            state=Submission.DONE, paper=paper, error="", updated=timezone.now()
        ):
            enter_feed(paper_id, today or timezone.localdate())
    return Submission.DONE


def _outcome(paper_id: str, summary: HarvestSummary | None, pk: int | None) -> Fetched:
    row = Submission.objects.filter(pk=pk).values("state", "error").first() if pk else None
    return Fetched(paper_id, summary, **(row or {}))


def fetch_queued(arxiv_id: str) -> Fetched:
    """Fetch a submitted paper that is not stored (nothing to fetch when it is by now) and
    settle its pending submission. Raises ``InvalidArxivId`` for a malformed id, and
    :class:`HarvestError` when arXiv cannot be reached after the client's retries (the
    submission is failed first, with a message saying to try again later)."""
    paper_id = parse_arxiv_id(arxiv_id).id
    pk = _pending(paper_id).values_list("pk", flat=True).first()
    _pending(paper_id).filter(state=Submission.QUEUED).update(
        state=Submission.FETCHING, updated=timezone.now()
    )
    summary = None
    try:
        if not Paper.objects.filter(pk=paper_id).exists():
            summary = fetch_ids([paper_id])
            if summary.missing_ids:
                fail(paper_id, f"Sorry, arXiv has no paper {paper_id}.")
                return _outcome(paper_id, summary, pk)
        complete(paper_id)
    except HarvestError as exc:
        fail(
            paper_id,
            f"Sorry, arXiv could not be reached to fetch {paper_id}; please submit it again "
            f"later. ({exc})",
        )
        raise
    except BaseException:
        log.exception("fetching the submitted paper %s failed", paper_id)
        fail(paper_id, f"Sorry, fetching {paper_id} failed; please submit it again later.")
        raise
    return _outcome(paper_id, summary, pk)
