"""One round of the worker (``--once``): the steps from the schedule, the digests then the alerts,
steps that fail, the lease, two workers at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from paperfeed.digests import send
from paperfeed.digests.models import AlertSend, DigestSend
from paperfeed.jobs import lease, worker
from paperfeed.jobs.schedule import Options
from paperfeed.personal.models import Follow
from tests.digests import alert_helpers
from tests.digests.alert_helpers import follow_author, paper, reader
from tests.digests.test_send_ledger import NOW, active, all_papers
from tests.web.conftest import record, store

pytestmark = pytest.mark.django_db


def test_the_rounds_steps_follow_the_schedule_and_the_options():
    names = lambda options: [name for name, _ in worker.default_steps(options)]  # noqa: E731
    assert names(Options(sets=("cs", "stat"))) == ["fetch", "embed", "index"]
    assert names(Options(sets=())) == ["embed", "index"]  # no set: nothing to fetch
    assert names(Options(sets=("cs",), fetch=False, embed=False)) == ["index"]
    (_, fetch), *_ = worker.default_steps(Options(sets=("cs", "stat")))
    assert fetch.func.__self__.name == "fetch_new_papers" and fetch.keywords == {
        "sets": ["cs", "stat"]
    }


def test_a_tick_runs_the_steps_in_order_then_sends():
    store(record("2026-11-26"))
    active("ada@example.org")
    ran = []
    steps = [(name, lambda name=name: ran.append(name)) for name in ("fetch", "embed", "index")]
    result = worker.tick(steps, me="w1", now=lambda: NOW, build=all_papers)
    assert result.ran and ran == ["fetch", "embed", "index"]
    assert result.steps == {
        "fetch": "ok",
        "embed": "ok",
        "index": "ok",
        "send": "ok",
        "alerts": "ok",
    }
    assert result.outcome.sent == 1 and len(mail.outbox) == 1
    assert result.alerts.planned == 0 and not result.failed


def test_a_tick_sends_the_due_alerts_of_follows():
    grace = reader("grace")
    new = paper(alert_helpers.BUCKET_END - dt.timedelta(minutes=5))  # by Ada Lovelace
    follow_author(grace, "Ada Lovelace", Follow.INSTANT)  # made a week before
    result = worker.tick([], me="w1", now=lambda: alert_helpers.NOW, build=all_papers)
    assert result.steps == {"send": "ok", "alerts": "ok"}
    assert (result.alerts.planned, result.alerts.sent) == (1, 1)
    [message] = mail.outbox
    assert message.to == ["grace@example.org"] and new.pk in message.body
    assert AlertSend.objects.get().state == "sent"
    again = worker.tick([], me="w1", now=lambda: alert_helpers.NOW, build=all_papers)
    assert again.alerts.sent == 0 and len(mail.outbox) == 1  # exactly once


def test_digests_that_fail_do_not_stop_the_alerts(monkeypatch):
    grace = reader("grace")
    paper(alert_helpers.BUCKET_END - dt.timedelta(minutes=5))
    follow_author(grace, "Ada Lovelace", Follow.INSTANT)

    def broken(*args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr(send, "send_due", broken)
    result = worker.tick([], me="w1", now=lambda: alert_helpers.NOW, build=all_papers)
    assert result.steps == {"send": "OSError: mail server unreachable", "alerts": "ok"}
    assert result.outcome is None and result.alerts.sent == 1 and result.failed


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
    assert "lost" in result.steps["lease"] and result.outcome is None and result.alerts is None
