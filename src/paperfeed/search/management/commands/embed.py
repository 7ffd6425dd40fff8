"""``paperfeed embed``: compute, import or export paper embeddings, then sync the vector index."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperfeed.progress import progress_bar
from paperfeed.search import embedding_job
from paperfeed.search.encoders import BACKENDS, EncoderError, load_encoder


class Command(BaseCommand):
    help = (
        "Compute the embeddings of papers that have none (or whose title/abstract changed) with "
        "PAPERFEED_EMBEDDING_MODEL, or move vectors between machines with --import/--export; "
        "then bring the vector index up to date. Vectors of another model are never mixed in: "
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
            "--no-sync", action="store_true", help="Do not update the vector index afterwards."
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
        except (embedding_job.EmbeddingError, EncoderError) as exc:
            raise CommandError(str(exc)) from None
        if not options["no_sync"]:
            from paperfeed.search.vector_index import sync_vectors

            result = sync_vectors(progress=True)
            self.stdout.write(
                f"vector index: {result['added']:,} added, {result['removed']:,} "
                f"removed, {result['total']:,} in all"
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
        model = embedding_job.current_model()
        embedding_job.check_model(model, reembed=options["reembed"])
        todo = embedding_job.pending(model, reembed=options["reembed"], limit=options["limit"])
        if not todo:
            self.stdout.write("every paper has an up-to-date embedding")
            return
        encoder = load_encoder(model, device=options["device"], backend=options["backend"])
        device = getattr(encoder, "device", "cpu")
        backend = getattr(encoder, "backend", "no model")
        batch_size = options["batch_size"] or (256 if device == "cuda" else 32)
        started = time.perf_counter()
        with progress_bar(
            f"embed ({device}, {backend})", total=len(todo), unit="papers"
        ) as advance:
            summary = embedding_job.embed_missing(
                encoder,
                batch_size=batch_size,
                reembed=options["reembed"],
                progress=advance,
                todo=todo,
            )
        rate = summary.embedded / max(time.perf_counter() - started, 1e-9)
        self.stdout.write(
            f"embedded {summary.embedded:,} papers with {model} ({rate:,.1f} papers/s)"
        )
