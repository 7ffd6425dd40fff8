"""Failover of the worker lease: one holder at a time, taken over when the holder goes quiet,
and two ``paperfeed worker --once`` processes started at once run exactly one round."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time

import pytest

from paperfeed.jobs import lease, worker
from tests.conftest import REPO, cli_env, run_cli

T0 = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)
LEASE = worker.LEASE_NAME


@pytest.mark.django_db
def test_only_one_worker_holds_the_lease_until_it_stops_renewing():
    assert lease.acquire(LEASE, "node-a", T0, 60)
    assert not lease.acquire(LEASE, "node-b", T0 + dt.timedelta(seconds=1), 60)
    # a renews within its lease: b still cannot get in
    assert lease.acquire(LEASE, "node-a", T0 + dt.timedelta(seconds=50), 60)
    assert not lease.acquire(LEASE, "node-b", T0 + dt.timedelta(seconds=100), 60)
    assert lease.current(LEASE).holder == "node-a"
    # a dies (stops renewing): once its lease ran out, b takes over, and a cannot come back
    assert lease.acquire(LEASE, "node-b", T0 + dt.timedelta(seconds=111), 60)
    assert lease.current(LEASE).holder == "node-b"
    assert not lease.acquire(LEASE, "node-a", T0 + dt.timedelta(seconds=112), 60)
    assert not lease.release(LEASE, "node-a")  # a stale holder cannot release b's lease
    assert lease.current(LEASE).holder == "node-b"


@pytest.mark.django_db
def test_a_tick_of_the_second_worker_waits_then_takes_over_when_the_first_dies():
    ran = []
    steps = [("index", lambda: ran.append("index"))]
    first = worker.tick(steps, me="w1", lease_seconds=30, now=lambda: T0, build=lambda *a: None)
    assert first.ran and ran == ["index"]
    blocked = worker.tick(
        steps, me="w2", lease_seconds=30, now=lambda: T0 + dt.timedelta(seconds=5)
    )
    assert not blocked.ran and blocked.holder == "w1" and ran == ["index"]
    later = T0 + dt.timedelta(seconds=31)  # w1 never renewed: its lease expired
    second = worker.tick(steps, me="w2", lease_seconds=30, now=lambda: later, build=lambda *a: None)
    assert second.ran and second.holder == "w2" and ran == ["index", "index"]
    assert lease.current(LEASE).holder == "w2"


@pytest.mark.django_db
def test_a_lease_held_by_a_killed_process_of_this_host_is_taken_over_at_once():
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}"
    alive = f"{socket.gethostname()}:{os.getpid()}"
    assert lease.acquire(LEASE, alive, T0, 1800)
    assert not lease.acquire(LEASE, "other-host:1", T0 + dt.timedelta(seconds=1), 1800)
    lease.release(LEASE, alive)
    assert lease.acquire(LEASE, dead, T0, 1800)  # then killed, long before its lease expires
    assert lease.acquire(LEASE, alive, T0 + dt.timedelta(seconds=1), 1800)
    assert lease.current(LEASE).holder == alive
    # a holder on another host cannot be checked: it keeps its lease until it expires
    lease.release(LEASE, alive)
    assert lease.acquire(LEASE, "other-host:1", T0, 1800)
    assert not lease.acquire(LEASE, alive, T0 + dt.timedelta(seconds=1), 1800)


# Both processes set Django up, wait for the same start signal, then run the real command;
# the index step is slowed so the first one still holds the lease when the other asks.
_WORKER = """
import os, pathlib, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
import django
django.setup()
from paperfeed.search import refresh
real_update = refresh.papers_changed
def slow_update(**options):
    time.sleep(2.0)
    return real_update(**options)
refresh.papers_changed = slow_update
pathlib.Path(sys.argv[2]).touch()
go = pathlib.Path(sys.argv[1])
while not go.exists():
    time.sleep(0.005)
from paperfeed.cli import main
main(["worker", "--once", "--no-fetch", "--no-embed"])
"""


@pytest.mark.slow
def test_two_worker_processes_started_at_once_run_one_round(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    assert run_cli("init", home=home).returncode == 0
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(go), str(tmp_path / f"ready-{n}")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli_env(home),
            cwd=REPO,
        )
        for n in range(2)
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{n}").exists() for n in range(2)):  # both set up
        assert time.monotonic() < deadline, "the worker processes did not start"
        time.sleep(0.02)
    go.touch()
    outputs = [p.communicate(timeout=60) for p in procs]
    codes = [p.returncode for p in procs]
    texts = [out.decode() + err.decode() for out, err in outputs]
    assert codes == [0, 0], texts
    rounds = [t for t in texts if "index: ok" in t]
    waited = [t for t in texts if "another worker holds the lease" in t]
    assert len(rounds) == 1 and len(waited) == 1, texts
    assert "index: ok" not in waited[0] and "send:" not in waited[0]
