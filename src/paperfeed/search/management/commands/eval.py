"""``paperfeed eval beir DIR``: retrieval quality of each search mode on a BEIR dataset."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperfeed.progress import progress_bar
from paperfeed.search import runs
from paperfeed.search.encoders import BACKENDS, EncoderError, load_encoder
from paperfeed.search.evaluate import METRICS, MODES, BeirError, run_beir
from paperfeed.search.hybrid import DEFAULT_FUSION, FusionConfig
from paperfeed.search.known_items import KnownItemError, load_known_items, run_known_items, table


class Command(BaseCommand):
    help = (
        "Evaluate search on a BEIR dataset (corpus.jsonl, queries.jsonl, qrels/test.tsv), e.g. "
        "paperfeed eval beir ../shared/eval/scifact: indexes the corpus in a temporary "
        "directory and prints nDCG@10, MRR@10 and Recall@100 per mode. Exit status: 0 done, "
        "1 error (unreadable dataset, model not found)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "benchmark",
            choices=("beir", "known-items"),
            help="beir: a BEIR dataset folder; known-items: a JSONL of (query, target, kind), "
            "searched in the current PAPERFEED_HOME (MRR@10 and hit@10 per mode and kind).",
        )
        parser.add_argument("directory", type=Path, help="The dataset folder (or JSONL file).")
        parser.add_argument(
            "--mode",
            choices=(*MODES, "all"),
            default="all",
            help="Which search mode to evaluate (default all).",
        )
        parser.add_argument(
            "--limit-queries",
            type=int,
            default=None,
            metavar="N",
            help="Only the first N judged queries (quick checks).",
        )
        parser.add_argument(
            "--cache",
            type=Path,
            default=None,
            metavar="DIR",
            help="Keep the corpus embeddings here between runs (default: "
            "computed afresh in the temporary directory).",
        )
        parser.add_argument(
            "--model",
            default=None,
            help="Embedding model (default PAPERFEED_EMBEDDING_MODEL; "
            "hashing:DIM is the model-free test encoder).",
        )
        parser.add_argument(
            "--device",
            choices=("cpu", "cuda", "auto"),
            default="auto",
            help="Where to run the model (default auto).",
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
            "--fusion",
            choices=("convex", "rrf", "wrrf"),
            default=DEFAULT_FUSION.method,
            help=f"Hybrid fusion method (default {DEFAULT_FUSION.method}).",
        )
        parser.add_argument(
            "--weight",
            type=float,
            default=DEFAULT_FUSION.weight,
            help="Semantic weight in [0, 1] for convex/wrrf fusion "
            f"(default {DEFAULT_FUSION.weight}).",
        )
        parser.add_argument(
            "--depth",
            type=int,
            default=DEFAULT_FUSION.depth,
            help=f"Candidates per side (default {DEFAULT_FUSION.depth}).",
        )
        parser.add_argument(
            "--normalise",
            choices=("minmax", "zscore"),
            default=DEFAULT_FUSION.normalise,
            help=f"Score normalisation for convex fusion (default {DEFAULT_FUSION.normalise}).",
        )
        parser.add_argument(
            "--title-boost",
            type=float,
            default=None,
            help="BM25 title boost (default: the lexical index's own).",
        )
        parser.add_argument(
            "--no-adaptive",
            action="store_true",
            help="One semantic weight (--weight) for every query kind, and a candidate missing "
            "from one side takes that side's lowest score (the fusion before adaptive fusion).",
        )
        parser.add_argument(
            "--exclude-self",
            action="store_true",
            help="Drop each query's own document (the corpus document with the query's id) "
            "from its results: for query-by-example sets whose queries are documents.",
        )
        parser.add_argument(
            "--per-query",
            type=Path,
            default=None,
            metavar="FILE",
            help="Write one JSON line per judged query: its id and each mode's metrics.",
        )
        parser.add_argument(
            "--run-file",
            type=Path,
            default=None,
            metavar="PREFIX",
            help="Write a TREC run file per mode (PREFIX.MODE.run: qid Q0 docid rank score "
            "tag), for trec_eval, ranx or ir_measures.",
        )
        parser.add_argument("--json", action="store_true", help="Print the metrics as JSON.")

    def handle(self, *args, **options):
        if options["benchmark"] == "known-items":
            return self.known_items(options)
        if not 0.0 <= options["weight"] <= 1.0:
            raise CommandError(f"--weight must be between 0 and 1, not {options['weight']}")
        modes = MODES if options["mode"] == "all" else (options["mode"],)
        config = FusionConfig(
            method=options["fusion"],
            weight=options["weight"],
            depth=options["depth"],
            normalise=options["normalise"],
            kind_weights=None if options["no_adaptive"] else DEFAULT_FUSION.kind_weights,
            fill=not options["no_adaptive"],
        )
        boosts = {"title": options["title_boost"]} if options["title_boost"] else None
        started = time.perf_counter()
        try:
            encoder = None
            if {"semantic", "hybrid"} & set(modes):
                encoder = load_encoder(
                    options["model"], device=options["device"], backend=options["backend"]
                )
            with progress_bar("embed corpus", unit="docs") as advance:
                run = run_beir(
                    options["directory"],
                    encoder,
                    modes=modes,
                    limit_queries=options["limit_queries"],
                    cache=options["cache"],
                    fusion=config,
                    boosts=boosts,
                    progress=advance,
                    exclude_self=options["exclude_self"],
                )
        except (BeirError, EncoderError) as exc:
            raise CommandError(str(exc)) from None
        self._write_outputs(run, options)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"queries": run.queries, "documents": run.documents, "metrics": run.metrics},
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"{options['directory']}: {run.documents:,} documents, "
            f"{run.queries:,} queries, {time.perf_counter() - started:.0f} s"
        )
        self.stdout.write(f"{'mode':10s} {'nDCG@10':>8s} {'MRR@10':>8s} {'R@100':>8s}")
        for mode, metrics in run.metrics.items():
            self.stdout.write(
                f"{mode:10s} {metrics['nDCG@10']:8.4f} {metrics['MRR@10']:8.4f} "
                f"{metrics['R@100']:8.4f}"
            )
        if "hybrid" in run.metrics:
            self.stdout.write(
                f"hybrid: {config.method} fusion, semantic weight {config.weight}, "
                f"depth {config.depth}, {config.normalise}"
            )

    def known_items(self, options) -> None:
        """``paperfeed eval known-items FILE``: the app's own search, every mode, per kind."""
        modes = MODES if options["mode"] == "all" else (options["mode"],)
        try:
            items = load_known_items(options["directory"])
        except KnownItemError as exc:
            raise CommandError(str(exc)) from None
        if options["limit_queries"]:
            items = items[: options["limit_queries"]]
        started = time.perf_counter()
        run = run_known_items(items, modes=modes)
        if options["json"]:
            payload = {"queries": len(items), "metrics": run.metrics, "ranks": run.ranks}
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self.stdout.write(
            f"{options['directory']}: {len(items)} queries, {time.perf_counter() - started:.0f} s"
        )
        for line in table(run):
            self.stdout.write(line)
        for mode, ran in run.ran.items():
            if ran != {mode}:
                self.stdout.write(f"note: {mode} ran as {', '.join(sorted(ran))} (index missing?)")

    def _write_outputs(self, run, options) -> None:
        """The per-query file and the run files asked for; their paths on stderr."""
        try:
            if options["per_query"]:
                rows = runs.per_query(run.rankings, run.qrels, METRICS)
                count = runs.write_per_query(options["per_query"], rows)
                self.stderr.write(f"{options['per_query']}: {count} queries")
            if options["run_file"]:
                for path in runs.write_runs(options["run_file"], run.scored):
                    self.stderr.write(f"{path}: TREC run")
        except (OSError, runs.RunFileError) as exc:
            raise CommandError(str(exc)) from None
