"""Sending the alerts of follows through their ledger (:class:`AlertSend`), exactly once per
(user, alert period), on the digests' machinery (:mod:`paperfeed.digests.ledger`).

1. :func:`plan` inserts a ``pending`` row for each due (user, period) of :func:`alerts.due`.
2. :func:`ledger.claim_next` gives the row to one sender (conditional UPDATE, committed).
3. :func:`deliver` reserves the row's papers (:func:`alerts.reserve`: written before sending,
   unique per user and paper), sends the mail with the row's Message-ID, and commits ``sent``
   with the follows' new marks right after the server accepts it.

A sender killed after reserving resends exactly the reserved papers (same Message-ID); one
killed after the server's "250" and before the commit sends that one mail a second time with
the same Message-ID, as digests do. A row given up (5xx, or too many attempts) frees its
papers: the follows' marks did not move, so the next alert picks them up.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from paperfeed.digests import alerts, compose, ledger
from paperfeed.digests.ledger import Outcome
from paperfeed.digests.models import AlertedPaper, AlertSend

log = logging.getLogger(__name__)

State = AlertSend.State
PRUNE_AFTER = dt.timedelta(days=2)
"""Ledger rows of alerts that held nothing (empty, skipped) are deleted after this: instant
alerts plan a row per ten minutes while papers come in, and the follows' marks (not these rows)
are what the next alert starts from."""


def plan(now: dt.datetime) -> int:
    """Insert a pending row for every due (user, alert period); returns how many are new."""
    rows = [AlertSend(user_id=user_id, period_key=p.key) for user_id, p in alerts.due(now)]
    before = AlertSend.objects.count()
    AlertSend.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return AlertSend.objects.count() - before


def claim_next(now: dt.datetime, me: str) -> AlertSend | None:
    """One due alert row, claimed for ``me`` and committed; None when nothing is due."""
    return ledger.claim_next(AlertSend.objects.select_related("user"), now, me, tag="alert")


def _frees_papers(row: AlertSend) -> ledger.GaveUp:
    def free(error: str, permanent: bool) -> None:
        AlertedPaper.objects.filter(alert=row).delete()

    return free


def deliver(row: AlertSend, connection, now: dt.datetime, outcome: Outcome) -> None:
    """Reserve, send and commit one claimed row (see the module's steps)."""
    to = alerts.recipient(row.user)
    if to is None:  # deactivated, or the address changed and is not verified yet
        with transaction.atomic():
            ledger.finish(row, state=State.SKIPPED, last_error="no verified address")
            AlertedPaper.objects.filter(alert=row).delete()  # an earlier attempt's, unsent
        outcome.skipped += 1
        return
    frequency = row.period_key.partition(":")[0]
    timing = alerts.timings([row.user_id]).get(row.user_id, alerts.Timing())
    period = alerts.period_from_key(row.period_key, timing)
    try:
        held = alerts.reserve(row, period.end)
        alert = alerts.alert_of(to, row.period_key, ((p.paper_id, p.section, p.why) for p in held))
        message = compose.alert_message(alert) if not alert.is_empty else None
    except Exception as exc:  # one user's bad data must not hold back the others' alerts
        log.exception("building the alert %s of user %s failed", row.period_key, row.user_id)
        ledger.release(row, now, outcome, f"building failed: {exc!r}")
        return
    if message is None:
        with transaction.atomic():
            ledger.finish(row, state=State.EMPTY)
            alerts.advance_marks(row.user_id, frequency, period.end)
        outcome.empty += 1
        return
    ledger.send_message(
        row,
        message,
        connection,
        now,
        outcome,
        who=f"{to.email} {row.period_key}",
        on_sent=lambda: alerts.advance_marks(row.user_id, frequency, period.end),
        gave_up=_frees_papers(row),
    )


def prune(now: dt.datetime) -> int:
    """Delete the empty and skipped rows older than :data:`PRUNE_AFTER`; how many."""
    old = AlertSend.objects.filter(
        state__in=[State.EMPTY, State.SKIPPED], created__lt=now - PRUNE_AFTER
    )
    deleted, _ = old.delete()
    return deleted


def send_due(
    now: dt.datetime | None = None, *, limit: int | None = None, me: str | None = None
) -> Outcome:
    """Plan the due alerts, then claim, build and send them one by one until none is due (or
    ``limit`` sent)."""
    now = now or timezone.now()
    me = me or ledger.sender_id()
    outcome = Outcome(planned=plan(now))
    connection = get_connection()
    try:
        while limit is None or outcome.sent < limit:
            row = claim_next(now, me)
            if row is None:
                break
            deliver(row, connection, now, outcome)
    finally:
        connection.close()
    prune(now)
    return outcome
