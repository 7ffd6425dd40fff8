"""The send ledger: due periods, exactly-once claims, retries, hard failures, never twice."""

from __future__ import annotations

import collections
import datetime as dt
import signal
import sqlite3
import subprocess
import sys
import threading

import pytest
from django.core import mail
from django.test import override_settings

from paperfeed.digests import compose, schedule, send, subscriptions
from paperfeed.digests.models import DigestSend, MailedPaper, Subscriber
from paperfeed.papers.models import Paper
from tests.conftest import REPO, cli_env
from tests.digests.smtp import smtp_server
from tests.web.conftest import record, store

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def all_papers(subscriber, start, end) -> compose.Digest:
    """A builder for these tests: every paper in the store, in id order."""
    items = [compose.DigestItem(p, "in the store") for p in Paper.objects.order_by("pk")]
    return compose.Digest(subscriber, "unused", [compose.Section("All", items)])


def active(email: str, **fields) -> Subscriber:
    fields.setdefault("confirmed_at", NOW - dt.timedelta(days=30))
    return Subscriber.objects.create(email=email, status="active", **fields)


def test_period_math_in_the_subscribers_zone():
    # 09:30 UTC = 10:30 in Paris: a 10:00 Paris subscriber is due for today
    period = schedule.period_containing("daily", 10, "Europe/Paris", NOW)
    assert period.key == "daily:2026-11-27"
    assert period.end == dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
    assert period.end - period.start == dt.timedelta(days=1)
    # an 11:00 Paris subscriber is not yet: the latest period is yesterday's
    assert schedule.period_containing("daily", 11, "Europe/Paris", NOW).key == "daily:2026-11-26"
    weekly = schedule.period_containing("weekly", 7, "UTC", NOW)
    assert weekly.key == "weekly:2026-W48" and weekly.end.weekday() == 0
    assert schedule.period_from_key(weekly.key, 7, "UTC") == weekly
    assert schedule.next_period("daily", 11, "Europe/Paris", NOW).key == "daily:2026-11-27"
    with pytest.raises(ValueError, match="period key"):
        schedule.period_from_key("daily:yesterday", 7, "UTC")


def test_backoff_doubles_up_to_the_cap():
    assert [schedule.backoff_seconds(a, base=60, cap=300) for a in (1, 2, 3, 4)] == [
        60,
        120,
        240,
        300,
    ]


def test_plan_is_idempotent_and_only_for_active_confirmed_subscribers():
    active("a@example.org")
    active("b@example.org", frequency="weekly")
    Subscriber.objects.create(email="c@example.org")  # unconfirmed
    Subscriber.objects.create(email="e@example.org", status="unsubscribed")
    active("f@example.org", confirmed_at=NOW)  # confirmed after today's 07:00 send moment
    assert send.plan(NOW) == 2
    assert send.plan(NOW) == 0
    assert sorted(DigestSend.objects.values_list("period_key", flat=True)) == [
        "daily:2026-11-27",
        "weekly:2026-W48",
    ]


def test_each_row_is_claimed_by_one_sender_only():
    for i in range(3):
        active(f"s{i}@example.org")
    send.plan(NOW)
    first = send.claim_next(NOW, "host:1")
    second = send.claim_next(NOW, "host:2")
    third = send.claim_next(NOW, "host:1")
    assert len({first.pk, second.pk, third.pk}) == 3
    assert send.claim_next(NOW, "host:2") is None
    # a claim that expired is taken over; its Message-ID is kept for the resend
    later = NOW + dt.timedelta(seconds=send.CLAIM_SECONDS + 1)
    taken = send.claim_next(later, "host:3")
    assert taken.pk == first.pk and taken.message_id == first.message_id
    assert DigestSend.objects.get(pk=first.pk).attempts == 2


def test_sends_once_and_never_mails_a_paper_twice():
    old = store(record("2026-11-26"), record("2026-11-26"))
    sub = active("ada@example.org")
    outcome = send.send_due(NOW, build=all_papers)
    assert (outcome.sent, outcome.planned) == (1, 1)
    assert send.send_due(NOW, build=all_papers).sent == 0
    assert len(mail.outbox) == 1
    row = DigestSend.objects.get()
    assert (
        row.state == "sent"
        and row.sent_at
        and mail.outbox[0].extra_headers["Message-ID"] == (row.message_id)
    )
    assert MailedPaper.objects.filter(subscriber=sub).count() == 2
    # next day: only the new paper; the day after: nothing new, no email
    [new] = store(record("2026-11-27"))
    assert send.send_due(NOW + dt.timedelta(days=1), build=all_papers).sent == 1
    second = mail.outbox[1].body
    assert new.pk in second and not any(p.pk in second for p in old)
    outcome = send.send_due(NOW + dt.timedelta(days=2), build=all_papers)
    assert (outcome.sent, outcome.empty) == (0, 1) and len(mail.outbox) == 2


def test_no_email_after_unsubscribing_even_when_already_planned():
    store(record("2026-11-26"))
    sub = active("ada@example.org")
    send.plan(NOW)
    Subscriber.objects.filter(pk=sub.pk).update(status="unsubscribed")
    outcome = send.send_due(NOW, build=all_papers)
    assert (outcome.sent, outcome.skipped) == (0, 1) and not mail.outbox
    assert DigestSend.objects.get().state == "skipped"


