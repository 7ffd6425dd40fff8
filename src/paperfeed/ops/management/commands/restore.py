from __future__ import annotations

import json as jsonlib
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperfeed.ops.backup import BackupError, restore
from paperfeed.search import refresh

EXIT_BUSY = 3  # as `paperfeed index`: restored, but another process was writing the indexes


class Command(BaseCommand):
    help = (
        "Restore a backup made by `paperfeed backup` (SRC: the .sqlite3/.dump file, its "
        ".json manifest, or a backup directory: its newest backup) into the configured database, replacing its contents. SQLite: a "
        "safety copy of the current database is kept in the data directory first. Afterwards "
        "the database is checked (integrity, row counts equal to the manifest) and newer "
        "migrations are applied. Search indexes are not part of a backup: run `paperfeed index "
        "--rebuild` afterwards, or pass --reindex. Exit status: 0 restored and checked, 1 error "
        "(including a non-empty database without --yes)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "src", help="Backup file, its manifest (.json), or a directory (newest backup)."
        )
        parser.add_argument(
            "--yes", action="store_true", help="Overwrite a database that already holds data."
        )
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Rebuild the search indexes from the restored database afterwards.",
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, src, yes, reindex, json, **options):
        try:
            result = restore(Path(src), yes=yes)
        except (BackupError, OSError) as exc:
            raise CommandError(f"restore refused: {exc}") from exc
        if reindex:
            update = refresh.papers_changed(rebuild=True, progress=not json and sys.stderr.isatty())
            if update.busy:
                self.stderr.write(self.style.WARNING(update.busy))
                sys.exit(EXIT_BUSY)
            lexical = update.lexical
            self.stderr.write(
                f"search indexes rebuilt: lexical generation {lexical['generation']} "
                f"({lexical['papers']:,} papers), vectors: {update.vectors}"
            )
        if json:
            self.stdout.write(jsonlib.dumps({**result, "reindexed": reindex}, sort_keys=True))
            return
        rows = sum(result["counts"].values())
        self.stdout.write(
            f"restored {result['path']}: {len(result['counts'])} tables, {rows:,} rows; checks OK"
        )
        if result["safety_copy"]:
            self.stdout.write(f"the previous database was saved as {result['safety_copy']}")
        if result["migrated"]:
            self.stdout.write(f"applied {len(result['migrated'])} newer migration(s)")
        if not reindex:
            self.stdout.write("now run `paperfeed index --rebuild` to rebuild the search indexes")
