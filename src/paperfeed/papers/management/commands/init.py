from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from paperfeed.papers.maintenance import update_statistics


class Command(BaseCommand):
    help = (
        "Create the data directory and the database tables (safe to run again: it only applies "
        "what is missing)."
    )

    def handle(self, *args, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        update_statistics()
        vendor = connection.vendor
        where = connection.settings_dict["NAME"]
        self.stdout.write(f"data directory: {settings.DATA_DIR}")
        self.stdout.write(f"database: {vendor} {where} (migrations applied)")
