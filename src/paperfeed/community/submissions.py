"""Submissions: a user brings an arXiv paper to the current daily list (papers/days.py).

:func:`submit` accepts every form people paste (``2501.01234``, ``2501.01234v2``,
``arXiv:2501.01234``, ``https://arxiv.org/abs/...``, ``.../pdf/...``) and answers at once: a
stored paper enters the feed there and then; one that is not is ``queued``, and the task
``fetch_submitted_paper`` (:mod:`paperfeed.jobs.tasks`, run by ``paperfeed worker``) fetches it
from arXiv and settles the submission (:mod:`paperfeed.community.feed_entry`): no request waits
on arXiv. Each paper can be submitted once (a failed submission does not count); each user may
submit ``PAPERFEED_SUBMISSIONS_PER_DAY`` papers per day, queued ones included.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.community import feed_entry
from paperfeed.community.models import Submission
from paperfeed.jobs import tasks
from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.papers.models import Paper

RECENT_SHOWN = 20  # submissions listed on the submit page
log = logging.getLogger(__name__)


class SubmissionError(Exception):
    """The submission was refused; the message is polite and shown to the user as is."""


def daily_limit() -> int:
    return int(getattr(settings, "PAPERFEED_SUBMISSIONS_PER_DAY", 10))


def recent(user, limit: int = RECENT_SHOWN) -> list[Submission]:
    """The user's newest submissions, newest first, with their papers."""
    return list(user.submissions.select_related("paper").order_by("-created")[:limit])


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def submitted_today(user, today: dt.date | None = None) -> int:
    """The user's submissions of ``today`` that count towards the daily limit: queued, being
    fetched or in the feed (not the failed ones)."""
    today = today or timezone.localdate()
    return (
        Submission.objects.exclude(state=Submission.FAILED)
        .filter(
            user=user,
            created__gte=_day_start(today),
            created__lt=_day_start(today + dt.timedelta(days=1)),
        )
        .count()
    )


def for_user(user, submission_id: int) -> Submission | None:
    """The user's own submission ``submission_id`` (None for anyone else's, or none)."""
    return (
        Submission.objects.select_related("paper", "user")
        .filter(pk=submission_id, user_id=getattr(user, "pk", None))
        .first()
    )


def _active(paper_id: str) -> Submission | None:
    """The paper's submission that stands (queued, being fetched or in the feed)."""
    return (
        Submission.objects.select_related("user")
        .exclude(state=Submission.FAILED)
        .filter(arxiv_id=paper_id)
        .first()
    )


def _duplicate_error(submission: Submission) -> SubmissionError:
    when = timezone.localtime(submission.created).strftime("%Y-%m-%d at %H:%M %Z")
    where = (
        "is already being fetched from arXiv" if submission.pending else "is already on paperfeed"
    )
    return SubmissionError(
        f"Thanks, but {submission.arxiv_id} {where}: "
        f"{submission.submitter_name} submitted it on {when}."
    )


def _limit_error(limit: int) -> SubmissionError:
    return SubmissionError(
        f"You have submitted {limit} papers today, the daily limit; please come back tomorrow."
    )


def _check_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise SubmissionError("Please log in to submit a paper.")
    if not user.is_active:
        raise SubmissionError("This account is deactivated and cannot submit papers.")


def _parse(text: str) -> str:
    try:
        return parse_arxiv_id((text or "").strip()).id
    except InvalidArxivId as exc:
        raise SubmissionError(
            f"Sorry, that is not an arXiv id or link ({exc}). Try e.g. 2501.01234 or "
            "https://arxiv.org/abs/2501.01234."
        ) from exc


def _enqueue(submission: Submission) -> None:
    """Hand the queued submission's paper to the worker (after the commit: a worker on Redis
    must find the row); a queue that cannot be reached fails the submission at once."""
    try:
        tasks.fetch_submitted_paper.enqueue(submission.arxiv_id)
    except Exception:
        log.exception("queueing the fetch of submitted paper %s failed", submission.arxiv_id)
        feed_entry.fail(
            submission.arxiv_id,
            f"Sorry, {submission.arxiv_id} could not be queued for fetching from arXiv; "
            "please submit it again later.",
        )


def submit(user, text: str, *, today: dt.date | None = None) -> Submission:
    """Submit the paper named by ``text`` to the current daily list: a stored paper enters it
    at once (state ``done``, feed day :func:`paperfeed.papers.days.submission_day`), any other
    is ``queued`` for the worker to fetch from arXiv. Raises :class:`SubmissionError`."""
    _check_user(user)
    paper_id = _parse(text)
    existing = _active(paper_id)
    if existing is not None and existing.abandoned():
        feed_entry.fail(
            paper_id,
            "Sorry, the fetch from arXiv never finished (the worker stopped); "
            f"{user.get_username()} submitted it again.",
        )
    elif existing is not None:
        raise _duplicate_error(existing)
    limit = daily_limit()
    if submitted_today(user, today) >= limit:  # checked before any write, again below
        raise _limit_error(limit)
    paper = Paper.objects.filter(pk=paper_id).first()
    if paper is not None and (problem := feed_entry.paper_problem(paper, paper_id)):
        raise SubmissionError(problem)
    day = today or timezone.localdate()
    try:
        with transaction.atomic():
            # one submitter at a time per user (row lock on PostgreSQL, IMMEDIATE on SQLite),
            # so two quick submissions cannot both pass the limit
            list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
            if submitted_today(user, day) >= limit:
                raise _limit_error(limit)
            if paper is None:
                submission = Submission.objects.create(
                    arxiv_id=paper_id, user=user, state=Submission.QUEUED
                )
                transaction.on_commit(functools.partial(_enqueue, submission))
            else:
                submission = Submission.objects.create(
                    arxiv_id=paper_id, paper=paper, user=user, state=Submission.DONE
                )
                feed_entry.enter_feed(paper_id, day)
    except IntegrityError:  # someone submitted the same paper a moment ago
        other = _active(paper_id)
        if other is None:  # ... and it has failed since
            raise SubmissionError(
                f"Sorry, {paper_id} was submitted at the same moment; please try again."
            ) from None
        raise _duplicate_error(other) from None
    if submission.pending:
        submission.refresh_from_db()  # a queue that failed at once has said so
    return submission
