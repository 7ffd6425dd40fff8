"""The send ledger's machinery, shared by the digests (:class:`DigestSend`, :mod:`.send`) and the
alerts of follows (:class:`AlertSend`, :mod:`.alerts_send`): exactly once per (recipient, period).

1. The caller plans rows: a ``pending`` row per (recipient, period key), unique, so re-planning
   is harmless.
2. :func:`claim_next` takes one due row with a conditional UPDATE (``pending`` or an expired /
   dead ``sending`` claim -> ``sending`` by us): only one sender wins a row, on SQLite and
   PostgreSQL alike, without table locks. The claim is committed before any mail goes out; the
   Message-ID is chosen at the first claim and kept across retries.
3. :func:`send_message` sends one claimed row's mail and commits ``sent`` together with what the
   caller records (mailed papers) right after the server accepts it.

A claim older than :data:`CLAIM_SECONDS`, or at once one whose process is known dead on this
host, is taken over. Transient failures (4xx, connection errors) are retried with exponential
backoff (:func:`paperfeed.digests.schedule.backoff_seconds`); a permanent one (5xx), or
:data:`MAX_ATTEMPTS` failures, gives the row up (``failed``) and tells the caller.
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from paperfeed.digests import schedule
from paperfeed.digests.models import Ledger
from paperfeed.processes import running

MAX_ATTEMPTS = 5  # a row is given up ("failed") after this many failed tries
CLAIM_SECONDS = 600  # a claim older than this is taken over by another sender
CANDIDATES = 20  # due rows looked at per claim (others may win some of them)

Row = TypeVar("Row", bound=Ledger)
State = Ledger.State


@dataclass
class Outcome:
    """What one run of a sender did, row by row."""

    planned: int = 0
    sent: int = 0
    empty: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def sender_id() -> str:
    """``host:pid`` of this process, stored with each claim."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_is_dead(claimed_by: str) -> bool:
    """True when ``claimed_by`` names a process on this host that no longer runs."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not running(int(pid))


def _claimable(now: dt.datetime) -> Q:
    ready = Q(state=State.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    stale = Q(state=State.SENDING) & Q(claimed_until__lt=now)
    return ready | stale


def claim_next(
    rows: QuerySet[Row], now: dt.datetime, me: str, *, tag: str, key_prefix: str = ""
) -> Row | None:
    """One due row of ``rows``' model, claimed for ``me`` and committed, read back through
    ``rows`` (its ``select_related``); None when nothing is due. ``key_prefix`` restricts the
    claim to period keys starting with it ("daily:"); ``tag`` names the Message-ID's kind."""
    model = rows.model
    due = model.objects.filter(_claimable(now))
    dead = model.objects.filter(state=State.SENDING, claimed_until__gte=now)
    if key_prefix:
        due = due.filter(period_key__startswith=key_prefix)
        dead = dead.filter(period_key__startswith=key_prefix)
    candidates = list(due.order_by("pk").values_list("pk", "state", "claimed_by")[:CANDIDATES])
    candidates += [
        (pk, state, by)
        for pk, state, by in dead.exclude(claimed_by=me).values_list("pk", "state", "claimed_by")
        if process_is_dead(by)
    ]
    for pk, state, claimed_by in candidates:
        won = model.objects.filter(pk=pk, state=state, claimed_by=claimed_by).update(
            state=State.SENDING,
            claimed_by=me,
            claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
        if won:
            row = rows.get(pk=pk)
            if not row.message_id:
                domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
                row.message_id = make_msgid(f"{tag}.{row.pk}", domain=domain)
                model.objects.filter(pk=pk).update(message_id=row.message_id)
            return row
    return None


def claim_batch(claim: Callable[[], Row | None], size: int) -> list[Row]:
    """Up to ``size`` rows from ``claim()`` (one claim at a time)."""
    rows = []
    while len(rows) < size and (row := claim()) is not None:
        rows.append(row)
    return rows


def finish(row: Ledger, **fields) -> None:
    """End our claim of ``row`` with ``fields`` (a state, an error); a no-op when another
    sender has taken the row over meanwhile."""
    type(row).objects.filter(pk=row.pk, claimed_by=row.claimed_by).update(
        claimed_until=None, **fields
    )


def is_permanent(exc: Exception) -> bool:
    """5xx replies (and a refused recipient) are permanent; everything else is worth a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


GaveUp = Callable[[str, bool], None]
"""Called inside the transaction that gives a row up, with the error and whether it was
permanent (a 5xx reply) rather than too many attempts."""


def failed(
    row: Ledger,
    exc: Exception,
    now: dt.datetime,
    outcome: Outcome,
    *,
    who: str,
    gave_up: GaveUp | None = None,
) -> None:
    """Record a failed send of ``row`` (``who``: the recipient and period, for the errors): a
    retry later with backoff, or given up."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    outcome.errors.append(f"{who}: {error}")
    attempts = type(row).objects.get(pk=row.pk).attempts
    permanent = is_permanent(exc)
    if permanent or attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            finish(row, state=State.FAILED, last_error=error)
            if gave_up:
                gave_up(error, permanent)
        outcome.failed += 1
    else:
        retry_at = now + dt.timedelta(seconds=schedule.backoff_seconds(attempts))
        finish(row, state=State.PENDING, next_attempt_at=retry_at, last_error=error)
        outcome.retried += 1


def release(row: Ledger, now: dt.datetime, outcome: Outcome, error: str) -> None:
    """Give a claimed row back for a retry after the first backoff (its mail could not be
    built)."""
    retry_at = now + dt.timedelta(seconds=schedule.backoff_seconds(1))
    finish(row, state=State.PENDING, next_attempt_at=retry_at, last_error=error[:2000])
    outcome.retried += 1


def send_message(
    row: Ledger,
    message,
    connection,
    now: dt.datetime,
    outcome: Outcome,
    *,
    who: str,
    on_sent: Callable[[], None],
    gave_up: GaveUp | None = None,
) -> bool:
    """Send ``message`` (an ``EmailMessage``) for the claimed ``row`` with the row's Message-ID
    over ``connection`` (one SMTP session for the run, reopened after an error); right after the
    server accepts it, commit ``sent`` and ``on_sent()`` in one transaction. False when it
    failed (recorded by :func:`failed`)."""
    message.extra_headers["Message-ID"] = row.message_id
    message.connection = connection
    try:
        if getattr(connection, "connection", False) is None:
            connection.open()
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        if not is_permanent(exc):
            connection.close()
        failed(row, exc, now, outcome, who=who, gave_up=gave_up)
        return False
    with transaction.atomic():
        finish(row, state=State.SENT, sent_at=timezone.now(), last_error="")
        on_sent()
    outcome.sent += 1
    return True
