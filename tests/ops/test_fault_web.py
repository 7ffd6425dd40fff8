"""kill -9 of a web process under load: `paperfeed serve --workers 2` answers logged-in visitors
who read pages and upvote; one gunicorn worker is SIGKILLed mid-load and gunicorn starts a new
one. Nothing acknowledged is lost, nothing is stored twice, no request gets a 5xx, and the only
failure allowed is the connection of the request the killed worker was serving."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.ops.fault_load import all_answers, start_visitors, stop_visitors, vote_accounting
from tests.ops.fault_support import scratch_store, script, serving, wait_until

pytestmark = pytest.mark.slow

VISITORS = 4
PAPERS = 150
# what a request in flight on a worker killed mid-answer sees: the connection closes or resets
CUT_OFF = ("RemoteProtocolError", "ReadError", "WriteError")


def test_kill_9_of_a_web_worker_under_load_loses_and_duplicates_nothing(tmp_path):
    with scratch_store(tmp_path, "web") as store:
        data = script(store, "web", VISITORS, PAPERS)
        with serving(store, workers=2, log=tmp_path / "serve.log") as server:
            before = server.workers()
            visitors = start_visitors(server.url, data["users"], data["papers"])
            try:
                wait_until(lambda: len(all_answers(visitors)) >= 60, 60, "60 answers under load")
                victim = min(before)
                os.kill(victim, signal.SIGKILL)
                killed_at = time.monotonic()

                def replacement() -> set[int] | None:
                    workers = server.workers()
                    return workers if len(workers) == 2 and victim not in workers else None

                replaced = wait_until(replacement, 30, "gunicorn to replace the killed worker")
                respawn_s = time.monotonic() - killed_at
                wait_until(
                    lambda: sum(a.started > killed_at for a in all_answers(visitors)) >= 120,
                    60,
                    "120 answers after the kill",
                )
            finally:
                answers = stop_visitors(visitors)
            log = server.output()
        state = script(store, "state")

    after = [a for a in answers if a.started > killed_at]
    cut = [a for a in answers if a.error]
    statuses = sorted({a.status for a in answers if a.status is not None})
    votes = vote_accounting(answers, state)
    print(
        f"\nkill -9 web worker ({'PostgreSQL' if store.url else 'SQLite'}): {len(answers)} requests "
        f"({len(votes['sent'])} upvotes, {len(votes['acked'])} acknowledged), {len(after)} after "
        f"the kill, {len(cut)} cut off ({[a.error for a in cut]}), statuses {statuses}, worker "
        f"replaced in {respawn_s:.1f} s, {len(state['votes'])} vote rows"
    )
    assert len(replaced - before) == 1 and before - {victim} <= replaced  # one new worker
    assert f"(pid:{victim})" in log, "gunicorn's log does not mention the killed worker"
    # no 5xx, no other status: every answered request succeeded
    assert statuses == [200], [(a.path, a.status) for a in answers if a.status != 200][:20]
    # at most the one request the killed worker was serving is cut off, and only before the kill
    assert len(cut) <= 1, [(a.path, a.error) for a in cut]
    assert all(a.started < killed_at and a.error.startswith(CUT_OFF) for a in cut), cut
    assert after and all(a.ok for a in after)
    assert len({a.user for a in after}) == VISITORS  # every visitor went on being served
    # every acknowledged upvote stored exactly once, nothing stored that was not sent, counters exact
    assert votes["lost"] == set() and votes["duplicates"] == {} and votes["phantom"] == set()
    assert votes["stored"] - votes["acked"] <= votes["unsure"]
    assert votes["miscounted"] == {}
    assert len(votes["acked"]) >= 60
