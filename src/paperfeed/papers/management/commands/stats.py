from __future__ import annotations

import orjson
from django.core.management.base import BaseCommand

from paperfeed.papers.stats import store_stats


class Command(BaseCommand):
    help = "Show how many papers the store holds, by primary category and by month (of the listing day, else of the first version)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print a JSON object (keys: papers, deleted, authors, categories, months).",
        )
        parser.add_argument("--top", type=int, default=20, help="Categories listed (default 20).")

    def handle(self, *args, json, top, **options):
        stats = store_stats(top=top)
        if json:
            self.stdout.write(orjson.dumps(stats).decode())
            return
        self.stdout.write(
            f"papers: {stats['papers']:,}  authors: {stats['authors']:,}  "
            f"deleted: {stats['deleted']:,}"
        )
        self.stdout.write("by primary category:")
        for name, n in stats["categories"].items():
            self.stdout.write(f"  {name:<18}{n:>9,}")
        self.stdout.write("by month (listing day, else first version):")
        months = stats["months"]
        shown = list(months.items())
        if len(shown) > 24:
            self.stdout.write(
                f"  ({len(shown) - 24} earlier months not shown; --json has them all)"
            )
            shown = shown[-24:]
        for month, n in shown:
            self.stdout.write(f"  {month}  {n:>9,}")
