"""Ingesting whole files: open, detect, parse, upsert, with progress and a per-file outcome."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from paperfeed.ingest.readers import detect_format, open_input, parser_for
from paperfeed.ingest.records import Rejected, SourceError
from paperfeed.ingest.upsert import Summary, ingest


@dataclass
class FileResult:
    path: str
    format: str = ""
    summary: Summary = field(default_factory=Summary)
    error: str = ""


def ingest_file(
    path: str,
    fmt: str = "auto",
    *,
    batch_size: int = 2000,
    on_progress: Callable[[int], None] | None = None,
    on_reject: Callable[[Rejected], None] | None = None,
) -> FileResult:
    """Ingest one file; a file that breaks half-way keeps its earlier batches, reports the error."""
    result = FileResult(path)

    def progress(batch: Summary) -> None:
        if on_progress:
            on_progress(batch.new + batch.updated + batch.unchanged + batch.deleted)

    def rejected(item: Rejected) -> None:
        if on_progress:
            on_progress(1)
        if on_reject:
            on_reject(item)

    try:
        with open_input(path) as stream:
            result.format = detect_format(stream, path) if fmt == "auto" else fmt
            parse = parser_for(result.format)
            ingest(
                parse(stream, path),
                batch_size=batch_size,
                on_batch=progress,
                on_reject=rejected,
                into=result.summary,
            )
    except SourceError as exc:
        result.error = str(exc)
    return result
