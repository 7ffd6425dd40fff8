"""Sending digests through the ledger (:class:`DigestSend`), exactly once per (subscriber, period).

1. :func:`plan` inserts a ``pending`` row for each active subscriber whose period is due; the
   unique (subscriber, period_key) constraint makes re-planning harmless.
2. :func:`claim_next` takes one due row with a conditional UPDATE (``pending`` or an expired /
   dead ``sending`` claim -> ``sending`` by us): only one sender wins a row, on SQLite and
   PostgreSQL alike, without table locks.  The claim is committed before any mail goes out.
3. :func:`deliver` builds the digest, sends it, and commits ``sent`` + the mailed papers in one
   transaction right after the SMTP server accepts it.

A sender killed before the server accepted a message leaves the row in ``sending``; once its
claim has expired (at once when the claiming process is known dead on this host) the row is
sent again, with the Message-ID stored at the first claim.  The one window left is a kill after
the server's "250 OK" and before the commit: that digest goes out a second time with the same
Message-ID, which receiving systems use to drop duplicates.

Transient failures (4xx, connection errors) are retried with exponential backoff; permanent
ones (5xx) count as hard failures of the address, which is paused after
:data:`paperfeed.digests.subscriptions.HARD_FAILURE_LIMIT` in a row and shown as such in the
admin.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from paperfeed.digests import compose, content, schedule, subscriptions
from paperfeed.digests.models import DigestSend, MailedPaper, Subscriber
from paperfeed.ops import metrics as ops_metrics
from paperfeed.processes import running

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # a row is given up ("failed") after this many failed tries
CLAIM_SECONDS = 600  # a claim older than this is taken over by another sender

Builder = Callable[[Subscriber, dt.datetime, dt.datetime], compose.Digest]
BatchBuilder = Callable[[list[Subscriber], dt.datetime, dt.datetime], list[compose.Digest]]
BATCH = 200  # ledger rows claimed, built together, then sent one by one


def sender_id() -> str:
    """``host:pid`` of this process, stored with each claim."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_is_dead(claimed_by: str) -> bool:
    """True when ``claimed_by`` names a process on this host that no longer runs."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not running(int(pid))


def default_builder(subscriber: Subscriber, start: dt.datetime, end: dt.datetime):
    """One subscriber's digest (previews, dry runs): ``content.build_digest``."""
    return content.build_digest(subscriber, start, end)


def default_build_many(subscribers: list[Subscriber], start: dt.datetime, end: dt.datetime):
    """The digests of many subscribers of one period at once: ``content.build_all``."""
    return content.build_all(subscribers, start, end)


def one_by_one(build: Builder) -> BatchBuilder:
    """A batch builder from a one-subscriber builder."""
    return lambda subscribers, start, end: [build(s, start, end) for s in subscribers]


@dataclass
class Outcome:
    planned: int = 0
    sent: int = 0
    empty: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def period_of(subscriber: Subscriber, now: dt.datetime) -> schedule.Period:
    return schedule.period_containing(
        subscriber.frequency, subscriber.send_hour, subscriber.timezone, now
    )


def plan(now: dt.datetime, frequency: str | None = None) -> int:
    """Insert a pending ledger row for every active subscriber's current period; returns how many
    rows are new. A period counts from its send moment, so subscribers are due at their local
    hour."""
    subscribers = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE)
    if frequency:
        subscribers = subscribers.filter(frequency=frequency)
    rows = []
    for sub in subscribers.only("pk", "frequency", "send_hour", "timezone", "confirmed_at"):
        period = period_of(sub, now)
        if sub.confirmed_at and sub.confirmed_at >= period.end:
            continue  # confirmed after this period's send moment: starts with the next one
        rows.append(DigestSend(subscriber_id=sub.pk, period_key=period.key))
    before = DigestSend.objects.count()
    DigestSend.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return DigestSend.objects.count() - before


