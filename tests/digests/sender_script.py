"""A sender process for the kill-and-rerun test (run as ``python -m tests.digests.sender_script``).

``setup N``: migrate, store 3 papers and N active subscribers.
``send ISO_TIME``: send every due digest (every paper in the store) and print the outcome.
"""

from __future__ import annotations

import datetime as dt
import os
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from paperfeed.digests import compose, send
    from paperfeed.digests.models import Subscriber
    from paperfeed.ingest.records import AuthorRecord, PaperRecord
    from paperfeed.ingest.upsert import ingest
    from paperfeed.papers.models import Paper

    mode, arg = argv
    if mode == "setup":
        call_command("migrate", interactive=False, verbosity=0)
        day = dt.date(2026, 11, 26)
        ingest(
            PaperRecord(
                arxiv_id=f"2611.0000{i}",
                title_raw=f"Paper {i}",
                source="jsonl",
                abstract_raw="An abstract.",
                authors=[AuthorRecord("Ada Lovelace")],
                categories=["cs.CL"],
                listed=day,
                published=day,
            )
            for i in range(1, 4)
        )
        confirmed = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        Subscriber.objects.bulk_create(
            Subscriber(email=f"s{i:03d}@example.org", status="active", confirmed_at=confirmed)
            for i in range(int(arg))
        )
        return 0

    def build(subscriber, start, end):
        items = [compose.DigestItem(p, "in the store") for p in Paper.objects.order_by("pk")]
        return compose.Digest(subscriber, "unused", [compose.Section("All", items)])

    outcome = send.send_due(dt.datetime.fromisoformat(arg), build=build)
    print(f"sent={outcome.sent} empty={outcome.empty} retried={outcome.retried}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
