"""Papers changed → update the indexes: the one call every writer of papers or embeddings makes.

``paperfeed ingest``, ``fetch``, ``embed`` and ``index`` and the background jobs
(:mod:`paperfeed.jobs.tasks`) call :func:`papers_changed` after they stored something; it brings
the lexical and vector indexes up to date incrementally (:func:`paperfeed.search.sync.sync_indexes`),
waiting up to ``wait`` seconds while another process of the node writes an index, and refreshes
the planner's statistics (:func:`paperfeed.papers.maintenance.update_statistics`) when the caller
stored papers or an index changed — never on a round where nothing changed (that would be a
``VACUUM`` of the papers table every worker round on PostgreSQL).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from paperfeed.ops import pagecache
from paperfeed.papers.maintenance import update_statistics
from paperfeed.search import sync
from paperfeed.search.paths import IndexBusy

BUSY_POLL_SECONDS = 0.2
"""How often a waiting caller tries the index write lock again."""


@dataclass
class IndexUpdate:
    """What :func:`papers_changed` did.

    ``lexical``/``vectors``: the syncs' reports (``None`` when not run); ``busy``: why the indexes
    were left as they were ("" when they were brought up to date or not asked for);
    ``statistics``: :func:`update_statistics`'s report when it ran."""

    lexical: dict | None = None
    vectors: dict | None = None
    busy: str = ""
    statistics: dict | None = None

    @property
    def changed(self) -> bool:
        """Whether either index added, removed or rebuilt anything."""
        lexical, vectors = self.lexical or {}, self.vectors or {}
        return (
            lexical.get("action") == "rebuilt"
            or bool(lexical.get("indexed") or lexical.get("deleted"))
            or bool(vectors.get("rebuilt") or vectors.get("added") or vectors.get("removed"))
        )

    def indexes(self) -> dict:
        """``{"lexical", "vectors"}`` as :func:`sync.sync_indexes` returns them, or
        ``{"error": why}`` when the indexes were busy."""
        if self.busy:
            return {"error": self.busy}
        return {"lexical": self.lexical, "vectors": self.vectors}

    def as_dict(self) -> dict:
        return {**self.indexes(), "statistics": self.statistics}


def papers_changed(
    *,
    wait: float = 0.0,
    progress: bool = False,
    index: bool = True,
    stored: bool = False,
    rebuild: bool = False,
) -> IndexUpdate:
    """Bring the search indexes and the planner's statistics up to date after a change.

    ``index=False``: leave the indexes for later (``ingest --no-index``). ``stored``: the caller
    changed rows of the paper store, so the statistics are refreshed whatever the indexes did
    (otherwise only when an index changed). ``rebuild``: build new generations of both indexes from scratch instead
    of syncing. While another process holds an index's write lock the sync is retried for up to
    ``wait`` seconds; still busy after that, :attr:`IndexUpdate.busy` says so (nothing raised).
    """
    result = IndexUpdate()
    if index:
        try:
            found = _with_wait(
                sync.rebuild_indexes if rebuild else sync.sync_indexes, wait, progress
            )
            result.lexical, result.vectors = found["lexical"], found["vectors"]
        except IndexBusy as exc:
            result.busy = str(exc)
    if stored or result.changed:
        result.statistics = update_statistics()
    if result.changed:  # similar papers, search feeds
        pagecache.changed("search indexes updated")
    return result


def _with_wait(run, wait: float, progress: bool) -> dict:
    deadline = time.monotonic() + max(0.0, wait)
    while True:
        try:
            return run(progress=progress)
        except IndexBusy:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            time.sleep(min(BUSY_POLL_SECONDS, left))
