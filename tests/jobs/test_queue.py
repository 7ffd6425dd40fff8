"""Draining the database queue in this process: each ready task once, in order; a stop ends the
drain after the running task. (The RQ queue: tests/jobs/test_rq.py.)"""

from __future__ import annotations

import threading

import pytest
from django_tasks import TaskResultStatus
from django_tasks.signals import task_started
from django_tasks_db.models import DBTaskResult

from paperfeed.jobs import queue
from paperfeed.jobs.tasks import prune_task_results

pytestmark = pytest.mark.django_db(transaction=True)


def statuses() -> list[str]:
    return list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))


def test_each_ready_task_runs_once_and_is_recorded_with_its_worker():
    queued = [prune_task_results.enqueue(days=d).id for d in (1, 2, 3)]
    stop = threading.Event()
    assert [r.id for r in queue.drain(me="node:1", stop=stop, max_tasks=1)] == queued[:1]
    finished = queue.drain(me="node:2", stop=stop)
    assert [r.id for r in finished] == queued[1:]
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in finished)
    assert finished[0].return_value == {"deleted": 0} and finished[0].worker_ids == ["node:2"]
    assert queue.drain(me="node:2", stop=stop) == []


def test_a_stop_ends_the_drain_after_the_running_task():
    for days in (1, 2, 3):
        prune_task_results.enqueue(days=days)
    stop = threading.Event()

    def stop_now(sender, **kwargs):
        stop.set()  # SIGTERM while the first task runs

    task_started.connect(stop_now)
    try:
        assert len(queue.drain(me="node:1", stop=stop)) == 1
    finally:
        task_started.disconnect(stop_now)
    assert statuses() == [
        TaskResultStatus.SUCCESSFUL,
        TaskResultStatus.READY,
        TaskResultStatus.READY,
    ]
    assert queue.drain(me="node:1", stop=stop) == []  # stopped: nothing more is claimed
