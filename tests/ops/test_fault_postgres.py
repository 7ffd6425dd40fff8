"""PostgreSQL restarted mid-load: `paperfeed serve --workers 2` on a private PostgreSQL cluster
(never the shared server) answers logged-in visitors while the server is stopped twice (``pg_ctl
stop -m fast``, then ``-m immediate``, which is a crash) and started again ~2.5 s later.

During each outage every answer is a 503 with Retry-After (never a 500, never a dropped
connection); after the restart the site answers 200 again by itself, without restarting
`paperfeed serve`, within a bounded time. Every upvote answered 200 is stored exactly once, the
503'd ones are not half-stored (counters equal vote rows), and visitors that send their 503'd
votes again once the site is back end up with every vote stored exactly once.

It needs no database of the suite's, so it runs once per CI run: in the SQLite pass."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from tests.ops.fault_load import (
    Visitor,
    all_answers,
    start_visitors,
    stop_visitors,
    vote_accounting,
)
from tests.ops.fault_support import (
    SUITE_POSTGRES,
    PrivatePostgres,
    Store,
    private_postgres,
    script,
    serving,
    wait_until,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(SUITE_POSTGRES),
        reason="brings its own PostgreSQL cluster: runs once per CI run, in the SQLite pass",
    ),
]

VISITORS = 4
DOWN_SECONDS = 2.5
RECOVERY_LIMIT = 10.0  # seconds after the server is back until every visitor gets a 200 again


@dataclass
class Outage:
    mode: str
    stopping: float  # pg_ctl stop called
    down: float  # pg_ctl stop returned: the server is gone
    restarting: float  # pg_ctl start called (it may answer before start returns)
    up: float  # pg_ctl start returned: the server accepts connections
    recovered: float = 0.0  # every visitor had a 200 again
    settled: float = 0.0  # the end of the load after the recovery


def served_again(visitors: list[Visitor], since: float) -> float | None:
    """When the last visitor got its first 200 for a request started after ``since``."""
    firsts = [
        min((a.ended for a in list(v.answers) if a.started >= since and a.ok), default=None)
        for v in visitors
    ]
    return None if None in firsts else max(firsts)


def outage(postgres: PrivatePostgres, visitors: list[Visitor], mode: str) -> Outage:
    """Stop the server (``pg_ctl stop -m MODE``), keep it down, start it, wait for recovery."""
    stopping = time.monotonic()
    postgres.stop(mode)
    down = time.monotonic()
    time.sleep(DOWN_SECONDS)
    restarting = time.monotonic()
    postgres.start()
    event = Outage(mode, stopping, down, restarting, time.monotonic())
    event.recovered = wait_until(
        lambda: served_again(visitors, event.up), 30, f"the site to recover after a {mode} stop"
    )
    time.sleep(1.0)  # some load after the recovery
    event.settled = time.monotonic()
    return event


def test_postgres_restarted_mid_load_gives_503_then_recovers_by_itself(tmp_path):
    with private_postgres() as postgres:
        home = tmp_path / "home"
        home.mkdir()
        store = Store(home, postgres.url)
        data = script(store, "web", VISITORS, 200)
        with serving(store, workers=2, log=tmp_path / "serve.log") as server:
            workers = server.workers()
            visitors = start_visitors(
                server.url, data["users"], data["papers"], retry_unanswered=True
            )
            try:
                wait_until(lambda: len(all_answers(visitors)) >= 40, 60, "40 answers under load")
                outages = [outage(postgres, visitors, mode) for mode in ("fast", "immediate")]
                wait_until(
                    lambda: not any(v.to_retry for v in visitors),
                    30,
                    "the visitors' 503'd votes to be sent again",
                )
            finally:
                answers = stop_visitors(visitors)
            assert server.workers() == workers, "a gunicorn worker died during the outage"
            log = server.output()
        state = script(store, "state")

    assert not [a for a in answers if a.error], [a.error for a in answers if a.error][:5]
    failed = [f"{a.path} {a.status}" for a in answers if a.status not in (200, 503)]
    errors = [line for line in log.splitlines() if "Error" in line or "Traceback" in line]
    assert not failed, (
        f"{len(failed)} answers neither 200 nor 503: {failed[:5]}; log: {errors[-5:]}"
    )
    for o in outages:
        during = [a for a in answers if a.started >= o.down and a.ended <= o.restarting]
        refused = [
            a for a in answers if a.status == 503 and a.ended > o.stopping and a.started < o.up
        ]
        after = [a for a in answers if o.recovered < a.started and a.ended < o.settled]
        print(
            f"\nPostgreSQL stop -m {o.mode}: down {o.restarting - o.down:.1f} s (+{o.up - o.restarting:.1f} s"
            f" to start); {len(during)} requests while down, all 503: "
            f"{all(a.status == 503 for a in during)}; {len(refused)} 503s in all "
            f"({sum(a.kind == 'vote' for a in refused)} upvotes); every visitor had a 200 again "
            f"{o.recovered - o.up:.2f} s after the restart; then {len(after)} requests in "
            f"{o.settled - o.recovered:.1f} s, all 200: {all(a.ok for a in after)}"
        )
        assert len(during) >= VISITORS, f"too little load during the {o.mode} outage"
        assert all(a.status == 503 for a in during), [(a.path, a.status) for a in during]
        assert all(a.retry_after for a in refused), "a 503 without Retry-After"
        assert o.recovered - o.up < RECOVERY_LIMIT
        assert after and all(a.ok for a in after), [(a.path, a.status) for a in after]
    votes = vote_accounting(answers, state)
    refused_votes = sum(a.kind == "vote" and a.status == 503 for a in answers)
    print(
        f"upvotes: {len(votes['sent'])} sent, {refused_votes} answers 503 (sent again later), "
        f"{len(votes['stored'])} stored"
    )
    assert votes["lost"] == set() and votes["duplicates"] == {} and votes["phantom"] == set()
    assert votes["miscounted"] == {}
    # the 503'd votes were sent again and acknowledged: every vote a visitor made is stored once
    assert votes["stored"] == votes["sent"] == votes["acked"]
