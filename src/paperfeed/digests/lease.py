"""A named database lease: one holder at a time, taken over when it expires.

Taken and renewed with one conditional UPDATE (``holder is me or the lease expired``), which both
SQLite (writes serialised) and PostgreSQL (the row is re-checked after its lock under READ
COMMITTED) apply atomically, so two workers never both hold it.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q

from paperfeed.digests.models import SenderLease


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
    won = SenderLease.objects.filter(free, name=name).update(
        holder=holder, expires_at=now + dt.timedelta(seconds=seconds)
    )
    return won == 1


def release(name: str, holder: str) -> bool:
    """Give the lease up (only if ``holder`` still holds it)."""
    return bool(
        SenderLease.objects.filter(name=name, holder=holder).update(holder="", expires_at=None)
    )


def current(name: str) -> SenderLease | None:
    return SenderLease.objects.filter(name=name).first()
