"""The worker: the database lease, one round (--once), steps that fail, two workers at once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from paperfeed.digests import lease, send, worker
from paperfeed.digests.models import DigestSend
from tests.digests.test_send_ledger import NOW, active, all_papers
from tests.web.conftest import record, store

pytestmark = pytest.mark.django_db


def test_lease_has_one_holder_until_it_expires():
    assert lease.acquire("job", "a", NOW, 60)
    assert not lease.acquire("job", "b", NOW + dt.timedelta(seconds=30), 60)
    assert lease.acquire("job", "a", NOW + dt.timedelta(seconds=30), 60)  # renewal
    assert not lease.acquire("job", "b", NOW + dt.timedelta(seconds=89), 60)
    assert lease.acquire("job", "b", NOW + dt.timedelta(seconds=91), 60)  # a's lease expired
    assert not lease.release("job", "a")
    assert lease.release("job", "b")
    assert lease.acquire("job", "c", NOW, 60)


def test_a_tick_runs_the_steps_in_order_then_sends():
    store(record("2026-11-26"))
    active("ada@example.org")
    ran = []
    steps = [(name, lambda name=name: ran.append(name)) for name in ("fetch", "embed", "index")]
    result = worker.tick(steps, me="w1", now=lambda: NOW, build=all_papers)
    assert result.ran and ran == ["fetch", "embed", "index"]
    assert result.steps == {"fetch": "ok", "embed": "ok", "index": "ok", "send": "ok"}
    assert result.outcome.sent == 1 and len(mail.outbox) == 1


def test_a_failing_step_does_not_stop_the_digests():
    store(record("2026-11-26"))
    active("ada@example.org")

    def fetch():
        raise OSError("arXiv unreachable")

    result = worker.tick([("fetch", fetch)], me="w1", now=lambda: NOW, build=all_papers)
    assert result.steps["fetch"] == "OSError: arXiv unreachable"
    assert result.outcome.sent == 1


def test_a_second_worker_waits_while_the_first_holds_the_lease():
    store(record("2026-11-26"))
    active("ada@example.org")
    assert lease.acquire(worker.LEASE_NAME, "w1", NOW, 600)
    result = worker.tick([], me="w2", now=lambda: NOW, build=all_papers)
    assert not result.ran and result.holder == "w1"
    assert not mail.outbox and not DigestSend.objects.exists()


def test_a_worker_that_loses_the_lease_mid_round_stops():
    def slow_step():
        # meanwhile the lease expired and another worker took it
        lease.release(worker.LEASE_NAME, "w1")
        lease.acquire(worker.LEASE_NAME, "w2", NOW, 600)

    result = worker.tick([("fetch", slow_step)], me="w1", now=lambda: NOW, build=all_papers)
    assert "lost" in result.steps["lease"] and result.outcome is None


def test_worker_command_once(monkeypatch):
    store(record("2026-11-26"))
    active("ada@example.org", send_hour=0)
    monkeypatch.setattr(send, "default_builder", all_papers)
    monkeypatch.setattr(send, "default_build_many", send.one_by_one(all_papers))
    calls = []
    monkeypatch.setattr(worker, "call_command", lambda *args: calls.append(args))
    out = io.StringIO()
    call_command("worker", "--once", "--set", "cs", "--no-embed", stdout=out)
    assert calls == [("fetch", "arxiv", "--set", "cs"), ("index", "--wait", "60")]
    assert "sent 1" in out.getvalue() and len(mail.outbox) == 1
    assert lease.current(worker.LEASE_NAME).holder == ""  # released on exit


def test_worker_command_once_exits_1_when_a_step_fails(monkeypatch):
    monkeypatch.setattr(send, "default_builder", all_papers)
    monkeypatch.setattr(send, "default_build_many", send.one_by_one(all_papers))

    def broken(*args):
        raise OSError("no index")

    monkeypatch.setattr(worker, "call_command", broken)
    with pytest.raises(SystemExit) as exc:
        call_command("worker", "--once", "--no-fetch", stdout=io.StringIO())
    assert exc.value.code == 1
