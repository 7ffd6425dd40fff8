"""Sending digests through the ledger (:class:`DigestSend`), exactly once per (subscriber, period);
the claims, retries and the commit after sending are :mod:`paperfeed.digests.ledger`'s, shared
with the alerts of follows.

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
from collections.abc import Callable

from django.core.mail import get_connection
from django.utils import timezone

from paperfeed.digests import compose, content, ledger, schedule, subscriptions
from paperfeed.digests.ledger import (  # noqa: F401 - the digests' names for the ledger's
    CLAIM_SECONDS,
    MAX_ATTEMPTS,
    Outcome,
    process_is_dead,
    sender_id,
)
from paperfeed.digests.models import DigestSend, MailedPaper, Subscriber
from paperfeed.ops import metrics as ops_metrics

log = logging.getLogger(__name__)

Builder = Callable[[Subscriber, dt.datetime, dt.datetime], compose.Digest]
BatchBuilder = Callable[[list[Subscriber], dt.datetime, dt.datetime], list[compose.Digest]]
BATCH = 200  # ledger rows claimed, built together, then sent one by one


def default_builder(subscriber: Subscriber, start: dt.datetime, end: dt.datetime):
    """One subscriber's digest (previews, dry runs): ``content.build_digest``."""
    return content.build_digest(subscriber, start, end)


def default_build_many(subscribers: list[Subscriber], start: dt.datetime, end: dt.datetime):
    """The digests of many subscribers of one period at once: ``content.build_all``."""
    return content.build_all(subscribers, start, end)


def one_by_one(build: Builder) -> BatchBuilder:
    """A batch builder from a one-subscriber builder."""
    return lambda subscribers, start, end: [build(s, start, end) for s in subscribers]


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


def claim_next(now: dt.datetime, me: str, frequency: str | None = None) -> DigestSend | None:
    """One due ledger row, claimed for ``me`` and committed; None when nothing is due."""
    rows = DigestSend.objects.select_related("subscriber")
    prefix = f"{frequency}:" if frequency else ""
    return ledger.claim_next(rows, now, me, tag="digest", key_prefix=prefix)


def _gave_up(row: DigestSend) -> ledger.GaveUp:
    def record(error: str, permanent: bool) -> None:
        if permanent:  # a 5xx reply counts against the address (paused after a few)
            subscriptions.record_hard_failure(row.subscriber, error)

    return record


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
        ledger.finish(row, state=DigestSend.State.SKIPPED)  # unsubscribed while it was built
        outcome.skipped += 1
        return
    digest = _without_mailed(digest, row)
    if digest.is_empty:
        ledger.finish(row, state=DigestSend.State.EMPTY)
        outcome.empty += 1
        return

    def mailed() -> None:
        MailedPaper.objects.bulk_create(
            [
                MailedPaper(subscriber_id=row.subscriber_id, paper=p, digest_id=row.pk)
                for p in digest.papers
            ],
            ignore_conflicts=True,
        )
        subscriptions.record_delivery(row.subscriber_id)

    ledger.send_message(
        row,
        compose.digest_message(digest),
        connection,
        now,
        outcome,
        who=f"{row.subscriber.email} {row.period_key}",
        on_sent=mailed,
        gave_up=_gave_up(row),
    )


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
            ledger.finish(row, state=DigestSend.State.SKIPPED)
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
                    ledger.release(row, now, outcome, f"building failed: {exc!r}")
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
            rows = ledger.claim_batch(lambda: claim_next(now, me, frequency), size)
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
