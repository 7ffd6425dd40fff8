from __future__ import annotations

import json as jsonlib

from django.core.management.base import BaseCommand, CommandError

from paperfeed.ops.doctor import FAIL, OK, WARN, exit_code, run_checks


class Command(BaseCommand):
    help = (
        "Check this installation and say what to fix, one line per check (OK / WARN / FAIL): "
        "settings, database and migrations, search index freshness, pending embeddings, SMTP "
        "reachability, data directory and free disk space, and per signal source (hf, github, "
        "s2, pwc) its last success and failure, a rate-limit pause, whether it is switched off "
        "and how many papers carry its signals (a failing source is a WARN: offline installs "
        "work without them). Exit status: 0 no FAIL (warnings allowed), 1 at least one FAIL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the checks as JSON (signal sources with their figures under detail).",
        )

    def handle(self, *args, json, **options):
        results = run_checks()
        if json:
            self.stdout.write(
                jsonlib.dumps(
                    {"ok": exit_code(results) == 0, "checks": [c.as_dict() for c in results]},
                    indent=2,
                )
            )
        else:
            style = {OK: self.style.SUCCESS, WARN: self.style.WARNING, FAIL: self.style.ERROR}
            for c in results:
                self.stdout.write(f"{style[c.status](c.status.ljust(4))}  {c.name}: {c.message}")
        failed = sum(c.status == FAIL for c in results)
        if failed:
            raise CommandError(f"{failed} check(s) failed", returncode=1)
