"""Moving a collection in and out: a collection or a reader's whole library exported with
:mod:`paperfeed.library.exports`, and a reference list imported into a collection with
:mod:`paperfeed.library.imports` (read, matched) and :func:`collections.add_many` (written).

An import adds the matched papers at the end of the collection in input order, each with its
note (a paper already there keeps its place; its note is replaced by a non-empty imported note,
never by an empty one). arXiv ids paperfeed lacks go to the worker as one
``import_into_collection`` task after the commit: it fetches them and adds those arXiv has,
with their notes, at the end (re-checking the importer's rights then).

The whole library: every collection the reader owns or edits ("Read later" first, then by
name), each paper once where it first appears; a paper's notes from every collection are
joined, each under a ``### <collection name>`` heading, so no note is lost and each says where
it came from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction

from paperfeed.jobs import tasks
from paperfeed.library import collections, exports, imports
from paperfeed.library.models import Collection, CollectionItem

log = logging.getLogger("paperfeed.library")


# -- export ---------------------------------------------------------------------------------


def collection_entries(user, collection_id: int) -> tuple[Collection, list[exports.Entry]]:
    """The collection ``user`` may see (NotFound otherwise) and its papers in order, each with
    its note."""
    collection, _ = collections.get_visible(user, collection_id)
    rows = collections.items_of(collection)
    notes = {row.paper_id: row.note for row in rows}
    return collection, exports.load_entries([row.paper_id for row in rows], notes)


def library_entries(user) -> list[exports.Entry]:
    """Every paper of ``user``'s collections once (see the module docstring for the notes)."""
    mine = collections.collections_of(user)
    order = {c.pk: n for n, c in enumerate(mine)}
    names = {c.pk: c.name for c in mine}
    rows = CollectionItem.objects.filter(collection_id__in=list(order)).values_list(
        "collection_id", "paper_id", "note", "position", "pk"
    )
    rows = sorted(rows, key=lambda r: (order[r[0]], r[3], r[4]))
    notes: dict[str, list[str]] = {}
    for collection_id, paper_id, note, _, _ in rows:
        said = notes.setdefault(paper_id, [])
        if note.strip():
            said.append(f"### {names[collection_id]}\n\n{note.strip()}")
    return exports.load_entries(list(notes), {p: "\n\n".join(n) for p, n in notes.items()})


# -- import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did to ``collection``: papers ``added``, already there (``kept``, or
    ``noted`` when their note was replaced), ``queued`` for fetching from arXiv, and the
    ``unmatched`` entries with why."""

    collection: Collection
    report: imports.Report
    added: list[str] = field(default_factory=list)
    noted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def queued(self) -> list[str]:
        return [paper_id for _, paper_id in self.report.queued]

    def summary(self) -> str:
        """ "12 added, 3 being fetched from arXiv, 2 not found"."""
        parts = [f"{len(self.added)} added"]
        if self.noted:
            parts.append(f"{len(self.noted)} already there, note updated")
        if self.kept:
            parts.append(f"{len(self.kept)} already there")
        parts.append(f"{len(self.queued)} being fetched from arXiv")
        parts.append(f"{len(self.report.unmatched)} not found")
        return ", ".join(parts)

    def as_dict(self) -> dict:
        return {
            "collection": self.collection.pk,
            "summary": self.summary(),
            "added": self.added,
            "noted": self.noted,
            "kept": self.kept,
            **self.report.as_dict(),
        }


def import_into(user, collection_id: int, data: bytes | str, filename: str = "") -> ImportResult:
    """Read ``data`` (a file's bytes or pasted text) and add its papers to the collection
    ``user`` may change. Raises ``ImportFileError`` for unreadable input and
    :class:`collections.CollectionError` (nothing added) for rights or limits."""
    candidates = imports.parse(data, filename)
    with transaction.atomic():
        return _import(user, collection_id, candidates)


def import_new(
    user, name: str, data: bytes | str, filename: str = "", *, visibility: str = "private"
) -> ImportResult:
    """A new collection of ``user``'s called ``name``, filled from ``data``: nothing is made
    when the input cannot be read or the collection cannot be."""
    candidates = imports.parse(data, filename)
    with transaction.atomic():
        made = collections.create(user, name, visibility=visibility)
        return _import(user, made.pk, candidates)


def _import(user, collection_id: int, candidates) -> ImportResult:
    report = imports.resolve(candidates, queue_unknown=False)
    queued = [(c.arxiv_id, c.note) for c, _ in report.queued]
    matched = [(paper_id, c.note) for c, paper_id in report.matched]
    done = collections.add_many(user, collection_id, matched, reserve=[i for i, _ in queued])
    if queued:
        transaction.on_commit(lambda: _enqueue(collection_id, user.pk, queued))
    return ImportResult(done.collection, report, done.added, done.noted, done.kept)


def _enqueue(collection_id: int, user_id: int, entries: list[tuple[str, str]]) -> None:
    try:
        tasks.import_into_collection.enqueue(collection_id, user_id, [list(e) for e in entries])
    except Exception:
        log.exception("queueing the fetch of %d imported papers failed", len(entries))
