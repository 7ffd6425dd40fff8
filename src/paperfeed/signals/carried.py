"""Store the signals that paper records carry from their source (an HF daily-papers entry's
upvotes, list day, AI summary, organisation, ``githubRepo`` and its stars): called by
:func:`paperfeed.signals.ingested.records_stored` inside the batch transaction that stored the
papers, so ``paperfeed ingest`` of an HF file and ``paperfeed fetch hf`` record the same
signals, and a killed import loses or doubles nothing.

Writes go through :mod:`paperfeed.signals.store` (idempotent): storing the same records twice
changes nothing the second time. ``hf_fetched_at`` says when the stored HF values were fetched:
it is written with values that are new or changed (or where it was never set), so a fetch that
finds everything as before leaves the table exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from paperfeed.ingest.records import CarriedSignals, PaperRecord
from paperfeed.signals import store
from paperfeed.signals.models import PaperSignals

log = logging.getLogger(__name__)
FETCHED_AT = {"hf": "hf_fetched_at"}
"""The column saying when each carrying source was asked."""


def _latest_per_paper(records: Sequence[PaperRecord]) -> dict[str, CarriedSignals]:
    """Each paper's signals; a paper twice in a batch (HF's pages shifted while we paged) keeps
    the later entry's, as the paper itself does."""
    carried: dict[str, CarriedSignals] = {}
    for rec in records:
        if rec.signals is None:
            continue
        carried[rec.arxiv_id] = rec.signals
        if rec.signals.counts is None:
            for problem in rec.signals.ignored:  # a fetch reports these itself
                log.warning("%s: %s: %s", rec.location, rec.arxiv_id, problem)
    return carried


def _stamped(source: str, values: dict[str, dict], carried: dict[str, CarriedSignals]) -> None:
    """Add the fetch time to the values that change a stored row (or create one)."""
    column = FETCHED_AT.get(source)
    if column is None:
        return
    rows = PaperSignals.objects.in_bulk(list(values))
    for paper_id, fields in values.items():
        at = carried[paper_id].fetched_at
        if at is None:
            continue
        row = rows.get(paper_id)
        if (
            row is None
            or getattr(row, column) is None
            or any(getattr(row, k) != v for k, v in fields.items())
        ):
            fields[column] = at


def store_carried(records: Sequence[PaperRecord]) -> dict[str, int]:
    """Store the signals ``records`` carry (papers already stored); returns counts, also added
    to each distinct ``signals.counts`` of the records."""
    carried = _latest_per_paper(records)
    totals: dict[str, int] = {}
    by_source: dict[str, dict[str, CarriedSignals]] = {}
    for paper_id, signals in carried.items():
        by_source.setdefault(signals.source, {})[paper_id] = signals
    for source, papers in by_source.items():
        values = {pid: dict(s.fields) for pid, s in papers.items() if s.fields}
        _stamped(source, values, papers)
        saved = store.save_signals(values)
        links = store.link_repositories(
            {pid: s.repositories for pid, s in papers.items() if s.repositories}, source
        )
        stars_by_day: dict[dt.date, dict[tuple[str, str], int]] = {}
        for signals in papers.values():
            if signals.stars and signals.stars_day is not None:
                stars_by_day.setdefault(signals.stars_day, {}).update(signals.stars)
        snapshots = sum(
            store.reported_stars(stars, day, source) for day, stars in sorted(stars_by_day.items())
        )
        counts = {
            "signals_new": saved["new"],
            "signals_changed": saved["changed"],
            "signals_unchanged": saved["unchanged"],
            "repositories_linked": links["new_links"],
            "star_snapshots_changed": snapshots,
        }
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        for tally in {
            id(s.counts): s.counts for s in papers.values() if s.counts is not None
        }.values():
            for key, value in counts.items():
                tally[key] = tally.get(key, 0) + value
    return totals
