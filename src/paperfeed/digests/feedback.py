"""The "more like this" / "less like this" signals: the one place that records Feedback.

Two doors lead here: the signed link in a digest email (:func:`record_feedback`, as the
subscriber and their account) and the buttons on the site (:func:`set_feedback`, as the
logged-in user). A paper has at most one signal per owner (the ``feedback_once_*`` unique
constraints); a later signal replaces an earlier one, and on the site clicking the active
button again clears it. :mod:`paperfeed.digests.gather` reads the rows: +1 makes a paper a
liked one of the profile, -1 a disliked one that is never recommended.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from paperfeed.digests.models import Feedback, Subscriber
from paperfeed.papers.models import Paper

MORE = 1
LESS = -1
SIGNALS = (MORE, LESS)


class FeedbackError(Exception):
    """The feedback cannot be recorded (unknown or hidden paper, anonymous user, bad signal)."""


def record_feedback(subscriber: Subscriber, paper: Paper, signal: int) -> Feedback:
    """The subscriber's (and their account's) signal on ``paper``; a later one replaces it."""
    if signal not in SIGNALS:
        raise FeedbackError(f"signal must be +1 or -1, not {signal!r}")
    owner = Q(subscriber=subscriber)
    if subscriber.user_id:
        owner |= Q(user_id=subscriber.user_id)
    with transaction.atomic():
        row = Feedback.objects.select_for_update().filter(owner, paper=paper).first()
        if row is None:
            row = Feedback(subscriber=subscriber, user_id=subscriber.user_id, paper=paper)
        row.signal = signal
        row.save()
    return row


def _check_user(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise FeedbackError("log in to tell us what you want more or less of")
    if not user.is_active:
        raise FeedbackError("this account is deactivated")


def set_feedback(user, paper_id: str, signal: int | None) -> int | None:
    """Make the user's signal on ``paper_id`` be ``signal`` (+1, -1, or None: no signal);
    idempotent, so a double click cannot undo itself. Returns the signal now stored.
    Raises :class:`FeedbackError`."""
    _check_user(user)
    if signal is not None and signal not in SIGNALS:
        raise FeedbackError(f"signal must be +1, -1 or none, not {signal!r}")
    if not Paper.objects.visible().filter(pk=paper_id).exists():
        raise FeedbackError(f"no paper {paper_id!r} to give feedback on")
    with transaction.atomic():
        if signal is None:
            Feedback.objects.filter(user=user, paper_id=paper_id).delete()
            return None
        updated = Feedback.objects.filter(user=user, paper_id=paper_id).update(signal=signal)
        if not updated:
            try:
                with transaction.atomic():  # savepoint: a concurrent insert must not spoil it
                    Feedback.objects.create(user=user, paper_id=paper_id, signal=signal)
            except IntegrityError:  # the same user's concurrent click inserted it first
                Feedback.objects.filter(user=user, paper_id=paper_id).update(signal=signal)
    return signal


def current_feedback(user, paper_id: str) -> int | None:
    """The user's signal on ``paper_id`` (None: none, or not logged in)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Feedback.objects.filter(user=user, paper_id=paper_id)
        .values_list("signal", flat=True)
        .first()
    )


def feedback_by_paper(user, paper_ids) -> dict[str, int]:
    """The user's signals on ``paper_ids`` (one query)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    rows = Feedback.objects.filter(user=user, paper_id__in=list(paper_ids))
    return dict(rows.values_list("paper_id", "signal"))
