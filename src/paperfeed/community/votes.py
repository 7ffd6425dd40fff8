"""Upvotes: one per user per paper, kept exact in ``Paper.upvotes`` under concurrent voters.

The count moves by exactly what the database did, in the same transaction as the vote row:
an INSERT that the ``vote_once_per_user`` unique constraint let through adds one, a DELETE
that removed a row takes one away, and nothing else touches the count. Both updates are
``F()`` expressions (``UPDATE ... SET upvotes = upvotes + 1``), so two voters never overwrite
each other's increment. On PostgreSQL a second INSERT of the same (user, paper) waits for the
first transaction and then fails the constraint (IntegrityError = already voted); a second
DELETE of the same row waits and then deletes nothing. On SQLite the transaction starts with
``BEGIN IMMEDIATE`` (settings), so writers queue on the busy timeout instead of failing;
the in-memory shared-cache database the tests use answers "database table is locked" without
waiting, so :func:`set_vote` retries a whole transaction a few times when it owns it.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from paperfeed.community.models import Vote
from paperfeed.ops import pagecache
from paperfeed.papers.models import Paper

LOCK_RETRIES = 50  # whole-transaction retries on a locked SQLite database
LOCK_BACKOFF = 0.005  # seconds: first wait; doubles, capped at LOCK_BACKOFF_CAP
LOCK_BACKOFF_CAP = 0.1
CHUNK = 500  # paper ids per UPDATE


@dataclass(frozen=True)
class VoteResult:
    """The user's vote after the call and the paper's upvote count."""

    voted: bool
    count: int


class VoteError(Exception):
    """The vote cannot be cast (unknown or hidden paper, anonymous user)."""


def _check_voter(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise VoteError("log in to vote")
    if not user.is_active:
        raise VoteError("this account is deactivated and cannot vote")


def _is_locked(exc: OperationalError) -> bool:
    return connection.vendor == "sqlite" and "locked" in str(exc)


def _retrying(operation):
    """Run ``operation`` in its own transaction, retried while SQLite says it is locked."""
    if connection.in_atomic_block:  # the caller owns the transaction: no retry is possible
        with transaction.atomic():
            return operation()
    for attempt in range(LOCK_RETRIES + 1):
        try:
            with transaction.atomic():
                return operation()
        except OperationalError as exc:
            if not _is_locked(exc) or attempt == LOCK_RETRIES:
                raise
            wait = min(LOCK_BACKOFF_CAP, LOCK_BACKOFF * 2**attempt)
            time.sleep(wait * (0.5 + random.random()))
    raise AssertionError("unreachable")  # pragma: no cover


def _current_count(paper_id: str) -> int:
    return Paper.objects.filter(pk=paper_id).values_list("upvotes", flat=True).get()


def _visible_paper_id(paper_id: str) -> str:
    found = Paper.objects.visible().filter(pk=paper_id).values_list("pk", flat=True).first()
    if found is None:
        raise VoteError(f"no paper {paper_id!r} to vote on")
    return found


def _add(user, paper_id: str) -> bool:
    """Insert the vote; False when the unique constraint says it is already there."""
    try:
        with transaction.atomic():  # savepoint: a refused INSERT must not spoil the transaction
            Vote.objects.create(user=user, paper_id=paper_id)
    except IntegrityError:
        return False
    Paper.objects.filter(pk=paper_id).update(upvotes=F("upvotes") + 1)
    pagecache.paper_changed(paper_id, "vote")
    return True


def _remove(user, paper_id: str) -> bool:
    """Delete the vote; False when there was none."""
    deleted, _ = Vote.objects.filter(user=user, paper_id=paper_id).delete()
    if not deleted:
        return False
    Paper.objects.filter(pk=paper_id, upvotes__gt=0).update(upvotes=F("upvotes") - 1)
    pagecache.paper_changed(paper_id, "vote")
    return True


def set_vote(user, paper_id: str, voted: bool) -> VoteResult:
    """Make the user's vote on ``paper_id`` be ``voted``; idempotent. Raises :class:`VoteError`."""
    _check_voter(user)

    def operation() -> VoteResult:
        pid = _visible_paper_id(paper_id)
        if voted:
            _add(user, pid)
        else:
            _remove(user, pid)
        return VoteResult(voted=voted, count=_current_count(pid))

    return _retrying(operation)


def toggle_vote(user, paper_id: str) -> VoteResult:
    """Flip the user's vote on ``paper_id``. Raises :class:`VoteError`."""
    _check_voter(user)

    def operation() -> VoteResult:
        pid = _visible_paper_id(paper_id)
        if Vote.objects.filter(user=user, paper_id=pid).exists():
            voted = False
            _remove(user, pid)  # deleting nothing: a concurrent toggle of this user removed it
        else:
            voted = True
            _add(user, pid)  # refused insert: a concurrent toggle of this user voted, stays voted
        return VoteResult(voted=voted, count=_current_count(pid))

    return _retrying(operation)


def remove_votes(queryset) -> int:
    """Delete the votes in ``queryset`` (staff moderation), each paper's count down by exactly
    the rows deleted. Returns how many were deleted."""

    def operation() -> int:
        rows = list(queryset.select_for_update().values_list("pk", "paper_id"))
        removed = 0
        by_paper: Counter[str] = Counter()
        for pk, paper_id in rows:
            deleted, _ = Vote.objects.filter(pk=pk).delete()
            if deleted:
                by_paper[paper_id] += 1
                removed += 1
        for paper_id, n in by_paper.items():
            Paper.objects.filter(pk=paper_id).update(upvotes=Greatest(F("upvotes") - n, 0))
        pagecache.changed("votes removed")
        return removed

    return _retrying(operation)


def remove_account_votes(user_id: int) -> int:
    """Delete every vote of one account (its deletion, :mod:`paperfeed.accounts.deletion`),
    each paper's count down by one: an account has at most one vote per paper. Runs in the
    caller's transaction, which has locked the account's row, so no vote of it comes meanwhile
    (an INSERT waits on the row lock, then fails its foreign key). Returns how many went."""
    paper_ids = list(Vote.objects.filter(user_id=user_id).values_list("paper_id", flat=True))
    Vote.objects.filter(user_id=user_id).delete()
    for start in range(0, len(paper_ids), CHUNK):
        Paper.objects.filter(pk__in=paper_ids[start : start + CHUNK]).update(
            upvotes=Greatest(F("upvotes") - 1, 0)
        )
    pagecache.changed("account votes removed")
    return len(paper_ids)


def has_voted(user, paper_id: str) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Vote.objects.filter(user=user, paper_id=paper_id).exists()


def voted_ids(user, paper_ids) -> set[str]:
    """The ids among ``paper_ids`` the user has voted for (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Vote.objects.filter(user=user, paper_id__in=list(paper_ids)).values_list(
            "paper_id", flat=True
        )
    )


def recount_upvotes(paper_ids) -> int:
    """Set ``Paper.upvotes`` of ``paper_ids`` to their number of vote rows (after votes were
    written in bulk, not through :func:`set_vote`); returns how many papers were updated."""
    tally = (
        Vote.objects.filter(paper=OuterRef("pk"))
        .order_by()
        .values("paper")
        .annotate(n=Count("pk"))
        .values("n")
    )
    updated = Paper.objects.filter(arxiv_id__in=paper_ids).update(
        upvotes=Coalesce(Subquery(tally), 0)
    )
    pagecache.changed("upvotes recounted")
    return updated
