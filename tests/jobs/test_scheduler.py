"""The scheduler: what is due, once per database (the lease, the recorded times), and a previous
run that still waits or runs holding the next one back — unless its worker died."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.jobs import scheduler
from paperfeed.jobs.models import PeriodicRun
from paperfeed.jobs.schedule import PERIODIC, Options

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)
ROUND = Options(sets=(), interval=300.0)  # no set: nothing to fetch
LEASE = 1800.0


def schedule(at: dt.datetime, me: str = "w1", options: Options = ROUND) -> scheduler.Scheduled:
    return scheduler.enqueue_due(options, me=me, now=at, lease_seconds=LEASE)


def finish_everything() -> None:
    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL, finished_at=T0)


def test_every_entry_has_a_unique_name_and_a_help_line():
    names = [entry.name for entry in PERIODIC]
    assert len(set(names)) == len(names) and all(entry.help for entry in PERIODIC)


def test_each_entry_is_enqueued_when_its_period_has_passed():
    assert schedule(T0).enqueued == ["embed", "index", "send", "alerts", "prune"]
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 5
    finish_everything()
    assert schedule(T0 + dt.timedelta(seconds=299)).enqueued == []
    every_round = ["embed", "index", "send", "alerts"]
    assert schedule(T0 + dt.timedelta(seconds=300)).enqueued == every_round
    finish_everything()
    assert schedule(T0 + dt.timedelta(days=1)).enqueued == [*every_round, "prune"]
    fetching = Options(sets=("cs", "stat"), embed=False, interval=300.0)
    finish_everything()
    assert schedule(T0 + dt.timedelta(days=1, seconds=300), options=fetching).enqueued == [
        "fetch",
        "index",
        "signals-hf",
        "signals-github",
        "signals-s2",
        "send",
        "alerts",
    ]
    run = DBTaskResult.objects.get(task_path="paperfeed.jobs.tasks.fetch_new_papers")
    assert run.args_kwargs == {"args": [], "kwargs": {"sets": ["cs", "stat"]}}
    assert PeriodicRun.objects.get(name="fetch").result_id == str(run.pk)


def test_only_the_lease_holder_enqueues():
    assert schedule(T0, me="w1").ran
    finish_everything()
    later = schedule(T0 + dt.timedelta(minutes=10), me="w2")  # w1's lease lasts 30 minutes
    assert not later.ran and later.holder == "w1" and later.enqueued == []
    assert DBTaskResult.objects.count() == 5


def test_a_run_still_waiting_in_the_queue_is_not_enqueued_again():
    schedule(T0)
    assert schedule(T0 + dt.timedelta(hours=2)).enqueued == []  # no worker drained the queue
    assert DBTaskResult.objects.count() == 5


def test_a_running_run_holds_the_next_back_until_its_worker_is_gone_or_it_is_stale():
    schedule(T0)
    finish_everything()
    index = DBTaskResult.objects.get(task_path__endswith=".update_indexes")
    alive = f"{socket.gethostname()}:{os.getpid()}"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}"

    def running(worker_id: str, started: dt.datetime) -> bool:
        """Whether the index job is enqueued again while its run is running on ``worker_id``."""
        DBTaskResult.objects.filter(pk=index.pk).update(
            status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[worker_id]
        )
        PeriodicRun.objects.filter(name="index").update(enqueued_at=T0, result_id=str(index.pk))
        enqueued = (
            "index"
            in scheduler.enqueue_due(
                ROUND, me="w1", now=T0 + dt.timedelta(seconds=600), lease_seconds=LEASE
            ).enqueued
        )
        DBTaskResult.objects.exclude(pk=index.pk).delete()
        return enqueued

    assert not running(alive, T0)  # still running, recently started
    assert running(dead, T0)  # its process on this host is gone
    assert running(alive, T0 - dt.timedelta(seconds=LEASE))  # started longer ago than the lease
    assert not running("other-host:1", T0)


def test_a_time_recorded_by_another_scheduler_meanwhile_wins(monkeypatch):
    def meanwhile(*args):
        PeriodicRun.objects.filter(name="index").update(enqueued_at=T0)  # the other one
        return False

    monkeypatch.setattr(scheduler, "_still_going", meanwhile)
    assert "index" not in schedule(T0 + dt.timedelta(seconds=1)).enqueued
    assert not DBTaskResult.objects.filter(task_path__endswith=".update_indexes").exists()
