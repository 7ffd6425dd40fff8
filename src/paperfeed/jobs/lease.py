"""A named database lease: one holder at a time, taken over when it expires, or at once when
the holder is a process of this host that no longer runs (``host:pid``, as
:func:`paperfeed.digests.send.sender_id` names it; a killed worker restarted by systemd does not
wait for its own old lease).

Taken and renewed with one conditional UPDATE (``holder is me or the lease expired``), which both
SQLite (writes serialised) and PostgreSQL (the row is re-checked after its lock under READ
COMMITTED) apply atomically, so two workers never both hold it. The rows are
:class:`paperfeed.digests.models.SenderLease` (the lease began as the digest sender's).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q

from paperfeed.digests.models import SenderLease
from paperfeed.digests.send import process_is_dead


def acquire(name: str, holder: str, now: dt.datetime, seconds: float) -> bool:
    """Take or renew the lease ``name`` for ``holder`` until ``now + seconds``; False when
    another holder's lease has not expired."""
    if not SenderLease.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                SenderLease.objects.create(name=name)
        except IntegrityError:
            pass  # another process created it first
    free = Q(holder=holder) | Q(holder="") | Q(expires_at__isnull=True) | Q(expires_at__lt=now)
    until = now + dt.timedelta(seconds=seconds)
    if SenderLease.objects.filter(free, name=name).update(holder=holder, expires_at=until):
        return True
    held = current(name)
    if held is not None and held.holder and process_is_dead(held.holder):
        # the holder was killed on this host: take over now instead of waiting for the expiry
        return bool(
            SenderLease.objects.filter(name=name, holder=held.holder).update(
                holder=holder, expires_at=until
            )
        )
    return False


def release(name: str, holder: str) -> bool:
    """Give the lease up (only if ``holder`` still holds it)."""
    return bool(
        SenderLease.objects.filter(name=name, holder=holder).update(holder="", expires_at=None)
    )


def current(name: str) -> SenderLease | None:
    return SenderLease.objects.filter(name=name).first()
