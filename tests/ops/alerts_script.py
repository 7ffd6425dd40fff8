"""The Django side of the alert fault tests, run in a subprocess on the database under test
(``python -m tests.ops.alerts_script COMMAND ...`` with PAPERFEED_HOME and DATABASE_URL set).

``setup N [ISO_TIME]``  migrate; N accounts with verified addresses, each following the author
                        "Ada Lovelace" and the category cs.CL with instant alerts (made a week
                        before), and papers by her in cs.CL stored in the ten minutes before the
                        instant bucket due at ISO_TIME (default: now) ended. Prints the period,
                        the paper ids and the addresses.
``state``               the alert ledger and the alerted (address, paper) pairs, as JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

PAPERS = 4


def setup(count: int, when: str | None) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from paperfeed.digests import schedule
    from paperfeed.ingest.records import AuthorRecord, PaperRecord
    from paperfeed.ingest.upsert import ingest
    from paperfeed.papers.models import Author, Paper
    from paperfeed.personal.models import Follow

    now = dt.datetime.fromisoformat(when) if when else dt.datetime.now(dt.UTC)
    period = schedule.instant_period(now)
    day = period.end.date()
    records = [
        PaperRecord(
            arxiv_id=f"2612.{i:05d}",
            title_raw=f"Alerted paper {i} on sparse attention",
            source="jsonl",
            abstract_raw=f"Abstract {i}: we study what survives a crash.",
            authors=[AuthorRecord("Ada Lovelace"), AuthorRecord(f"Author {i}")],
            categories=["cs.CL"],
            listed=day,
            published=day,
        )
        for i in range(1, PAPERS + 1)
    ]
    summary = ingest(records)
    if summary.rejected:
        raise SystemExit(f"papers rejected: {summary.rejects}")
    ids = [r.arxiv_id for r in records]
    Paper.objects.filter(pk__in=ids).update(created_at=period.end - dt.timedelta(minutes=5))
    ada = Author.objects.get(name="Ada Lovelace")
    made = now - dt.timedelta(days=7)
    emails = []
    for i in range(count):
        name = f"reader{i:03d}"
        user = get_user_model().objects.create_user(name, f"{name}@example.org", "pw-0123456789")
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        Follow.objects.create(
            user=user, kind=Follow.AUTHOR, value=str(ada.pk), label=ada.name, alert=Follow.INSTANT
        )
        Follow.objects.create(user=user, kind=Follow.CATEGORY, value="cs.CL", alert=Follow.INSTANT)
        emails.append(user.email)
    Follow.objects.update(created=made)
    return {"period": period.key, "papers": ids, "emails": emails}


def state() -> dict:
    from paperfeed.digests.models import AlertedPaper, AlertSend

    return {
        "ledger": sorted(
            AlertSend.objects.values_list("user__email", "period_key", "state", "message_id")
        ),
        "alerted": sorted(AlertedPaper.objects.values_list("user__email", "paper_id")),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperfeed.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    command, *args = argv
    if command == "setup":
        result = setup(int(args[0]), args[1] if len(args) > 1 else None)
    elif command == "state":
        result = state()
    else:
        raise SystemExit(f"unknown command {command!r}: setup or state")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
