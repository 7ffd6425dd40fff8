"""Keep the derived search indexes in step with the database, whichever process changed it.

The lexical index stores, next to tantivy's files, ``state.json`` with a *watermark*: the
largest ``Paper.updated_at`` it has seen, and the ``(id, updated_at)`` pairs it indexed in the
last :data:`WATERMARK_OVERLAP` before it. :func:`sync_indexes` reads the papers changed since the
watermark less that overlap (an ingest batch stamps ``updated_at`` before it commits, so a
concurrent batch may land out of order), skips the pairs it already indexed, reindexes the rest,
drops the ones marked deleted, and reconciles ids when the counts disagree (rows removed from the
database).
Any process (an ingest run, a web node catching up) can call it; a file lock lets one write at a
time. :func:`rebuild_indexes` builds a new generation from scratch and publishes it atomically.
Both keep the corpus vocabulary (:mod:`paperfeed.search.vocabulary`) in the generation's
directory: counted while the papers are indexed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db.models import Max
from django.utils import timezone

from paperfeed.papers.models import Authorship, Paper
from paperfeed.progress import progress_bar
from paperfeed.search import paths, vocabulary
from paperfeed.search.lexical import KIND, LexicalIndex
from paperfeed.search.vector_index import rebuild_vectors, sync_vectors

STATE_FILE = "state.json"
STATE_VERSION = 1
WATERMARK_OVERLAP = dt.timedelta(seconds=10)
"""How far before the watermark changes are looked for again (longer than an ingest batch's
transaction, ~1 s for 2,000 papers)."""
CHUNK = 2000
SQL_CHUNK = 900  # ids per IN (...) query, under every backend's parameter limit
_PAPER_COLUMNS = ("arxiv_id", "title", "abstract", "categories", "listed", "published", "upvotes")


# -- documents from the database -----------------------------------------------------------
def _documents_for_rows(rows: list[dict]) -> list[dict]:
    names: dict[str, list[str]] = {}
    ids = [row["arxiv_id"] for row in rows]
    for start in range(0, len(ids), SQL_CHUNK):
        for paper_id, name in (
            Authorship.objects.filter(paper_id__in=ids[start : start + SQL_CHUNK])
            .order_by("paper_id", "position")
            .values_list("paper_id", "author__name")
        ):
            names.setdefault(paper_id, []).append(name)
    return [
        {
            "id": row["arxiv_id"],
            "title": row["title"],
            "abstract": row["abstract"],
            "authors": names.get(row["arxiv_id"], []),
            "categories": row["categories"].split(),
            "day": row["listed"] or row["published"],
            "upvotes": row["upvotes"],
        }
        for row in rows
    ]


def paper_documents(ids: Iterable[str] | None = None) -> Iterator[dict]:
    """Index documents for the visible papers (all, or those in ``ids``), in id order."""
    if ids is not None:
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), SQL_CHUNK):
            rows = list(
                Paper.objects.visible()
                .filter(arxiv_id__in=wanted[start : start + SQL_CHUNK])
                .order_by("arxiv_id")
                .values(*_PAPER_COLUMNS)
            )
            yield from _documents_for_rows(rows)
        return
    last = ""
    while True:  # keyset pagination: constant memory, no OFFSET scans
        rows = list(
            Paper.objects.visible()
            .filter(arxiv_id__gt=last)
            .order_by("arxiv_id")
            .values(*_PAPER_COLUMNS)[:CHUNK]
        )
        if not rows:
            return
        yield from _documents_for_rows(rows)
        last = rows[-1]["arxiv_id"]


# -- state next to the index ---------------------------------------------------------------
def read_state(path: Path) -> dict | None:
    """The index's ``state.json``; None when missing, unreadable or from another version."""
    try:
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        return None
    return state


def _write_state(path: Path, state: dict) -> None:
    temporary = path / f".{STATE_FILE}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps({"version": STATE_VERSION, **state}, indent=1), "utf-8")
    os.replace(temporary, path / STATE_FILE)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _window(stamps: Iterable[tuple[str, dt.datetime]], mark: dt.datetime | None) -> dict:
    """``{id: updated_at}`` of the papers within the overlap before ``mark``."""
    if mark is None:
        return {}
    return {pid: _iso(at) for pid, at in stamps if at >= mark - WATERMARK_OVERLAP}


def _watermark(state: dict) -> dt.datetime | None:
    value = state.get("watermark")
    return dt.datetime.fromisoformat(value) if value else None


