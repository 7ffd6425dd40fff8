"""What ``paperfeed worker`` runs: one synchronous round (``--once``), or the loop that schedules
the periodic jobs and drains the task queue.

A round (:func:`tick`): under the database lease ``worker``, call the paper jobs of the schedule
in this process in order (fetch, embed, index: :data:`paperfeed.jobs.schedule.PAPER_JOBS`), then
send the digests that are due at each subscriber's local hour, then the mail alerts of follows
that are due (:mod:`paperfeed.digests.alerts_send`). A step that fails, sending included, is
recorded and the round goes on (a failed fetch must not stop the digests, nor failed digests the
alerts); the lease is renewed after every step, and a round that lost it stops.

The loop (:func:`serve`): every ``--interval`` seconds the scheduler enqueues the periodic jobs
that are due (only the lease holder does, :mod:`paperfeed.jobs.scheduler`); in between, the
process drains the queue (:mod:`paperfeed.jobs.queue`), looking for new tasks every
:data:`POLL_SECONDS`. Each digest is claimed row by row in the send ledger
(:mod:`paperfeed.digests.send`), each alert in the alert ledger, which is what makes sending
exactly-once, whichever processes run the digests and alerts tasks and however often.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus

from paperfeed.digests import alerts_send, send
from paperfeed.jobs import lease, queue, scheduler
from paperfeed.jobs.schedule import ALERTS, DIGESTS, PAPER_JOBS, PERIODIC, Options
from paperfeed.jobs.scheduler import LEASE_NAME

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How often an idle worker looks for new tasks in the queue."""

Step = tuple[str, Callable[[], object]]


@dataclass
class Tick:
    ran: bool  # False: another worker holds the lease
    steps: dict[str, str] = field(default_factory=dict)  # step -> "ok" or the error
    outcome: send.Outcome | None = None  # the digests
    alerts: send.Outcome | None = None  # the mail alerts of follows
    holder: str = ""

    @property
    def failed(self) -> bool:
        """A step that failed, or a digest or alert that failed or waits for a retry (what
        makes ``--once`` exit 1)."""
        sent = [o for o in (self.outcome, self.alerts) if o is not None]
        return any(v != "ok" for v in self.steps.values()) or any(
            o.failed or o.retried for o in sent
        )


def default_steps(options: Options) -> list[Step]:
    """The round's paper jobs for ``options``, each a call of its task in this process."""
    steps = []
    for entry in PAPER_JOBS:
        arguments = entry.arguments(options)
        if arguments is not None:
            steps.append((entry.name, functools.partial(entry.task.call, **arguments)))
    return steps


def tick(
    steps: list[Step],
    *,
    me: str | None = None,
    lease_seconds: float = 1800,
    now: Callable[[], dt.datetime] = timezone.now,
    build: send.Builder | None = None,
) -> Tick:
    """One round: take the lease, run each step, send the due digests, then the due alerts.
    The lease is renewed after every step, so a long fetch does not let a second worker in."""
    me = me or send.sender_id()
    if not lease.acquire(LEASE_NAME, me, now(), lease_seconds):
        held = lease.current(LEASE_NAME)
        return Tick(ran=False, holder=held.holder if held else "")
    result = Tick(ran=True, holder=me)

    def run(name: str, step: Callable[[], object]) -> object | None:
        """``step()``, recorded as ``ok`` or its error; None when it failed."""
        try:
            value = step()
        except Exception as exc:
            log.exception("worker step %s failed", name)
            result.steps[name] = f"{type(exc).__name__}: {exc}"
            return None
        result.steps[name] = "ok"
        return value

    def renewed() -> bool:
        if lease.acquire(LEASE_NAME, me, now(), lease_seconds):
            return True
        result.steps["lease"] = "lost to another worker; tick stopped"
        return False

    for name, step in steps:
        run(name, step)
        if not renewed():
            return result
    result.outcome = run(DIGESTS.name, lambda: send.send_due(now(), build=build, me=me))
    if not renewed():
        return result
    result.alerts = run(ALERTS.name, lambda: alerts_send.send_due(now(), me=me))
    return result


def serve(
    options: Options,
    *,
    me: str,
    lease_seconds: float,
    stop: threading.Event,
    report: Callable[[scheduler.Scheduled | TaskResult], None],
    drain_only: bool = False,
) -> int:
    """Schedule every ``options.interval`` seconds and run queued tasks one by one until
    ``stop`` is set; with ``drain_only``, schedule once and stop when the queue is empty. Each
    scheduling and each finished task goes to ``report``. Returns how many tasks
    :func:`failed`."""
    failures = 0
    next_round = time.monotonic()
    while not stop.is_set():
        if time.monotonic() >= next_round:
            now = timezone.now()
            report(scheduler.enqueue_due(options, me=me, now=now, lease_seconds=lease_seconds))
            next_round = math.inf if drain_only else time.monotonic() + options.interval
        ran = queue.drain(me=me, stop=stop, max_tasks=1)  # then the schedule again
        for finished in ran:
            report(finished)
            failures += failed(finished)
        if not ran:
            if drain_only:
                break
            stop.wait(max(0.0, min(POLL_SECONDS, next_round - time.monotonic())))
    return failures


_NAMES = {entry.task.module_path: entry.name for entry in PERIODIC}


def job_name(result: TaskResult) -> str:
    """The schedule's name of the task that ran (``fetch``, ``send``), else the task's own."""
    return _NAMES.get(result.task.module_path, result.task.name)


def failed(result: TaskResult) -> bool:
    """A task that raised, or a digests or alerts run with mails that failed or wait for a
    retry (what makes ``--drain`` exit 1)."""
    if result.status != TaskResultStatus.SUCCESSFUL:
        return True
    if result.task.module_path in (DIGESTS.task.module_path, ALERTS.task.module_path):
        outcome = result.return_value
        return bool(outcome["failed"] or outcome["retried"])
    return False
