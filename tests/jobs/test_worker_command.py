"""``paperfeed worker`` in-process: ``--once`` (one round, no queue), ``--drain`` (schedule, run
the queue until it is empty), options and exit codes."""

from __future__ import annotations

import datetime as dt
import io
import signal
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from paperfeed.digests import send
from paperfeed.ingest import harvest
from paperfeed.jobs import lease, worker
from paperfeed.jobs.models import PeriodicRun
from paperfeed.jobs.tasks import fetch_submitted_paper
from paperfeed.papers.models import Author, Paper
from paperfeed.personal.models import Follow
from paperfeed.search import refresh
from tests.community.factories import make_user
from tests.digests.test_send_ledger import active, all_papers
from tests.web.conftest import record, store


@pytest.fixture
def library(monkeypatch):
    """The library calls the jobs make, recorded instead of run (the digests are built from
    every stored paper)."""
    calls = []

    def harvest_set(spec):
        calls.append(("harvest", spec))
        return harvest.HarvestSummary()

    def papers_changed(**options):
        calls.append(("papers_changed", options))
        return refresh.IndexUpdate(lexical={"action": "synced", "indexed": 0, "deleted": 0})

    monkeypatch.setattr(harvest, "harvest_set", harvest_set)
    monkeypatch.setattr(refresh, "papers_changed", papers_changed)
    monkeypatch.setattr(send, "default_builder", all_papers)
    monkeypatch.setattr(send, "default_build_many", send.one_by_one(all_papers))
    store(record("2026-11-26"))
    active("ada@example.org", send_hour=0)
    return calls


def run_worker(*args: str) -> str:
    out = io.StringIO()
    call_command("worker", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_once_runs_the_round_in_this_process(library):
    out = run_worker("--once", "--set", "cs", "--no-embed")
    assert library == [
        ("harvest", "cs"),
        ("papers_changed", {"wait": 60.0, "stored": False}),  # after the fetch
        ("papers_changed", {"wait": 60.0}),  # the index job
    ]
    assert out.splitlines() == [
        "fetch: ok",
        "index: ok",
        "send: ok",
        "digests: planned 1, sent 1, empty 0, retry later 0, failed 0",
        "alerts: ok",
        "alerts: planned 0, sent 0, empty 0, skipped 0, retry later 0, failed 0",
    ]
    assert len(mail.outbox) == 1 and not DBTaskResult.objects.exists()  # no queue
    assert lease.current(worker.LEASE_NAME).holder == ""  # released on exit


def an_alert_due_now() -> Paper:
    """Grace follows Ada Lovelace with instant alerts, and a paper of hers was stored a quarter
    of an hour ago (in the last ten-minute bucket that ended)."""
    stored_at = timezone.now() - dt.timedelta(minutes=15)
    [new] = store(record(stored_at.date(), authors=["Ada Lovelace"]))
    Paper.objects.filter(pk=new.pk).update(created_at=stored_at)
    grace = make_user("grace")
    ada = Author.objects.get(name="Ada Lovelace")
    follow = Follow.objects.create(
        user=grace, kind=Follow.AUTHOR, value=str(ada.pk), alert="instant"
    )
    Follow.objects.filter(pk=follow.pk).update(created=timezone.now() - dt.timedelta(days=1))
    return new


@pytest.mark.django_db
def test_once_sends_the_due_alerts_of_follows(library):
    new = an_alert_due_now()
    out = run_worker("--once", "--no-fetch", "--no-embed")
    assert out.splitlines()[-2:] == [
        "alerts: ok",
        "alerts: planned 1, sent 1, empty 0, skipped 0, retry later 0, failed 0",
    ]
    [alert] = [m for m in mail.outbox if m.to == ["grace@example.org"]]
    assert new.pk in alert.body and not DBTaskResult.objects.exists()


@pytest.fixture
def refused_alert(library, monkeypatch):
    """An alert due now whose address the mail server refuses (the digest to ada goes)."""
    an_alert_due_now()
    deliver = locmem.EmailBackend.send_messages

    def refuse(self, messages):
        if any(m.to == ["grace@example.org"] for m in messages):
            raise smtplib.SMTPRecipientsRefused({"grace@example.org": (550, b"no such user")})
        return deliver(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)


@pytest.mark.django_db(transaction=True)  # --drain's task runner closes the connection (PostgreSQL)
@pytest.mark.parametrize("mode", ["--once", "--drain"])
def test_an_alert_that_fails_exits_1(refused_alert, mode):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("worker", mode, "--no-fetch", "--no-embed", stdout=out)
    assert exc.value.code == 1
    assert "alerts: planned 1, sent 0, empty 0, skipped 0, retry later 0, failed 1" in (
        out.getvalue()
    )


@pytest.mark.django_db
def test_once_exits_1_when_a_step_fails(library, monkeypatch):
    def busy(**options):
        return refresh.IndexUpdate(busy="another process is writing the lexical index")

    monkeypatch.setattr(refresh, "papers_changed", busy)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("worker", "--once", "--no-fetch", "--no-embed", stdout=out)
    assert exc.value.code == 1
    assert "index: IndexBusy: another process is writing the lexical index" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_drain_enqueues_what_is_due_runs_the_queue_then_exits(library):
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    out = run_worker("--drain", "--no-fetch", "--no-embed")
    assert out.splitlines() == [
        "enqueued: index, send, alerts, prune",
        "index: ok",
        "send: ok",
        "digests: planned 1, sent 1, empty 0, retry later 0, failed 0",
        "alerts: ok",
        "alerts: planned 0, sent 0, empty 0, skipped 0, retry later 0, failed 0",
        "prune: ok",
    ]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }
    assert sorted(PeriodicRun.objects.values_list("name", flat=True)) == [
        "alerts",
        "index",
        "prune",
        "send",
    ]
    assert run_worker("--drain", "--no-fetch", "--no-embed") == ""  # nothing due yet
    assert len(mail.outbox) == 1
    assert {sig: signal.getsignal(sig) for sig in handlers} == handlers  # restored


@pytest.mark.django_db(transaction=True)
def test_drain_exits_1_when_a_task_failed(library):
    fetch_submitted_paper.enqueue("not-an-id")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("worker", "--drain", "--no-fetch", "--no-embed", stdout=out)
    assert exc.value.code == 1
    assert "fetch_submitted_paper: failed paperfeed.papers.ids.InvalidArxivId" in out.getvalue()


def test_usage_errors_exit_2():
    with pytest.raises(CommandError) as exc:
        call_command("worker", "--once", "--interval", "0")
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("worker", "--once", "--drain")
