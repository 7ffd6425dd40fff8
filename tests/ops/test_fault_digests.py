"""Digests under faults, with the real commands and a real SMTP server on 127.0.0.1:

- `paperfeed digest send` SIGKILLed after the SMTP server took a message but before its "250"
  reached the sender (the one window the ledger cannot close), then run again;
- `paperfeed worker --once` SIGKILLed at an arbitrary moment mid-send, then started again;
- two `paperfeed worker --once`, and two `paperfeed digest send`, started at the same moment;
- two `paperfeed worker --drain` draining one task queue that holds several digests tasks.

Each time: every subscriber gets its digest, the ledger has exactly one ``sent`` row per
(subscriber, period), and a message received twice (at most the one in flight at the kill)
carries the same Message-ID both times, so receiving systems drop the copy."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections import Counter, defaultdict

import pytest

from tests.conftest import REPO
from tests.digests.smtp import Inbox, smtp_server
from tests.ops.fault_support import (
    kill_9,
    paperfeed,
    scratch_store,
    script,
    start_paperfeed,
    wait_until,
)

pytestmark = pytest.mark.slow

WHEN = "2026-11-27T09:30:00+00:00"
WORKER = ["worker", "--once", "--no-fetch", "--no-embed"]


def slow_inbox(inbox: Inbox, delay: float, hold_at: int | None = None) -> tuple:
    """Answer each message after ``delay`` s. With ``hold_at``, message number ``hold_at`` is
    kept (received) but its "250" is held back until ``release`` is set; ``held`` tells when."""
    held, release = threading.Event(), threading.Event()
    accept = inbox.handle_DATA

    async def handle_data(server, session, envelope):
        reply = await accept(server, session, envelope)  # received and kept from here on
        if len(inbox.received) == hold_at and not held.is_set():
            held.set()
            while not release.is_set():
                await asyncio.sleep(0.01)
        else:
            await asyncio.sleep(delay)
        return reply

    inbox.handle_DATA = handle_data
    return held, release


def deliveries(inbox: Inbox, setup: dict, state: dict) -> dict:
    """What arrived, checked against the ledger: per address the Message-IDs received."""
    received = defaultdict(list)
    for item in inbox.received:
        (address,) = item.rcpt_tos
        received[address].append(item.message["Message-ID"])
    ledger = [row for row in state["ledger"] if row[1] == setup["period"]]
    return {
        "received": dict(received),
        "ledger": ledger,
        "twice": {a: ids for a, ids in received.items() if len(ids) > 1},
        "ledger_ids": {email: message_id for email, _, _, message_id in ledger},
    }


def assert_each_digest_once(result: dict, setup: dict, *, duplicates_allowed: int) -> None:
    emails = setup["emails"]
    assert sorted(result["received"]) == sorted(emails), "a subscriber got no digest"
    # exactly one ledger row per (subscriber, period), each sent
    assert Counter((email, key) for email, key, _, _ in result["ledger"]) == Counter(
        (email, setup["period"]) for email in emails
    )
    assert {state for _, _, state, _ in result["ledger"]} == {"sent"}
    # a copy is only the message in flight at a kill, and it carries the same Message-ID
    assert len(result["twice"]) <= duplicates_allowed, result["twice"]
    for address, ids in result["received"].items():
        assert len(ids) <= 2 and set(ids) == {result["ledger_ids"][address]}, (address, ids)


def test_digest_send_killed_before_the_servers_250_resends_with_the_same_message_id(tmp_path):
    subscribers, hold_at = 20, 8
    with scratch_store(tmp_path, "digest") as store, smtp_server() as inbox:
        setup = script(store, "digests", subscribers, WHEN)
        held, release = slow_inbox(inbox, delay=0.02, hold_at=hold_at)
        email = {"EMAIL_URL": f"smtp://{inbox.host}:{inbox.port}"}
        run = start_paperfeed(
            store, "digest", "send", "--now", WHEN, log=tmp_path / "send.log", **email
        )
        try:
            wait_until(held.is_set, 120, f"the SMTP server to receive message {hold_at}")
            kill_9(run)
        finally:
            release.set()
            if run.poll() is None:
                run.kill()
        rerun = paperfeed(store, "digest", "send", "--now", WHEN, **email)
        state = script(store, "state")
    result = deliveries(inbox, setup, state)
    print(
        f"\ndigest send killed after the server took message {hold_at} of {subscribers}: "
        f"{len(inbox.received)} messages received, {len(result['twice'])} address(es) twice "
        f"(same Message-ID); rerun: {rerun.stdout.decode().strip()}"
    )
    assert f"sent {subscribers - hold_at + 1}," in rerun.stdout.decode()
    assert_each_digest_once(result, setup, duplicates_allowed=1)
    assert len(result["twice"]) == 1 and len(inbox.received) == subscribers + 1


def test_worker_killed_mid_digest_then_restarted_sends_every_digest(tmp_path):
    subscribers = 24
    with scratch_store(tmp_path, "worker") as store, smtp_server() as inbox:
        setup = script(store, "digests", subscribers)  # due now, at the wall clock
        slow_inbox(inbox, delay=0.1)
        env = {"EMAIL_URL": f"smtp://{inbox.host}:{inbox.port}"}
        args = [*WORKER, "--lease-seconds", "1800"]
        run = start_paperfeed(store, *args, log=tmp_path / "worker.log", **env)
        wait_until(lambda: len(inbox.received) >= 8, 120, "8 digests to be received")
        kill_9(run)
        at_kill = len(inbox.received)
        # restarted at once (as systemd would): the dead worker's lease, far from expired, is
        # taken over because its process is gone
        out = paperfeed(store, *args, **env).stdout.decode()
        assert "another worker holds the lease" not in out, out
        state = script(store, "state")
    result = deliveries(inbox, setup, state)
    print(
        f"\nworker killed with {at_kill} of {subscribers} digests received; restarted at once; "
        f"{len(inbox.received)} messages in all, {len(result['twice'])} address(es) twice "
        f"(same Message-ID); last round: {out.strip().splitlines()[-1]}"
    )
    assert_each_digest_once(result, setup, duplicates_allowed=1)


def start_together(store, args: list[str], count: int, logs, **env) -> list[str]:
    """Start ``count`` ``paperfeed ARGS`` at the same moment; their outputs once all exit 0."""
    procs = [start_paperfeed(store, *args, log=logs / f"run-{n}.log", **env) for n in range(count)]
    try:
        codes = [p.wait(timeout=180) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    outputs = [(logs / f"run-{n}.log").read_text() for n in range(count)]
    assert codes == [0] * count, outputs
    return outputs


@pytest.mark.parametrize("command", ["worker", "digest send"])
def test_two_senders_started_at_once_deliver_each_digest_once(tmp_path, command):
    subscribers = 30
    with scratch_store(tmp_path, "two") as store, smtp_server() as inbox:
        setup = script(store, "digests", subscribers)
        slow_inbox(inbox, delay=0.05)
        args = WORKER if command == "worker" else ["digest", "send"]
        outputs = start_together(
            store, args, 2, tmp_path, EMAIL_URL=f"smtp://{inbox.host}:{inbox.port}"
        )
        state = script(store, "state")
    result = deliveries(inbox, setup, state)
    waited = sum("another worker holds the lease" in out for out in outputs)
    print(
        f"\ntwo `paperfeed {command}` at once: {len(inbox.received)} messages for {subscribers} "
        f"subscribers; {waited} waited for the lease; "
        + " | ".join(out.strip().splitlines()[-1] for out in outputs)
    )
    assert_each_digest_once(result, setup, duplicates_allowed=0)
    assert len(inbox.received) == subscribers


# Digests tasks already in the queue when the workers start (a backlog: rounds enqueued while
# the workers were down, another node's scheduler): both workers find work at once.
_ENQUEUE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
import django
django.setup()
from paperfeed.jobs.tasks import send_due_digests
for _ in range(int(sys.argv[1])):
    send_due_digests.enqueue()
"""


