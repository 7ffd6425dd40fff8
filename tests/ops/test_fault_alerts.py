"""Alerts of follows under faults, with the real commands and a real SMTP server on 127.0.0.1:

- `paperfeed alerts send` SIGKILLed after the SMTP server took a message but before its "250"
  reached the sender (the one window a ledger cannot close), then run again;
- `paperfeed alerts send` SIGKILLed at an arbitrary moment mid-run (rows claimed, papers
  reserved, mails in flight), then run again at once;
- two `paperfeed alerts send`, and two `paperfeed worker --drain`, started at the same moment.

Each account follows an author and a category that both match every paper. Each time: every
account gets each paper in exactly one alert (one Message-ID), the ledger has one ``sent`` row
per account, and a message received twice (at most the one in flight at the kill) is the same
mail with the same Message-ID, which receiving systems drop."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import pytest

from tests.conftest import REPO
from tests.digests.smtp import Inbox, smtp_server
from tests.ops.fault_support import kill_9, paperfeed, scratch_store, start_paperfeed, wait_until
from tests.ops.test_fault_digests import slow_inbox, start_together

pytestmark = pytest.mark.slow

WHEN = "2026-12-07T09:35:00+00:00"


def script(store, *args) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.ops.alerts_script", *map(str, args)],
        capture_output=True,
        env=store.env(DJANGO_SETTINGS_MODULE="paperfeed.settings"),
        timeout=120,
        cwd=REPO,
    )
    assert done.returncode == 0, f"alerts_script {args}: {done.stderr.decode(errors='replace')}"
    return json.loads(done.stdout)


def mailed(inbox: Inbox) -> dict[str, dict[str, set[str]]]:
    """address -> Message-ID -> the paper ids of that mail (each copy of it)."""
    found: dict[str, dict[str, set[str]]] = defaultdict(dict)
    for item in inbox.received:
        (address,) = item.rcpt_tos
        body = item.message.get_body(preferencelist=("plain",)).get_content()
        papers = {line.split(" · ")[1] for line in body.splitlines() if " · " in line}
        message_id = item.message["Message-ID"]
        assert found[address].get(message_id, papers) == papers, "a resend differs"
        found[address][message_id] = papers
    return found


def assert_each_paper_alerted_once(
    inbox: Inbox, setup: dict, state: dict, *, copies: int, wall_clock: bool = False
) -> None:
    emails, papers = setup["emails"], set(setup["papers"])
    got = mailed(inbox)
    assert sorted(got) == sorted(emails), "an account got no alert"
    for address, mails in got.items():
        # one alert per account, holding each paper once
        assert len(mails) == 1 and list(mails.values()) == [papers], (address, mails)
    ledger = state["ledger"]
    # at the wall clock the run may start in the bucket after the setup's
    period = ledger[0][1] if wall_clock else setup["period"]
    assert [(e, k, s) for e, k, s, _ in ledger] == [(e, period, "sent") for e in emails]
    ids = {email: message_id for email, _, _, message_id in ledger}
    assert all(set(mails) == {ids[a]} for a, mails in got.items())
    assert sorted(map(tuple, state["alerted"])) == sorted((e, p) for e in emails for p in papers)
    assert len(inbox.received) - len(emails) <= copies


def test_alerts_send_killed_before_the_servers_250_resends_the_same_mail(tmp_path):
    accounts, hold_at = 12, 5
    with scratch_store(tmp_path, "alerts250") as store, smtp_server() as inbox:
        setup = script(store, "setup", accounts, WHEN)
        held, release = slow_inbox(inbox, delay=0.02, hold_at=hold_at)
        email = {"EMAIL_URL": f"smtp://{inbox.host}:{inbox.port}"}
        run = start_paperfeed(
            store, "alerts", "send", "--now", WHEN, log=tmp_path / "send.log", **email
        )
        try:
            wait_until(held.is_set, 120, f"the SMTP server to receive message {hold_at}")
            kill_9(run)
        finally:
            release.set()
            if run.poll() is None:
                run.kill()
        rerun = paperfeed(store, "alerts", "send", "--now", WHEN, **email).stdout.decode()
        state = script(store, "state")
    print(
        f"\nalerts send killed after the server took message {hold_at} of {accounts}: "
        f"{len(inbox.received)} messages received; rerun: {rerun.strip()}"
    )
    assert f"sent {accounts - hold_at + 1}," in rerun
    assert_each_paper_alerted_once(inbox, setup, state, copies=1)
    assert len(inbox.received) == accounts + 1


def test_alerts_send_killed_mid_run_then_rerun_alerts_each_paper_once(tmp_path):
    accounts = 16
    with scratch_store(tmp_path, "alertskill") as store, smtp_server() as inbox:
        setup = script(store, "setup", accounts, WHEN)
        slow_inbox(inbox, delay=0.1)
        email = {"EMAIL_URL": f"smtp://{inbox.host}:{inbox.port}"}
        run = start_paperfeed(
            store, "alerts", "send", "--now", WHEN, log=tmp_path / "send.log", **email
        )
        wait_until(lambda: len(inbox.received) >= 6, 120, "6 alerts to be received")
        kill_9(run)
        at_kill = len(inbox.received)
        # rerun at once: the dead sender's claim is taken over because its process is gone
        rerun = paperfeed(store, "alerts", "send", "--now", WHEN, **email).stdout.decode()
        state = script(store, "state")
    print(
        f"\nalerts send killed with {at_kill} of {accounts} alerts received; rerun at once: "
        f"{len(inbox.received)} messages in all; {rerun.strip()}"
    )
    assert_each_paper_alerted_once(inbox, setup, state, copies=1)


# Alerts tasks already in the queue when the workers start (a backlog), so that both workers
# run one at the same moment.
_ENQUEUE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
import django
django.setup()
from paperfeed.jobs.tasks import send_due_alerts
for _ in range(int(sys.argv[1])):
    send_due_alerts.enqueue()
"""


@pytest.mark.parametrize("command", ["alerts send", "worker --drain"])
def test_two_senders_started_at_once_alert_each_paper_once(tmp_path, command):
    accounts, backlog = 20, 3
    with scratch_store(tmp_path, "alertstwo") as store, smtp_server() as inbox:
        setup = script(store, "setup", accounts)  # due now, at the wall clock
        slow_inbox(inbox, delay=0.05)
        args = command.split()
        if "worker" in command:
            args += ["--no-fetch", "--no-embed"]
            enqueue = [sys.executable, "-c", _ENQUEUE, str(backlog)]
            subprocess.run(enqueue, env=store.env(), cwd=REPO, check=True, timeout=120)
        outputs = start_together(
            store, args, 2, tmp_path, EMAIL_URL=f"smtp://{inbox.host}:{inbox.port}"
        )
        state = script(store, "state")
    # one "alerts: planned ..." line per alerts run (the command's, or each alerts task's)
    runs = [
        [line for line in out.splitlines() if line.startswith("alerts: planned")] for out in outputs
    ]
    print(
        f"\ntwo `paperfeed {command}` at once: {len(inbox.received)} messages for {accounts} "
        "accounts; " + " | ".join("; ".join(r) or "-" for r in runs)
    )
    assert_each_paper_alerted_once(inbox, setup, state, copies=0, wall_clock=True)
    if "worker" in command:  # the backlog and the scheduler's round, spread over both
        assert sum(len(r) for r in runs) == backlog + 1 and all(runs), outputs
