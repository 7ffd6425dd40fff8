"""Submissions: a user brings an arXiv paper to the current daily list (papers/days.py).

:func:`submit` accepts every form people paste (``2501.01234``, ``2501.01234v2``,
``arXiv:2501.01234``, ``https://arxiv.org/abs/...``, ``.../pdf/...``); a paper not in the store
is fetched from the arXiv query API through :func:`paperfeed.ingest.harvest.fetch_ids` first
(outside any transaction: no database lock is held while arXiv answers). Each paper can be
submitted once; each user may submit ``PAPERFEED_SUBMISSIONS_PER_DAY`` papers per day.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.community.models import Submission
from paperfeed.ingest.harvest import HarvestError, fetch_ids
from paperfeed.papers import days
from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.papers.models import Paper

RECENT_SHOWN = 20  # submissions listed on the submit page


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
    today = today or timezone.localdate()
    return Submission.objects.filter(
        user=user,
        created__gte=_day_start(today),
        created__lt=_day_start(today + dt.timedelta(days=1)),
    ).count()


def _duplicate_error(submission: Submission) -> SubmissionError:
    when = timezone.localtime(submission.created).strftime("%Y-%m-%d at %H:%M %Z")
    return SubmissionError(
        f"Thanks, but {submission.paper_id} is already on paperfeed: "
        f"{submission.user.get_username()} submitted it on {when}."
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


def _fetch(paper_id: str) -> None:
    """Store ``paper_id`` from arXiv's query API, or say politely why not."""
    try:
        summary = fetch_ids([paper_id], base_url=settings.PAPERFEED_ARXIV_API_URL)
    except HarvestError as exc:
        raise SubmissionError(
            f"Sorry, arXiv could not be reached to fetch {paper_id}; please try again later. "
            f"({exc})"
        ) from exc
    if paper_id in {parse_arxiv_id(i).id for i in summary.missing_ids}:
        raise SubmissionError(f"Sorry, arXiv has no paper {paper_id}.")


def submit(user, text: str, *, today: dt.date | None = None) -> Submission:
    """Submit the paper named by ``text`` to the current daily list (its feed day becomes
    :func:`paperfeed.papers.days.submission_day`). Raises :class:`SubmissionError`."""
    _check_user(user)
    paper_id = _parse(text)
    existing = Submission.objects.select_related("user").filter(paper_id=paper_id).first()
    if existing is not None:
        raise _duplicate_error(existing)
    limit = daily_limit()
    if submitted_today(user, today) >= limit:  # checked before asking arXiv, again below
        raise _limit_error(limit)
    if not Paper.objects.filter(pk=paper_id).exists():
        _fetch(paper_id)
    paper = Paper.objects.filter(pk=paper_id).first()
    if paper is None:  # fetched, yet arXiv's answer was rejected by the importer
        raise SubmissionError(f"Sorry, arXiv's record of {paper_id} could not be read.")
    if paper.deleted:
        raise SubmissionError(f"Sorry, {paper_id} has been withdrawn from arXiv.")
    if paper.hidden:
        raise SubmissionError(f"Sorry, {paper_id} has been hidden by the moderators.")
    day = today or timezone.localdate()
    feed_day = days.submission_day(day)
    try:
        with transaction.atomic():
            # one submitter at a time per user (row lock on PostgreSQL, IMMEDIATE on SQLite),
            # so two quick submissions cannot both pass the limit
            list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))
            if submitted_today(user, day) >= limit:
                raise _limit_error(limit)
            submission = Submission.objects.create(paper=paper, user=user)
            Paper.objects.filter(pk=paper_id).update(feed_day=feed_day)
    except IntegrityError:  # someone submitted the same paper a moment ago
        raise _duplicate_error(
            Submission.objects.select_related("user").get(paper_id=paper_id)
        ) from None
    return submission