def test_two_workers_draining_one_queue_deliver_each_digest_once(tmp_path):
    subscribers, backlog = 30, 4
    with scratch_store(tmp_path, "queue") as store, smtp_server() as inbox:
        setup = script(store, "digests", subscribers)
        slow_inbox(inbox, delay=0.1)
        subprocess.run(
            [sys.executable, "-c", _ENQUEUE, str(backlog)],
            env=store.env(),
            cwd=REPO,
            check=True,
            timeout=120,
        )
        args = ["worker", "--drain", "--no-fetch", "--no-embed"]
        outputs = start_together(
            store, args, 2, tmp_path, EMAIL_URL=f"smtp://{inbox.host}:{inbox.port}"
        )
        state = script(store, "state")
    result = deliveries(inbox, setup, state)
    runs = [[line for line in out.splitlines() if line.startswith("digests:")] for out in outputs]
    print(
        f"\ntwo `paperfeed worker --drain` on one queue: {len(inbox.received)} messages for "
        f"{subscribers} subscribers; digests tasks run per worker: "
        + " | ".join(f"{len(r)}: {'; '.join(r)}" for r in runs)
    )
    assert_each_digest_once(result, setup, duplicates_allowed=0)
    assert len(inbox.received) == subscribers
    # every queued digests task ran once (the backlog and the scheduler's), in both workers
    assert sum(len(r) for r in runs) == backlog + 1 and all(runs), outputs
