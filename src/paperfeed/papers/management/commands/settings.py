from __future__ import annotations

from django.core.management.base import BaseCommand

from paperfeed import config


class Command(BaseCommand):
    help = "List every PAPERFEED_* / DATABASE_URL / SECRET_KEY setting with its value and help."

    def handle(self, *args, **options):
        for setting in config.SETTINGS:
            value = config.get(setting.name)
            if setting.name == "SECRET_KEY" and value:
                value = "(set)"
            self.stdout.write(f"{setting.name}={value}")
            self.stdout.write(f"    {setting.help}")
