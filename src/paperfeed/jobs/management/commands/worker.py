"""``paperfeed worker``: parse the options, run a round or the loop (:mod:`paperfeed.jobs.worker`),
print what happened."""

from __future__ import annotations

import dataclasses
import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResult, TaskResultStatus

from paperfeed import config
from paperfeed.digests import send
from paperfeed.jobs import lease, worker
from paperfeed.jobs.schedule import ALERTS, DIGESTS, Options
from paperfeed.jobs.scheduler import Scheduled


class Command(BaseCommand):
    help = (
        "Run the background jobs: every --interval seconds fetch new arXiv papers (the sets in "
        "PAPERFEED_WORKER_SETS or --set), embed them, update the search index, send the "
        "digests due at each subscriber's local hour and the mail alerts of follows that are "
        "due. The jobs go through a task queue (the database, or Redis when REDIS_URL is set) "
        "that every running worker drains; a database lease lets one of them enqueue, and the "
        "send ledgers send each digest and alert once even across kills and restarts. Exit "
        "codes: 0 stopped cleanly (or --once done, or another worker holds the lease), 1 --once "
        "and a step, a digest or an alert failed, or --drain and a task failed."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--once",
            action="store_true",
            help="Run one round in this process (no queue), then exit.",
        )
        mode.add_argument(
            "--drain",
            action="store_true",
            help="Enqueue what is due (when this worker holds the lease), run the queued tasks "
            "until none is left, then exit.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=300.0,
            metavar="SECONDS",
            help="Seconds between rounds (default 300).",
        )
        parser.add_argument(
            "--set",
            dest="sets",
            action="append",
            metavar="SET",
            help="arXiv OAI-PMH set to fetch each round (repeatable; default: "
            "PAPERFEED_WORKER_SETS).",
        )
        parser.add_argument(
            "--no-fetch", action="store_true", help="Do not fetch from arXiv (send only)."
        )
        parser.add_argument(
            "--no-embed", action="store_true", help="Do not compute embeddings of new papers."
        )
        parser.add_argument(
            "--lease-seconds",
            type=float,
            default=1800.0,
            metavar="SECONDS",
            help="How long the lease lasts without renewal; a worker that dies holding it is "
            "replaced after this (default 1800).",
        )

    def handle(
        self, *args, once, drain, interval, sets, no_fetch, no_embed, lease_seconds, **options
    ):
        if interval <= 0 or lease_seconds <= 0:
            raise CommandError("--interval and --lease-seconds must be positive", returncode=2)
        if sets is None:
            sets = config.get("PAPERFEED_WORKER_SETS").split()
        chosen = Options(
            sets=tuple(sets), fetch=not no_fetch, embed=not no_embed, interval=interval
        )
        me = send.sender_id()
        stop = threading.Event()
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.getsignal(sig) for sig in signals}
        try:
            if once:
                self.once(chosen, me, lease_seconds)
                return
            for sig in signals:  # stop after the task that runs
                signal.signal(sig, lambda *_: stop.set())
            failures = worker.serve(
                chosen,
                me=me,
                lease_seconds=lease_seconds,
                stop=stop,
                report=self.report,
                drain_only=drain,
            )
            if failures:
                raise SystemExit(1)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            lease.release(worker.LEASE_NAME, me)

    def once(self, options: Options, me: str, lease_seconds: float) -> None:
        result = worker.tick(worker.default_steps(options), me=me, lease_seconds=lease_seconds)
        self.report_round(result)
        if result.failed:
            raise SystemExit(1)

    def report_round(self, result: worker.Tick) -> None:
        if not result.ran:
            self.stdout.write(f"another worker holds the lease ({result.holder}); waiting")
            return
        for name, state in result.steps.items():
            self.stdout.write(f"{name}: {state}")
            if name == DIGESTS.name and result.outcome is not None:
                self.digests(dataclasses.asdict(result.outcome))
            if name == ALERTS.name and result.alerts is not None:
                self.alerts(dataclasses.asdict(result.alerts))

    def report(self, event: Scheduled | TaskResult) -> None:
        self.describe(event)
        self.stdout.flush()  # a long-running worker's log shows each line as it happens

    def describe(self, event: Scheduled | TaskResult) -> None:
        if isinstance(event, Scheduled):
            if not event.ran:
                self.stdout.write(f"another worker holds the lease ({event.holder}); waiting")
            elif event.enqueued:
                self.stdout.write("enqueued: " + ", ".join(event.enqueued))
            return
        name = worker.job_name(event)
        if event.status != TaskResultStatus.SUCCESSFUL:
            error = event.errors[-1].traceback.strip().splitlines()[-1] if event.errors else ""
            self.stdout.write(f"{name}: failed {error}".rstrip())
            return
        self.stdout.write(f"{name}: ok")
        if name == DIGESTS.name:
            self.digests(event.return_value)
        if name == ALERTS.name:
            self.alerts(event.return_value)

    def digests(self, outcome: dict) -> None:
        self.stdout.write(
            f"digests: planned {outcome['planned']}, sent {outcome['sent']}, "
            f"empty {outcome['empty']}, retry later {outcome['retried']}, "
            f"failed {outcome['failed']}"
        )

    def alerts(self, outcome: dict) -> None:
        self.stdout.write(
            f"alerts: planned {outcome['planned']}, sent {outcome['sent']}, "
            f"empty {outcome['empty']}, skipped {outcome['skipped']}, "
            f"retry later {outcome['retried']}, failed {outcome['failed']}"
        )