def _claimable(now: dt.datetime) -> Q:
    ready = Q(state=DigestSend.State.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(state=DigestSend.State.SENDING) & Q(claimed_until__lt=now)
    return ready | stale


def claim_next(now: dt.datetime, me: str, frequency: str | None = None) -> DigestSend | None:
    """One due ledger row, claimed for ``me`` and committed; None when nothing is due."""
    rows = DigestSend.objects.filter(_claimable(now))
    dead = DigestSend.objects.filter(state=DigestSend.State.SENDING, claimed_until__gte=now)
    if frequency:
        rows = rows.filter(period_key__startswith=f"{frequency}:")
        dead = dead.filter(period_key__startswith=f"{frequency}:")
    candidates = list(rows.order_by("pk").values_list("pk", "state", "claimed_by")[:20])
    candidates += [
        (pk, state, by)
        for pk, state, by in dead.exclude(claimed_by=me).values_list("pk", "state", "claimed_by")
        if process_is_dead(by)
    ]
    for pk, state, claimed_by in candidates:
        won = DigestSend.objects.filter(pk=pk, state=state, claimed_by=claimed_by).update(
            state=DigestSend.State.SENDING,
            claimed_by=me,
            claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
        if won:
            row = DigestSend.objects.select_related("subscriber").get(pk=pk)
            if not row.message_id:
                domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
                row.message_id = make_msgid(f"digest.{row.pk}", domain=domain)
                DigestSend.objects.filter(pk=pk).update(message_id=row.message_id)
            return row
    return None


def _finish(row: DigestSend, **fields) -> None:
    DigestSend.objects.filter(pk=row.pk, claimed_by=row.claimed_by).update(
        claimed_until=None, **fields
    )


def _is_permanent(exc: Exception) -> bool:
    """5xx replies (and a refused recipient) are permanent; everything else is worth a retry."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def _failed(row: DigestSend, exc: Exception, now: dt.datetime, outcome: Outcome) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    outcome.errors.append(f"{row.subscriber.email} {row.period_key}: {error}")
    attempts = DigestSend.objects.get(pk=row.pk).attempts
    if _is_permanent(exc):
        with transaction.atomic():
            _finish(row, state=DigestSend.State.FAILED, last_error=error)
            subscriptions.record_hard_failure(row.subscriber, error)
        outcome.failed += 1
    elif attempts >= MAX_ATTEMPTS:
        _finish(row, state=DigestSend.State.FAILED, last_error=error)
        outcome.failed += 1
    else:
        retry_at = now + dt.timedelta(seconds=schedule.backoff_seconds(attempts))
        _finish(row, state=DigestSend.State.PENDING, next_attempt_at=retry_at, last_error=error)
        outcome.retried += 1


def _without_mailed(digest: compose.Digest, row: DigestSend) -> compose.Digest:
    mailed = set(
        MailedPaper.objects.filter(subscriber_id=row.subscriber_id).values_list(
            "paper_id", flat=True
        )
    )
    digest = compose.without_papers(digest, mailed)
    digest.period_key = row.period_key
    return digest


def deliver(
    row: DigestSend, digest: compose.Digest, connection, now: dt.datetime, outcome: Outcome
) -> None:
    """Send one claimed row's digest; the ledger is committed right after the server accepts."""
    if not Subscriber.objects.filter(
        pk=row.subscriber_id, status=Subscriber.Status.ACTIVE
    ).exists():
        _finish(row, state=DigestSend.State.SKIPPED)  # unsubscribed while the batch was built
        outcome.skipped += 1
        return
    digest = _without_mailed(digest, row)
    if digest.is_empty:
        _finish(row, state=DigestSend.State.EMPTY)
        outcome.empty += 1
        return
    message = compose.digest_message(digest)
    message.extra_headers["Message-ID"] = row.message_id
    message.connection = connection
    try:
        if getattr(connection, "connection", False) is None:
            connection.open()  # one SMTP session for the run, reopened after an error
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        if not _is_permanent(exc):
            connection.close()
        _failed(row, exc, now, outcome)
        return
    with transaction.atomic():
        _finish(row, state=DigestSend.State.SENT, sent_at=timezone.now(), last_error="")
        MailedPaper.objects.bulk_create(
            [
                MailedPaper(subscriber_id=row.subscriber_id, paper=p, digest_id=row.pk)
                for p in digest.papers
            ],
            ignore_conflicts=True,
        )
        subscriptions.record_delivery(row.subscriber_id)
    outcome.sent += 1


def _release(row: DigestSend, now: dt.datetime, outcome: Outcome, error: str) -> None:
    retry_at = now + dt.timedelta(seconds=schedule.backoff_seconds(1))
    _finish(row, state=DigestSend.State.PENDING, next_attempt_at=retry_at, last_error=error)
    outcome.retried += 1


def build_batch(
    rows: list[DigestSend], build_many: BatchBuilder, now: dt.datetime, outcome: Outcome
) -> list[tuple[DigestSend, compose.Digest]]:
    """The digests of claimed rows, built together per period; rows of subscribers no longer
    active are marked skipped, rows whose building failed are released for a retry."""
    groups: dict[tuple, list[DigestSend]] = {}
    for row in rows:
        sub = Subscriber.objects.get(pk=row.subscriber_id)
        row.subscriber = sub
        if sub.status != Subscriber.Status.ACTIVE:
            _finish(row, state=DigestSend.State.SKIPPED)
            outcome.skipped += 1
            continue
        period = schedule.period_from_key(row.period_key, sub.send_hour, sub.timezone)
        groups.setdefault((period.start, period.end), []).append(row)
    built = []
    for (start, end), group in groups.items():
        try:
            digests = build_many([row.subscriber for row in group], start, end)
        except Exception:
            # one subscriber's bad data must not hold back the others: build them one by one
            log.exception("building %d digests for %s failed; one by one now", len(group), start)
            for row in group:
                try:
                    [digest] = build_many([row.subscriber], start, end)
                except Exception as exc:
                    log.exception("building the digest of subscriber %s failed", row.subscriber_id)
                    _release(row, now, outcome, f"building failed: {exc!r}"[:2000])
                else:
                    built.append((row, digest))
            continue
        built += list(zip(group, digests, strict=True))
    return built


def send_due(
    now: dt.datetime | None = None,
    *,
    frequency: str | None = None,
    build: Builder | None = None,
    build_many: BatchBuilder | None = None,
    limit: int | None = None,
    me: str | None = None,
) -> Outcome:
    """Plan the due periods, then claim, build and send rows in batches until none is due (or
    ``limit`` sent). ``build`` (one subscriber) or ``build_many`` replace content.build_all."""
    now = now or timezone.now()
    me = me or sender_id()
    build_many = build_many or (one_by_one(build) if build else default_build_many)
    outcome = Outcome(planned=plan(now, frequency))
    connection = get_connection()
    try:
        while limit is None or outcome.sent < limit:
            size = BATCH if limit is None else min(BATCH, limit - outcome.sent)
            rows = []
            while len(rows) < size and (row := claim_next(now, me, frequency)) is not None:
                rows.append(row)
            if not rows:
                break
            for row, digest in build_batch(rows, build_many, now, outcome):
                deliver(row, digest, connection, now, outcome)
    finally:
        connection.close()
        ops_metrics.count_digests(outcome)  # never raises; counts a run that broke half-way too
    return outcome


def unsent_periods(now: dt.datetime, frequency: str | None = None):
    """(subscriber, period) of each active subscriber whose current period is not yet done."""
    subscribers = Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).order_by("pk")
    if frequency:
        subscribers = subscribers.filter(frequency=frequency)
    finished = {
        (sub_id, key)
        for sub_id, key in DigestSend.objects.exclude(state=DigestSend.State.PENDING)
        .exclude(state=DigestSend.State.SENDING)
        .values_list("subscriber_id", "period_key")
    }
    for sub in subscribers:
        period = period_of(sub, now)
        if (sub.pk, period.key) not in finished and not (
            sub.confirmed_at and sub.confirmed_at >= period.end
        ):
            yield sub, period


def digest_for(
    subscriber: Subscriber, period: schedule.Period, build: Builder | None = None
) -> compose.Digest:
    """What ``subscriber`` gets for ``period``: built, minus the papers already mailed."""
    digest = (build or default_builder)(subscriber, period.start, period.end)
    mailed = set(
        MailedPaper.objects.filter(subscriber=subscriber).values_list("paper_id", flat=True)
    )
    digest = compose.without_papers(digest, mailed)
    digest.period_key = period.key
    return digest


def preview(
    subscriber: Subscriber, now: dt.datetime | None = None, build: Builder | None = None
) -> compose.Digest:
    """The subscriber's next digest (the period whose send moment comes after ``now``)."""
    now = now or timezone.now()
    period = schedule.next_period(
        subscriber.frequency, subscriber.send_hour, subscriber.timezone, now
    )
    return digest_for(subscriber, period, build)
