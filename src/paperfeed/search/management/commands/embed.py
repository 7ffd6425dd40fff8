"""``paperfeed embed``: compute, import or export paper embeddings, then update the search indexes."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperfeed.progress import progress_bar
from paperfeed.search import embedding_job, query_model, refresh, rerank_model
from paperfeed.search.cross_encoder import RerankError
from paperfeed.search.encoders import BACKENDS, EncoderError


class Command(BaseCommand):
    help = (
        "Compute the embeddings of papers that have none (or whose title/abstract changed) with "
        "PAPERFEED_EMBEDDING_MODEL, or move vectors between machines with --import/--export; "
        "then bring the search indexes up to date. Vectors of another model are never mixed in: "
        "pass --reembed to replace them. Exit status: 0 done, 1 error (bad file, model "
        "mismatch, model not found)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--device",
            choices=("cpu", "cuda", "auto"),
            default="auto",
            help="Where to run the model: cpu, cuda (float16) or auto "
            "(cuda when a GPU is visible; default).",
        )
        parser.add_argument(
            "--backend",
            choices=BACKENDS,
            default="auto",
            help="CPU inference backend: auto (ONNX Runtime float32 when available, else "
            "PyTorch; default), onnx-fp32, onnx-int8 (~1.4x faster, cosine >= 0.99 to float32), "
            "torch-bf16, torch-fp32 or torch-int8 (drifts; for comparison only).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=None,
            metavar="N",
            help="Texts per forward pass (default 32 on CPU, 256 on CUDA).",
        )
        parser.add_argument(
            "--limit", type=int, default=None, metavar="N", help="Embed at most N papers this run."
        )
        parser.add_argument(
            "--reembed",
            action="store_true",
            help="Replace the vectors of another model (after changing "
            "PAPERFEED_EMBEDDING_MODEL) instead of refusing.",
        )
        parser.add_argument(
            "--import",
            dest="import_path",
            type=Path,
            metavar="VECTORS.npy",
            help="Store vectors from this .npy file (rows match --ids lines).",
        )
        parser.add_argument(
            "--export",
            dest="export_path",
            type=Path,
            metavar="VECTORS.npy",
            help="Write the stored vectors (float16) to this .npy file.",
        )
        parser.add_argument(
            "--ids",
            type=Path,
            metavar="IDS.txt",
            help="With --import/--export: the paper ids, one per line, row order.",
        )
        parser.add_argument(
            "--model",
            default=None,
            help="With --import: the model that made the vectors (default: "
            "PAPERFEED_EMBEDDING_MODEL; another one is refused).",
        )
        parser.add_argument(
            "--no-sync", action="store_true", help="Do not update the search indexes afterwards."
        )

    def handle(self, *args, **options):
        if options["import_path"] and options["export_path"]:
            raise CommandError("use --import or --export, not both")
        try:
            if options["export_path"]:
                self._export(options)
                return
            if options["import_path"]:
                self._import(options)
            else:
                self._embed(options)
            # the web's torch-free query encoder, exported and checked here, never in a worker
            report = query_model.ensure_for_vectors(embedding_job.current_model())
            rerank = rerank_model.ensure()  # the re-ranker, when PAPERFEED_RERANK_MODEL is set
        except (embedding_job.EmbeddingError, EncoderError, RerankError) as exc:
            raise CommandError(str(exc)) from None
        for line in (
            query_model.describe(report) if report else None,
            rerank_model.describe(rerank) if rerank else None,
        ):
            if line:
                self.stdout.write(line)
        if not options["no_sync"]:
            update = refresh.papers_changed(progress=True)
            if update.busy:
                self.stderr.write(self.style.WARNING(f"vector index not updated: {update.busy}"))
                return
            vectors = update.vectors
            self.stdout.write(
                f"vector index: {vectors['added']:,} added, {vectors['removed']:,} "
                f"removed, {vectors['total']:,} in all"
            )

    def _ids(self, options) -> Path:
        if not options["ids"]:
            raise CommandError("--import and --export need --ids IDS.txt (one paper id per line)")
        return options["ids"]

    def _export(self, options):
        count = embedding_job.export_vectors(options["export_path"], self._ids(options))
        self.stdout.write(
            f"exported {count:,} vectors to {options['export_path']} (ids in {options['ids']})"
        )

    def _import(self, options):
        ids = self._ids(options)
        total = sum(1 for _ in ids.open(encoding="utf-8", errors="replace")) if ids.exists() else 0
        with progress_bar("import vectors", total=total, unit="papers") as advance:
            summary = embedding_job.import_vectors(
                options["import_path"],
                ids,
                model=options["model"],
                reembed=options["reembed"],
                progress=advance,
            )
        self.stdout.write(
            f"imported {summary.embedded:,} vectors ({summary.replaced:,} replaced stored ones)"
        )
        if summary.skipped_unknown:
            examples = ", ".join(summary.unknown_examples)
            self.stderr.write(
                f"skipped {summary.skipped_unknown:,} ids not in the database (e.g. {examples})"
            )

    def _embed(self, options):
        run = embedding_job.embed_pending(
            device=options["device"],
            backend=options["backend"],
            batch_size=options["batch_size"],
            limit=options["limit"],
            reembed=options["reembed"],
            progress=True,
        )
        if not run.pending:
            self.stdout.write("every paper has an up-to-date embedding")
            return
        rate = run.embedded / max(run.seconds, 1e-9)
        self.stdout.write(
            f"embedded {run.embedded:,} papers with {run.model} ({rate:,.1f} papers/s)"
        )