def test_transient_failures_are_retried_with_backoff():
    store(record("2026-11-26"))
    active("ada@example.org")
    with smtp_server() as inbox, override_settings(**inbox.django_settings):
        inbox.refuse["ada@example.org"] = "451 4.3.0 try again later"
        outcome = send.send_due(NOW, build=all_papers)
        assert (outcome.sent, outcome.retried) == (0, 1)
        row = DigestSend.objects.get()
        assert row.state == "pending" and "451" in row.last_error
        assert row.next_attempt_at == NOW + dt.timedelta(seconds=schedule.backoff_seconds(1))
        assert send.send_due(NOW, build=all_papers).sent == 0  # not before the backoff
        del inbox.refuse["ada@example.org"]
        assert send.send_due(row.next_attempt_at, build=all_papers).sent == 1
        assert len(inbox.to("ada@example.org")) == 1
        assert DigestSend.objects.get().attempts == 2


def test_hard_failures_pause_the_address_after_the_limit():
    store(record("2026-11-26"))
    sub = active("gone@example.org")
    with smtp_server() as inbox, override_settings(**inbox.django_settings):
        inbox.refuse["gone@example.org"] = "550 5.1.1 no such user"
        for day in range(subscriptions.HARD_FAILURE_LIMIT):
            outcome = send.send_due(NOW + dt.timedelta(days=day), build=all_papers)
            assert outcome.failed == 1, outcome
    sub.refresh_from_db()
    assert sub.status == "paused" and sub.hard_failures == subscriptions.HARD_FAILURE_LIMIT
    assert "550" in sub.last_error
    assert set(DigestSend.objects.values_list("state", flat=True)) == {"failed"}
    assert send.plan(NOW + dt.timedelta(days=10)) == 0


def test_a_delivery_resets_the_hard_failure_count():
    store(record("2026-11-26"))
    sub = active("ada@example.org", hard_failures=2)
    send.send_due(NOW, build=all_papers)
    sub.refresh_from_db()
    assert sub.hard_failures == 0 and sub.status == "active"


def test_a_failing_builder_releases_the_row_and_others_still_go():
    store(record("2026-11-26"))
    active("a@example.org")
    active("b@example.org")

    def build(subscriber, start, end):
        if subscriber.email == "a@example.org":
            raise RuntimeError("boom")
        return all_papers(subscriber, start, end)

    outcome = send.send_due(NOW, build=build)
    assert (outcome.sent, outcome.retried) == (1, 1)
    assert DigestSend.objects.get(subscriber__email="a@example.org").state == "pending"


@pytest.mark.slow
def test_sender_killed_half_way_and_rerun_sends_each_digest_exactly_once(tmp_path):
    """The SMTP server holds message k+1 until the sender is SIGKILLed (so that message is never
    accepted); a second sender then finishes the run: one digest per subscriber, none twice."""
    subscribers, k = 12, 5
    home = tmp_path / "home"
    home.mkdir()
    hold, release = threading.Event(), threading.Event()
    with smtp_server() as inbox:
        env = cli_env(home, EMAIL_URL=f"smtp://{inbox.host}:{inbox.port}")
        env["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
        script = [sys.executable, "-m", "tests.digests.sender_script"]
        setup = subprocess.run(
            [*script, "setup", str(subscribers)],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert setup.returncode == 0, setup.stderr.decode()

        accept = inbox.handle_DATA

        async def handle_data(server, session, envelope):
            if len(inbox.received) == k and not release.is_set():
                hold.set()
                release.wait(60)  # the sender is killed meanwhile: this message never lands
                return "451 4.3.0 shutting down"
            return await accept(server, session, envelope)

        inbox.handle_DATA = handle_data
        when = NOW.isoformat()
        first = subprocess.Popen(
            [*script, "send", when],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert hold.wait(120), first.communicate(timeout=5)
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        finally:
            release.set()
            if first.poll() is None:
                first.kill()
        assert first.returncode == -signal.SIGKILL
        assert len(inbox.received) == k

        rerun = subprocess.run(
            [*script, "send", when], cwd=REPO, env=env, capture_output=True, timeout=120
        )
        assert rerun.returncode == 0, rerun.stderr.decode()
        assert f"sent={subscribers - k}" in rerun.stdout.decode()

    per_address = collections.Counter(r.rcpt_tos[0] for r in inbox.received)
    assert sorted(per_address) == [f"s{i:03d}@example.org" for i in range(subscribers)]
    assert set(per_address.values()) == {1}
    with sqlite3.connect(home / "paperfeed.sqlite3") as db:
        states = dict(db.execute("select state, count(*) from digests_digestsend group by state"))
    assert states == {"sent": subscribers}


@pytest.mark.slow
def test_two_senders_at_once_send_each_digest_once(tmp_path):
    subscribers = 30
    home = tmp_path / "home"
    home.mkdir()
    with smtp_server() as inbox:
        env = cli_env(home, EMAIL_URL=f"smtp://{inbox.host}:{inbox.port}")
        env["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
        script = [sys.executable, "-m", "tests.digests.sender_script"]
        setup = subprocess.run(
            [*script, "setup", str(subscribers)],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert setup.returncode == 0, setup.stderr.decode()
        senders = [
            subprocess.Popen(
                [*script, "send", NOW.isoformat()],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120) for p in senders]
        assert [p.returncode for p in senders] == [0, 0], [e.decode() for _, e in outputs]
    sent = [int(out.decode().split()[0].split("=")[1]) for out, _ in outputs]
    assert sum(sent) == subscribers, sent
    per_address = collections.Counter(r.rcpt_tos[0] for r in inbox.received)
    assert len(per_address) == subscribers and set(per_address.values()) == {1}
