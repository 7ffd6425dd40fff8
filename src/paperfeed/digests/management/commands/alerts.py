from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paperfeed.digests import alerts, alerts_send, compose
from paperfeed.digests.management.commands.digest import _when


class Command(BaseCommand):
    help = (
        "Send the due mail alerts of follows, or preview one. 'alerts send' mails each account "
        "the papers new since the last alert of its follows (instant: every ten minutes; daily "
        "and weekly: at the hour of its digest subscription, else 07:00 UTC); running it again "
        "sends nothing twice, and no paper ever reaches an account twice. 'alerts preview USER' "
        "prints an account's next alerts. Exit codes: 0 done, 1 some alerts failed (retried "
        "later or given up), 2 bad arguments or unknown account."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="send|preview")
        send_p = sub.add_parser("send", help="Send the due alerts.")
        send_p.add_argument(
            "--now", type=_when, help="Act as if it were this UTC time (ISO, for catch-up/tests)."
        )
        preview_p = sub.add_parser("preview", help="Print an account's next alerts.")
        preview_p.add_argument("user", help="The account's user name or address.")
        preview_p.add_argument(
            "--frequency",
            choices=alerts.FREQUENCIES,
            help="Only the alert of this frequency (default: each the account's follows use).",
        )
        preview_p.add_argument(
            "--html", action="store_true", help="Print the HTML part instead of the plain text."
        )
        preview_p.add_argument(
            "--now", type=_when, help="Preview as of this UTC time (ISO; default: now)."
        )

    def handle(self, *args, **options):
        if options["action"] == "preview":
            return self.preview(options)
        outcome = alerts_send.send_due(options["now"])
        self.stdout.write(
            f"alerts: planned {outcome.planned}, sent {outcome.sent}, empty {outcome.empty}, "
            f"skipped {outcome.skipped}, retry later {outcome.retried}, failed {outcome.failed}"
        )
        for error in outcome.errors:
            self.stderr.write(error)
        if outcome.failed or outcome.retried:
            raise SystemExit(1)

    def preview(self, options) -> None:
        user = alerts.user_by_name_or_email(options["user"])
        if user is None:
            raise CommandError(f"no account named {options['user']!r}", returncode=2)
        frequencies = alerts.users_with_alerts().get(user.pk, set())
        if options["frequency"]:
            frequencies = {options["frequency"]}
        if not frequencies:
            self.stdout.write(f"{user.username} has no follow with a mail alert")
            return
        now = options["now"] or timezone.now()
        for frequency in sorted(frequencies, key=alerts.FREQUENCIES.index):
            alert = alerts.preview(user, frequency, now)
            if alert is None:
                raise CommandError(
                    f"{user.username} has no verified address: alerts cannot be sent",
                    returncode=2,
                )
            message = compose.alert_message(alert)
            if options["html"]:
                self.stdout.write(message.alternatives[0][0])
            else:
                self.stdout.write(f"Subject: {message.subject}\nTo: {alert.recipient.email}\n\n")
                self.stdout.write(message.body)
