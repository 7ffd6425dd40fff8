from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError

from paperfeed import config
from paperfeed.digests import lease, send, worker


class Command(BaseCommand):
    help = (
        "Run the schedule: every --interval seconds fetch new arXiv papers (the sets in "
        "PAPERFEED_WORKER_SETS or --set), embed them, update the search index, then send the "
        "digests due at each subscriber's local hour. Several workers may run: a database lease "
        "lets one work at a time, and the send ledger sends each digest once even across "
        "kills and restarts. Exit codes: 0 stopped cleanly (or --once done, or another worker "
        "holds the lease), 1 --once and a step or a digest failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round, then exit.")
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

    def handle(self, *args, once, interval, sets, no_fetch, no_embed, lease_seconds, **options):
        if interval <= 0 or lease_seconds <= 0:
            raise CommandError("--interval and --lease-seconds must be positive", returncode=2)
        if sets is None:
            sets = config.get("PAPERFEED_WORKER_SETS").split()
        steps = worker.default_steps(sets, fetch=not no_fetch, embed=not no_embed)
        me = send.sender_id()
        stopping = []
        if not once:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stopping.append(True))
        try:
            while True:
                result = worker.tick(steps, me=me, lease_seconds=lease_seconds)
                self.report(result)
                if once:
                    failed = any(v != "ok" for v in result.steps.values()) or (
                        result.outcome is not None
                        and (result.outcome.failed or result.outcome.retried)
                    )
                    if failed:
                        raise SystemExit(1)
                    return
                deadline = time.monotonic() + interval
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(1.0, interval))
                if stopping:
                    return
        finally:
            lease.release(worker.LEASE_NAME, me)

    def report(self, result: worker.Tick) -> None:
        if not result.ran:
            self.stdout.write(f"another worker holds the lease ({result.holder}); waiting")
            return
        for name, state in result.steps.items():
            self.stdout.write(f"{name}: {state}")
        if result.outcome is not None:
            o = result.outcome
            self.stdout.write(
                f"digests: planned {o.planned}, sent {o.sent}, empty {o.empty}, "
                f"retry later {o.retried}, failed {o.failed}"
            )
