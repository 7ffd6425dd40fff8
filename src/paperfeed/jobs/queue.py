"""Drain the task queue in this process: run the queued tasks one at a time until none is ready.

Several ``paperfeed worker`` processes, on one machine or several, drain one queue, and each
task runs once:

- database backend (the default, ``django_tasks_db``): its own worker loop (the one behind its
  ``db_worker`` command) claims each task row in a transaction — ``SELECT … FOR UPDATE SKIP
  LOCKED`` on PostgreSQL, an exclusive transaction on SQLite — and marks it running before it
  runs it;
- RQ backend (``REDIS_URL``): an RQ burst worker on the same Redis queue; the job runs in this
  process (no fork), under RQ's time limit (``settings.JOB_TIMEOUT_SECONDS``).

A stop requested meanwhile (``stop`` set, e.g. by SIGTERM) ends the drain after the task that is
running. Each worker names itself ``host:pid`` (:func:`paperfeed.digests.send.sender_id`), so the
scheduler can tell that the worker of a run has died.
"""

from __future__ import annotations

import threading

import django_rq
from django.core.exceptions import ImproperlyConfigured
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResult, task_backends
from django_tasks.signals import task_finished
from django_tasks_db import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_rq.backend import Job, RQBackend
from rq import SimpleWorker


def drain(*, me: str, stop: threading.Event, max_tasks: int | None = None) -> list[TaskResult]:
    """Run the ready tasks of the default backend's queues (at most ``max_tasks``); their
    results, in finishing order."""
    finished: list[TaskResult] = []

    def collect(sender, task_result: TaskResult, **kwargs) -> None:
        finished.append(task_result)

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    task_finished.connect(collect)
    try:
        if isinstance(backend, DatabaseBackend):
            _DatabaseDrain(
                stop,
                queue_names=sorted(backend.queues),
                interval=0,
                batch=True,
                backend_name=backend.alias,
                startup_delay=False,
                max_tasks=max_tasks,
                worker_id=me,
                excluded_queue_names=[],
            ).run()
        elif isinstance(backend, RQBackend):
            worker = django_rq.get_worker(
                *sorted(backend.queues), job_class=Job, worker_class=_RQDrain, name=me, stop=stop
            )
            worker.work(burst=True, max_jobs=max_tasks, logging_level="WARNING")
        else:
            raise ImproperlyConfigured(
                f"paperfeed worker cannot drain the task backend {type(backend).__name__}: "
                "use django_tasks_db.DatabaseBackend (default) or django_tasks_rq.RQBackend "
                "(REDIS_URL)"
            )
    finally:
        task_finished.disconnect(collect)
    for result in finished:  # RQ signals a job's end before it stores the return value
        result.refresh()
    return finished


class _DatabaseDrain(DatabaseWorker):
    """django_tasks_db's worker loop in batch mode, stopping between two tasks once ``stop``
    is set (its own signal handlers are not installed: ``paperfeed worker`` has its own)."""

    def __init__(self, stop: threading.Event, **options):
        self.stop = stop
        super().__init__(**options)

    @property
    def running(self) -> bool:
        return not self.stop.is_set()

    @running.setter
    def running(self, value: bool) -> None:
        if not value:
            self.stop.set()


class _RQDrain(SimpleWorker):
    """RQ's in-process worker, stopping between two jobs once ``stop`` is set (its own signal
    handlers are not installed: ``paperfeed worker`` has its own)."""

    def __init__(self, *args, stop: threading.Event, **kwargs):
        self.stop = stop
        super().__init__(*args, **kwargs)

    def _install_signal_handlers(self) -> None:
        pass

    # No pubsub channel for RQ's remote commands: a drain lasts one task, and stopping RQ's
    # listener thread (blocked for up to 60 s in a read) sometimes held the drain up that long.
    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass

    @property
    def _stop_requested(self) -> bool:
        return self.stop.is_set()

    @_stop_requested.setter
    def _stop_requested(self, value: bool) -> None:
        if value:
            self.stop.set()
