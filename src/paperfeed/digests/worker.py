"""The schedule loop behind ``paperfeed worker``: fetch new papers from arXiv, embed them, bring
the search index up to date, then send the digests that are due at each subscriber's local hour.

Only the holder of the database lease ``worker`` runs a tick, so two workers started at once do
not both fetch and send; each digest is in any case claimed row by row in the send ledger
(:mod:`paperfeed.digests.send`), which is what makes sending exactly-once.  A step that fails is
logged and the tick goes on (a failed fetch must not stop the digests).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.management import call_command
from django.utils import timezone

from paperfeed.digests import lease, send

log = logging.getLogger(__name__)

LEASE_NAME = "worker"


@dataclass
class Tick:
    ran: bool  # False: another worker holds the lease
    steps: dict[str, str] = field(default_factory=dict)  # step -> "ok" or the error
    outcome: send.Outcome | None = None
    holder: str = ""


def fetch_step(sets: list[str]) -> Callable[[], None]:
    def fetch() -> None:
        for spec in sets:
            call_command("fetch", "arxiv", "--set", spec)

    return fetch


def embed_step() -> None:
    call_command("embed")


INDEX_BUSY_WAIT = 60.0
"""Seconds the index step waits while another process of the node writes the index."""


def index_step(wait: float = INDEX_BUSY_WAIT) -> None:
    """``paperfeed index --wait``: while another process of the node holds the index write lock
    (a web process catching up after votes, a ``paperfeed index`` timer) it waits, so the round
    ends with this round's papers indexed instead of failing. Still busy after ``wait`` seconds:
    the step fails with exit 3."""
    call_command("index", "--wait", f"{wait:g}")


def default_steps(sets: list[str], *, fetch: bool, embed: bool) -> list[tuple[str, Callable]]:
    steps: list[tuple[str, Callable]] = []
    if fetch and sets:
        steps.append(("fetch", fetch_step(sets)))
    if embed:
        steps.append(("embed", embed_step))
    steps.append(("index", index_step))
    return steps


def tick(
    steps: list[tuple[str, Callable[[], None]]],
    *,
    me: str | None = None,
    lease_seconds: float = 1800,
    now: Callable[[], dt.datetime] = timezone.now,
    build: send.Builder | None = None,
) -> Tick:
    """One round: take the lease, run each step, send the due digests. The lease is renewed
    after every step, so a long fetch does not let a second worker in."""
    me = me or send.sender_id()
    if not lease.acquire(LEASE_NAME, me, now(), lease_seconds):
        held = lease.current(LEASE_NAME)
        return Tick(ran=False, holder=held.holder if held else "")
    result = Tick(ran=True, holder=me)
    for name, step in steps:
        try:
            step()
            result.steps[name] = "ok"
        except (Exception, SystemExit) as exc:  # commands exit with SystemExit on failure
            log.exception("worker step %s failed", name)
            result.steps[name] = f"{type(exc).__name__}: {exc}"
        if not lease.acquire(LEASE_NAME, me, now(), lease_seconds):
            result.steps["lease"] = "lost to another worker; tick stopped"
            return result
    try:
        result.outcome = send.send_due(now(), build=build, me=me)
        result.steps["send"] = "ok"
    except send.NoBuilder as exc:
        result.steps["send"] = str(exc)
    return result