# -- rebuild and sync ----------------------------------------------------------------------
def _add_with_progress(
    index: LexicalIndex,
    documents: Iterable[dict],
    description: str,
    total: int,
    progress: bool,
    *,
    replace: bool,
) -> int:
    added = 0
    with progress_bar(description, total=total, unit="papers", disable=not progress) as advance:
        batch: list[dict] = []
        for document in documents:
            batch.append(document)
            if len(batch) >= CHUNK:
                added += index.add_documents(batch, replace=replace)
                advance(len(batch))
                batch.clear()
        added += index.add_documents(batch, replace=replace)
        advance(len(batch))
    return added


def _rebuild_locked(progress: bool) -> dict:
    target = paths.new_generation_dir(KIND)
    try:
        # Read the watermark before the rows: whatever changes meanwhile is caught next sync.
        watermark = Paper.objects.aggregate(m=Max("updated_at"))["m"]
        window = {}
        if watermark is not None:
            window = _window(
                Paper.objects.filter(updated_at__gte=watermark - WATERMARK_OVERLAP).values_list(
                    "arxiv_id", "updated_at"
                ),
                watermark,
            )
        votes = _upvotes()
        total = Paper.objects.visible().count()
        index = LexicalIndex.create(target)
        words: Counter = Counter()
        documents = vocabulary.counting(paper_documents(), words)
        added = _add_with_progress(index, documents, "index papers", total, progress, replace=False)
        index.commit()
        index.close()
        vocabulary.write(target, words)
        now = timezone.now()
        _write_state(
            target,
            {
                "watermark": _iso(watermark),
                "window": window,
                "upvotes": votes,
                "papers": added,
                "generation": paths.generation_of(target),
                "built_at": _iso(now),
                "synced_at": _iso(now),
            },
        )
        paths.publish(KIND, target)
    except BaseException:
        paths.discard(target)
        raise
    return {
        "action": "rebuilt",
        "generation": paths.generation_of(target),
        "indexed": added,
        "deleted": 0,
        "papers": added,
    }


def _upvotes() -> dict[str, int]:
    """``{id: upvotes}`` of the papers with any: votes change ``upvotes`` without touching
    ``updated_at``, so the index remembers the counts it holds and compares them each sync."""
    return dict(Paper.objects.visible().filter(upvotes__gt=0).values_list("arxiv_id", "upvotes"))


def _stale_votes(state: dict, votes: dict[str, int]) -> set[str]:
    """Papers whose upvote count differs from the one the index holds."""
    known = state.get("upvotes") or {}
    return {pid for pid in votes.keys() | known.keys() if votes.get(pid, 0) != known.get(pid, 0)}


def stale_votes(state: dict) -> set[str]:
    """Papers whose upvote count in the database differs from the one the index holds."""
    return _stale_votes(state, _upvotes())


def _changed_since(state: dict):
    """Papers stamped at or after the watermark less the overlap (all papers without one)."""
    mark = _watermark(state)
    changed = Paper.objects.all()
    if mark is not None:
        changed = changed.filter(updated_at__gte=mark - WATERMARK_OVERLAP)
    return changed


def pending_changes(state: dict, *, first_only: bool = False) -> list[str]:
    """Ids of papers changed in the database since the index described by ``state`` was
    synced (the first one only with ``first_only``, for a cheap "is it behind?")."""
    rows = _changed_since(state).values_list("arxiv_id", "updated_at").iterator(chunk_size=CHUNK)
    unseen = _unseen(rows, state)
    return list(itertools.islice(unseen, 1)) if first_only else list(unseen)


def _unseen(rows: Iterable[tuple[str, dt.datetime]], state: dict) -> Iterator[str]:
    """Ids of ``(id, updated_at)`` rows the index has not indexed with that stamp."""
    seen = state.get("window") or {}
    return (pid for pid, at in rows if seen.get(pid) != _iso(at))


def _update_vocabulary(path: Path, words: Counter) -> None:
    """Add the words of the papers a sync indexed to the generation's vocabulary; count every
    visible paper's words when the generation has none yet (built before there was one)."""
    try:
        known = vocabulary.read(path)
    except FileNotFoundError:
        known = Counter()
        for _ in vocabulary.counting(paper_documents(), known):
            pass
    else:
        if not words:
            return
        known.update(words)
    vocabulary.write(path, known)


