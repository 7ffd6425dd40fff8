"""``paperfeed index``: bring the search indexes up to date (or rebuild them), or report them."""

from __future__ import annotations

import sys

import orjson
from django.core.management.base import BaseCommand, CommandError

from paperfeed.search import query_model, refresh, rerank_model
from paperfeed.search.cross_encoder import RerankError
from paperfeed.search.embedding_job import current_model
from paperfeed.search.encoders import EncoderError
from paperfeed.search.sync import index_status

EXIT_BUSY = 3


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


class Command(BaseCommand):
    help = (
        "Bring the search indexes up to date with the database. Papers changed since the last "
        "run are reindexed and deleted ones dropped; the first run builds the index. Exit "
        "status: 0 done, 1 error, 3 another process is writing the index (try again later)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Build a new index from the whole database and switch to it "
            "atomically (searches keep using the old one meanwhile).",
        )
        parser.add_argument(
            "--status",
            action="store_true",
            help="Only report: papers in the database and in the index, "
            "watermark, generation, size on disk.",
        )
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="While another process is writing the index, try again for up to this long "
            "before exiting 3 (default 0: exit 3 at once).",
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def handle(self, *args, rebuild, status, wait, json, **options):
        if status:
            return self._print(index_status(), json, status=True)
        # progress on a terminal, or plain lines in a log for a long build (not with --json)
        update = refresh.papers_changed(wait=wait, progress=not json, rebuild=rebuild)
        if update.busy:
            self.stderr.write(self.style.WARNING(update.busy))
            sys.exit(EXIT_BUSY)
        self._print(update.indexes(), json)
        try:  # the web's torch-free query encoder: exported and checked by batch commands only
            report = query_model.ensure_for_vectors(current_model())
        except EncoderError as exc:
            raise CommandError(f"query model: {exc}") from None
        if report is not None and not json:
            self.stdout.write(query_model.describe(report))
        try:  # the web's torch-free re-ranker, when PAPERFEED_RERANK_MODEL names one
            rerank = rerank_model.ensure()
        except RerankError as exc:
            raise CommandError(f"re-ranking model: {exc}") from None
        if rerank is not None and not json:
            self.stdout.write(rerank_model.describe(rerank))

    def _print(self, result: dict, as_json: bool, *, status: bool = False) -> None:
        if as_json:
            self.stdout.write(orjson.dumps(result, default=str).decode())
            return
        if status:
            if result["generation"] is None:
                self.stdout.write(
                    f"papers in database: {result['papers_in_db']:,}\n"
                    "no search index yet: run `paperfeed index --rebuild`"
                )
                return
            lines = [
                f"papers in database: {result['papers_in_db']:,}",
                f"papers in index:    {result['papers_in_index']:,}",
                f"changed since sync: {result['changed_since_sync']:,}",
                f"watermark:          {result['watermark']}",
                f"generation:         {result['generation']} ({result['path']})",
                f"size on disk:       {_size(result['size_bytes'])}",
                f"built at:           {result['built_at']}",
                f"synced at:          {result['synced_at']}",
            ]
            self.stdout.write("\n".join(lines))
            return
        lexical = result["lexical"]
        self.stdout.write(
            f"lexical index {lexical['action']} (generation {lexical['generation']}): "
            f"{lexical['indexed']:,} indexed, {lexical['deleted']:,} removed, "
            f"{lexical['papers']:,} papers in the index"
        )
        if result.get("vectors"):
            self.stdout.write(f"vector index: {result['vectors']}")
