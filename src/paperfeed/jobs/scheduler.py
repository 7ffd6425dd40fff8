"""Enqueue the periodic jobs that are due, once per database however many workers run.

Every ``paperfeed worker`` calls :func:`enqueue_due` each round; only the holder of the database
lease ``worker`` (:mod:`paperfeed.jobs.lease`) enqueues. An entry of
:data:`paperfeed.jobs.schedule.PERIODIC` is due when its period has passed since it was last
enqueued and its previous run is neither waiting in the queue nor running — a run whose worker
died does not hold it back: its process is gone from this host, or it started longer ago than
the lease lasts. The time is recorded per entry (:class:`~paperfeed.jobs.models.PeriodicRun`) and
claimed with a conditional ``UPDATE`` (only if it still holds the value this scheduler read), so
a restarted or second scheduler never enqueues the same period twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from paperfeed.digests.send import process_is_dead
from paperfeed.jobs import lease
from paperfeed.jobs.models import PeriodicRun
from paperfeed.jobs.schedule import PERIODIC, Options, Periodic

LEASE_NAME = "worker"
"""The lease of the worker that schedules (and of a ``paperfeed worker --once`` round)."""


@dataclass
class Scheduled:
    ran: bool  # False: another worker holds the lease
    holder: str = ""
    enqueued: list[str] = field(default_factory=list)


def enqueue_due(
    options: Options,
    *,
    me: str,
    now: dt.datetime,
    lease_seconds: float,
    entries: Iterable[Periodic] = PERIODIC,
) -> Scheduled:
    """Take or renew the lease, then enqueue each entry that is due for ``options``."""
    if not lease.acquire(LEASE_NAME, me, now, lease_seconds):
        held = lease.current(LEASE_NAME)
        return Scheduled(ran=False, holder=held.holder if held else "")
    result = Scheduled(ran=True, holder=me)
    stale = dt.timedelta(seconds=lease_seconds)
    for entry in entries:
        arguments = entry.arguments(options)
        if arguments is None or not _claim(entry, options, now, stale):
            continue
        enqueued = entry.task.enqueue(**arguments)
        PeriodicRun.objects.filter(name=entry.name).update(result_id=enqueued.id)
        result.enqueued.append(entry.name)
    return result


def _claim(entry: Periodic, options: Options, now: dt.datetime, stale: dt.timedelta) -> bool:
    """Record ``now`` as the entry's last enqueue time if it is due; False when it is not, or
    when another scheduler recorded a time meanwhile."""
    run = PeriodicRun.objects.get_or_create(name=entry.name)[0]
    period = dt.timedelta(seconds=entry.period(options))
    if run.enqueued_at is not None and now - run.enqueued_at < period:
        return False
    if _still_going(entry.task, run.result_id, now, stale):
        return False
    return bool(
        PeriodicRun.objects.filter(name=entry.name, enqueued_at=run.enqueued_at).update(
            enqueued_at=now
        )
    )


def _still_going(task: Task, result_id: str, now: dt.datetime, stale: dt.timedelta) -> bool:
    """Whether the run ``result_id`` of ``task`` still waits in the queue or runs."""
    if not result_id:
        return False
    try:
        previous = task.get_result(result_id)
    except (TaskResultDoesNotExist, TaskResultMismatch):  # pruned, expired, another backend
        return False
    if previous.status == TaskResultStatus.READY:
        return True
    if previous.status != TaskResultStatus.RUNNING:
        return False
    if previous.worker_ids and process_is_dead(previous.worker_ids[-1]):
        return False
    return previous.started_at is not None and now - previous.started_at < stale
