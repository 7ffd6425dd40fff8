"""The Django side of the fault tests, run in a subprocess on the database under test
(``python -m tests.ops.fault_script COMMAND ...`` with PAPERFEED_HOME and DATABASE_URL set).

``web USERS PAPERS``        migrate; PAPERS papers listed today; USERS voters with verified
                            addresses (password :data:`PASSWORD`). Prints the ids and user names.
``digests N [ISO_TIME]``    migrate; N active daily subscribers whose digest is due at ISO_TIME
                            (default: now) and papers listed in that period. Prints the period.
``state``                   votes, upvote counters, the send ledger, as JSON.
``index``                   ids in the published lexical index and the visible papers, as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

PASSWORD = "fault-test-password-0123"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _papers(prefix: str, count: int, day: dt.date) -> list[str]:
    from paperfeed.ingest.records import AuthorRecord, PaperRecord
    from paperfeed.ingest.upsert import ingest

    records = [
        PaperRecord(
            arxiv_id=f"{prefix}.{i:05d}",
            title_raw=f"Fault-tolerant paper {i} on sparse attention",
            source="jsonl",
            abstract_raw=f"Abstract {i}: we study what survives a crash.",
            authors=[AuthorRecord(f"Author {i % 7}"), AuthorRecord("Ada Lovelace")],
            categories=["cs.CL"],
            listed=day,
            published=day,
        )
        for i in range(1, count + 1)
    ]
    summary = ingest(records)
    if summary.rejected:
        raise SystemExit(f"papers rejected: {summary.rejects}")
    return [r.arxiv_id for r in records]


def web(users: int, papers: int) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    ids = _papers("2611", papers, dt.datetime.now(dt.UTC).date())
    names = []
    for i in range(users):
        name = f"voter{i}"
        user = get_user_model().objects.create_user(name, f"{name}@example.org", PASSWORD)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        names.append(name)
    return {"papers": ids, "users": names}


def digests(count: int, when: str | None) -> dict:
    from paperfeed.digests import send
    from paperfeed.digests.models import Subscriber

    now = dt.datetime.fromisoformat(when) if when else dt.datetime.now(dt.UTC)
    send_hour = (now.hour + 12) % 24  # the period boundary is 12 h away: no test runs across it
    confirmed = now - dt.timedelta(days=30)
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"reader{i:03d}@example.org",
            status=Subscriber.Status.ACTIVE,
            confirmed_at=confirmed,
            send_hour=send_hour,
        )
        for i in range(count)
    )
    period = send.period_of(Subscriber.objects.get(pk=subscribers[0].pk), now)
    ids = _papers("2610", 5, period.start.astimezone(dt.UTC).date())
    return {"period": period.key, "papers": ids, "emails": [s.email for s in subscribers]}


def state() -> dict:
    from paperfeed.community.models import Vote
    from paperfeed.digests.models import DigestSend
    from paperfeed.papers.models import Paper

    return {
        "votes": sorted(Vote.objects.values_list("user__username", "paper_id")),
        "upvotes": dict(Paper.objects.values_list("arxiv_id", "upvotes")),
        "ledger": sorted(
            DigestSend.objects.values_list("subscriber__email", "period_key", "state", "message_id")
        ),
    }


def index() -> dict:
    from paperfeed.papers.models import Paper
    from paperfeed.search import lexical

    return {
        "index": sorted(lexical.current_index().all_ids()),
        "visible": sorted(Paper.objects.visible().values_list("arxiv_id", flat=True)),
    }


def main(argv: list[str]) -> int:
    _setup_django()
    command, *args = argv
    if command == "web":
        result = web(int(args[0]), int(args[1]))
    elif command == "digests":
        result = digests(int(args[0]), args[1] if len(args) > 1 else None)
    elif command == "state":
        result = state()
    elif command == "index":
        result = index()
    else:
        raise SystemExit(f"unknown command {command!r}: web, digests, state or index")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
