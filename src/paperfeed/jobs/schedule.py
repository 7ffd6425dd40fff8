"""The periodic jobs, declared once as data: which task ``paperfeed worker`` runs, how often, with
which of the worker's options.

Each entry names a task of :mod:`paperfeed.jobs.tasks`, when it is due (every round of the
worker, ``--interval`` seconds, or every so many seconds of its own), the task's arguments for the
worker's options (``None``: not for this worker, e.g. fetching under ``--no-fetch``), and a help
line. The scheduler (:mod:`paperfeed.jobs.scheduler`) enqueues each entry when it is due;
``paperfeed worker --once`` calls :data:`PAPER_JOBS` in order in its own process, then sends the
digests (:data:`DIGESTS`) and the alerts of follows (:data:`ALERTS`). Adding a periodic job (a
signal refresh) is one task and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django_tasks.base import Task

from paperfeed.jobs import tasks

DAY = 24 * 3600.0


@dataclass(frozen=True)
class Options:
    """What a worker was started with (``paperfeed worker``'s options)."""

    sets: tuple[str, ...] = ()
    fetch: bool = True
    embed: bool = True
    interval: float = 300.0


def _always(options: Options) -> dict:
    return {}


@dataclass(frozen=True)
class Periodic:
    name: str
    """Shown in the worker's output; the key of the scheduler's record."""
    task: Task
    help: str
    every: float | None = None
    """Seconds between two runs; ``None``: every round of the worker (``--interval``)."""
    arguments: Callable[[Options], dict | None] = _always
    """The task's keyword arguments for a worker's options; ``None``: not run by that worker."""

    def period(self, options: Options) -> float:
        return options.interval if self.every is None else self.every


PAPER_JOBS: tuple[Periodic, ...] = (
    Periodic(
        "fetch",
        tasks.fetch_new_papers,
        "Harvest new papers of the worker's arXiv sets (--set, PAPERFEED_WORKER_SETS).",
        arguments=lambda o: {"sets": list(o.sets)} if o.fetch and o.sets else None,
    ),
    Periodic(
        "embed",
        tasks.embed_new_papers,
        "Embed the papers without an up-to-date vector (not with --no-embed).",
        arguments=lambda o: {} if o.embed else None,
    ),
    Periodic(
        "index",
        tasks.update_indexes,
        "Bring the search indexes up to date, waiting for another writer up to a minute.",
    ),
)
"""Each round, in this order: new papers in, embedded, indexed."""

HOUR = 3600.0
SIGNALS: tuple[Periodic, ...] = (
    Periodic(
        "signals-hf",
        tasks.fetch_signals,
        "Today's Hugging Face daily papers: HF upvotes, AI summaries, code, organisations "
        "(hourly, as the day's votes come in; by a worker that fetches papers).",
        every=HOUR,
        arguments=lambda o: {"source": "hf"} if o.fetch and o.sets else None,
    ),
    Periodic(
        "signals-github",
        tasks.fetch_signals,
        "Stars, last push and licence of linked code repositories, the stalest first, at most "
        "600 a run (~10 min at 1 request/s; 7,200 a day, GitHub's token allows 5,000 an hour; "
        "daily snapshots make 'stars gained this week'; by a worker that fetches papers).",
        every=2 * HOUR,
        arguments=lambda o: {"source": "github", "limit": 600} if o.fetch and o.sets else None,
    ),
    Periodic(
        "signals-s2",
        tasks.fetch_signals,
        "Semantic Scholar TL;DR, citations and venue of the papers due by age (daily in their "
        "first week, then weekly, then monthly; by a worker that fetches papers).",
        every=6 * HOUR,
        arguments=lambda o: {"source": "s2"} if o.fetch and o.sets else None,
    ),
)
"""External signals, refreshed on their own clocks (:mod:`paperfeed.signals`), by a worker that
fetches papers from the network (one with arXiv sets and without ``--no-fetch``): an offline
install never asks."""

DIGESTS = Periodic(
    "send",
    tasks.send_due_digests,
    "Send the digests due at each subscriber's local hour (exactly once: the send ledger).",
)

ALERTS = Periodic(
    "alerts",
    tasks.send_due_alerts,
    "Mail the alerts of follows that are due: instant ones with the papers stored in the last "
    "ten minutes, daily and weekly ones at each user's hour (exactly once: the alert ledger).",
)

PERIODIC: tuple[Periodic, ...] = (
    *PAPER_JOBS,
    *SIGNALS,
    DIGESTS,
    ALERTS,
    Periodic(
        "prune",
        tasks.prune_task_results,
        "Forget the records of task runs finished more than a week ago.",
        every=DAY,
    ),
)
"""Everything the scheduler enqueues, in the order it enqueues what is due."""
