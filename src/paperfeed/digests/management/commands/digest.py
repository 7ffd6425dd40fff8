from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paperfeed.digests import compose, send
from paperfeed.digests.models import Subscriber, normalise_email
from paperfeed.progress import progress_bar


def _when(value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an ISO date-time (e.g. 2026-11-27T07:00)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = (
        "Send the due email digests, or preview one. 'digest send' sends every digest whose "
        "send moment (each subscriber's local hour) has passed and that was not sent yet; "
        "running it again sends nothing twice. 'digest preview EMAIL' prints a subscriber's "
        "next digest. Exit codes: 0 done, 1 some digests failed (retried later or given up) or "
        "cannot be built, 2 bad arguments or unknown subscriber."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="send|preview")
        send_p = sub.add_parser("send", help="Send the due digests.")
        send_p.add_argument(
            "--frequency",
            choices=["daily", "weekly"],
            help="Only subscribers of this frequency (default: both).",
        )
        send_p.add_argument(
            "--dry-run",
            action="store_true",
            help="Build the due digests and list them; send nothing, write nothing.",
        )
        send_p.add_argument(
            "--now", type=_when, help="Act as if it were this UTC time (ISO, for catch-up/tests)."
        )
        preview_p = sub.add_parser("preview", help="Print a subscriber's next digest.")
        preview_p.add_argument("email", help="The subscriber's address.")
        preview_p.add_argument(
            "--html", action="store_true", help="Print the HTML part instead of the plain text."
        )
        preview_p.add_argument(
            "--now", type=_when, help="Preview as of this UTC time (ISO; default: now)."
        )

    def handle(self, *args, **options):
        if options["action"] == "preview":
            return self.preview(options)
        return self.send(options)

    def preview(self, options) -> None:
        email = normalise_email(options["email"])
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is None:
            raise CommandError(f"no subscriber with the address {email!r}", returncode=2)
        digest = send.preview(subscriber, options["now"])
        message = compose.digest_message(digest)
        if options["html"]:
            self.stdout.write(message.alternatives[0][0])
        else:
            self.stdout.write(f"Subject: {message.subject}\nTo: {subscriber.email}\n\n")
            self.stdout.write(message.body)

    def send(self, options) -> None:
        now = options["now"]
        if options["dry_run"]:
            due = list(send.unsent_periods(now or timezone.now(), options["frequency"]))
            with progress_bar("building digests", total=len(due), unit="digests") as advance:
                for subscriber, period in due:
                    digest = send.digest_for(subscriber, period)
                    count = len(digest.papers)
                    self.stdout.write(f"{subscriber.email}\t{period.key}\t{count} papers")
                    advance(1)
            self.stdout.write(f"dry run: {len(due)} digests due, nothing sent")
            return
        outcome = send.send_due(now, frequency=options["frequency"])
        self.stdout.write(
            f"planned {outcome.planned}, sent {outcome.sent}, empty {outcome.empty}, "
            f"skipped {outcome.skipped}, retry later {outcome.retried}, failed {outcome.failed}"
        )
        for error in outcome.errors:
            self.stderr.write(error)
        if outcome.failed or outcome.retried:
            raise SystemExit(1)
