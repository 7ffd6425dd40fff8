"""``paperfeed ingest``: import paper files, then update the search indexes."""

from __future__ import annotations

import sys

import orjson
from django.core.management.base import BaseCommand, CommandError

from paperfeed.ingest.files import ingest_file
from paperfeed.ingest.readers import FORMATS
from paperfeed.progress import progress_bar
from paperfeed.search import refresh

SHOWN_REJECTS = 20


class Command(BaseCommand):
    help = (
        "Import papers from files: arXiv Atom feeds, OAI-PMH ListRecords responses, the Kaggle "
        "arXiv snapshot, paperfeed JSON lines or Hugging Face daily_papers responses. Plain, .gz "
        "and .xz files; '-' reads stdin. Idempotent: a second run of the same file changes "
        "nothing. Exit status: 0 all files read (rejected records are listed), 1 a file could "
        "not be read or parsed (its earlier batches are kept, the broken batch is not)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="Files to import; '-' is stdin."
        )
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", *FORMATS],
            help="Input format (default: detected from the content).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Records per transaction (default 2000)."
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="Do not update the search indexes afterwards (run `paperfeed "
            "index` later); by default they are updated when papers changed.",
        )

    def handle(self, *args, files, format, batch_size, json, no_index=False, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        shown = 0
        failed = []
        totals = {"new": 0, "updated": 0, "unchanged": 0, "deleted": 0, "rejected": 0}
        report = []

        def on_reject(item):
            nonlocal shown
            shown += 1
            if shown <= SHOWN_REJECTS:
                self.stderr.write(f"rejected {item}")

        for path in files:
            with progress_bar(f"ingest {path}", unit="papers", disable=json) as advance:
                result = ingest_file(
                    path, format, batch_size=batch_size, on_progress=advance, on_reject=on_reject
                )
            counts = result.summary.as_dict()
            for key in totals:
                totals[key] += counts[key]
            report.append(
                {
                    "file": path,
                    "format": result.format,
                    **counts,
                    **({"error": result.error} if result.error else {}),
                }
            )
            if result.error:
                failed.append(path)
                self.stderr.write(self.style.ERROR(f"error: {result.error}"))
            if not json:
                self.stdout.write(self._line(path, result.format, counts))
        if shown > SHOWN_REJECTS:
            self.stderr.write(f"... and {shown - SHOWN_REJECTS} more rejected records")
        changed = totals["new"] + totals["updated"] + totals["deleted"] > 0
        index_result = None
        if changed:
            update = refresh.papers_changed(progress=not json, index=not no_index, stored=True)
            if not no_index:
                index_result = update.indexes()
                self._report_indexes(update, quiet=json)
        if json:
            extra = {"index": index_result} if index_result is not None else {}
            self.stdout.write(
                orjson.dumps({"files": report, **totals, **extra}, default=str).decode()
            )
        elif len(files) > 1:
            self.stdout.write(self._line("total", "", totals))
        if not json and totals["new"] == totals["updated"] == totals["deleted"] == 0 and not failed:
            self.stdout.write("nothing changed")
        if failed:
            sys.exit(1)

    def _report_indexes(self, update: refresh.IndexUpdate, *, quiet: bool) -> None:
        if update.busy:
            self.stderr.write(self.style.WARNING(f"search index not updated: {update.busy}"))
        elif not quiet:
            lexical = update.lexical
            self.stdout.write(
                f"search index: {lexical['indexed']:,} indexed, "
                f"{lexical['deleted']:,} removed, {lexical['papers']:,} papers"
            )

    @staticmethod
    def _line(label: str, fmt: str, counts: dict) -> str:
        parts = [f"{counts[k]:,} {k}" for k in ("new", "updated", "unchanged", "rejected")]
        if counts["deleted"]:
            parts.append(f"{counts['deleted']:,} deleted")
        suffix = f" ({fmt})" if fmt else ""
        return f"{label}{suffix}: " + ", ".join(parts)