def _reconcile(index: LexicalIndex, progress: bool, words: Counter) -> tuple[int, int]:
    """Make the index's ids equal the visible papers' ids; returns (added, removed)."""
    in_index = index.all_ids()
    in_db = set(Paper.objects.visible().values_list("arxiv_id", flat=True))
    extra, missing = in_index - in_db, in_db - in_index
    index.delete(extra)
    added = _add_with_progress(
        index,
        vocabulary.counting(paper_documents(missing), words),
        "index missing papers",
        len(missing),
        progress,
        replace=True,
    )
    return added, len(extra)


def _sync_locked(path: Path, state: dict, progress: bool) -> dict:
    old_mark = _watermark(state)
    changed = _changed_since(state)
    rows = list(changed.values_list("arxiv_id", "updated_at"))
    shown = set(changed.visible().values_list("arxiv_id", flat=True))
    new_mark = max([at for _, at in rows], default=old_mark)
    if old_mark is not None and new_mark is not None:
        new_mark = max(new_mark, old_mark)
    fresh = list(_unseen(rows, state))
    votes = _upvotes()
    to_index = sorted({pid for pid in fresh if pid in shown} | _stale_votes(state, votes))
    to_delete = [pid for pid in fresh if pid not in shown]  # withdrawn or hidden
    index = LexicalIndex.open(path)
    words: Counter = Counter()
    try:
        indexed = _add_with_progress(
            index,
            vocabulary.counting(paper_documents(to_index), words),
            "index changed papers",
            len(to_index),
            progress,
            replace=True,
        )
        deleted = index.delete(to_delete)
        index.commit()
        reconciled = (0, 0)
        if index.num_docs != Paper.objects.visible().count():
            reconciled = _reconcile(index, progress, words)
            index.commit()
        papers = index.num_docs
    finally:
        index.close()
    _update_vocabulary(path, words)
    window = _window(rows, new_mark)
    _write_state(
        path,
        {
            **state,
            "watermark": _iso(new_mark),
            "window": window,
            "upvotes": votes,
            "papers": papers,
            "synced_at": _iso(timezone.now()),
        },
    )
    return {
        "action": "synced",
        "generation": paths.generation_of(path),
        "indexed": indexed + reconciled[0],
        "deleted": deleted + reconciled[1],
        "papers": papers,
    }


def sync_indexes(progress: bool = True) -> dict:
    """Bring every index up to date with the database (builds the lexical one if absent).

    Returns ``{"lexical": {action, generation, indexed, deleted, papers}, "vectors": ...}``;
    raises :class:`paperfeed.search.paths.IndexBusy` when another process is writing.
    """
    with paths.write_lock(KIND):
        lexical = sync_lexical_locked(progress)
    return {"lexical": lexical, "vectors": sync_vectors(progress=progress)}


def sync_lexical_locked(progress: bool = False) -> dict:
    """The lexical part of :func:`sync_indexes`; the caller holds the lexical write lock."""
    path = paths.current_dir(KIND)
    state = read_state(path) if path else None
    if path is None or state is None:
        return _rebuild_locked(progress)
    return _sync_locked(path, state, progress)


def rebuild_indexes(progress: bool = True) -> dict:
    """Build the lexical index from scratch into a new generation and publish it atomically."""
    with paths.write_lock(KIND):
        lexical = _rebuild_locked(progress)
    return {"lexical": lexical, "vectors": dataclasses.asdict(rebuild_vectors(progress=progress))}


def index_status() -> dict:
    """Papers in the database and in the index, watermark, generation, size on disk."""
    in_db = Paper.objects.visible().count()
    path = paths.current_dir(KIND)
    status = {
        "papers_in_db": in_db,
        "papers_in_index": None,
        "watermark": None,
        "generation": None,
        "path": None,
        "size_bytes": None,
        "built_at": None,
        "synced_at": None,
        "changed_since_sync": None,
    }
    if path is None:
        return status
    state = read_state(path) or {}
    index = LexicalIndex.open(path)
    mark = _watermark(state)
    changed = Paper.objects.filter(updated_at__gt=mark).count() if mark else in_db
    status.update(
        papers_in_index=index.num_docs,
        watermark=state.get("watermark"),
        generation=paths.generation_of(path),
        path=str(path),
        size_bytes=paths.size_on_disk(path),
        built_at=state.get("built_at"),
        synced_at=state.get("synced_at"),
        changed_since_sync=changed,
    )
    return status
