"""Web processes keep their node's search indexes in step with the database by themselves.

Each node holds its own copy of the indexes (``$PAPERFEED_HOME/index``). When another node's
worker ingests, votes are cast, or papers are hidden, this node's copy falls behind. After a
request has been answered, :class:`IndexCatchUpMiddleware` calls :func:`maybe_start`; at most
every ``PAPERFEED_INDEX_CATCHUP_SECONDS`` (per process) that starts one background thread which

1. asks the database cheaply whether anything changed since the published index was synced
   (:func:`lexical_behind`, :func:`vectors_behind`: a few small queries, no index is opened), and
2. only then runs the same incremental sync as ``paperfeed index`` (:mod:`paperfeed.search.sync`)
   under the node's index write lock. When another process of the node holds the lock (a sibling
   web process, the worker, ``paperfeed index``) this round is skipped: that process catches up.

Readers of every process on the node pick the new index up on their next search (reader reload
and generation pointer, see :func:`paperfeed.search.lexical.current_index`). A node with no
published index is left alone: building one is ``paperfeed index --rebuild``'s job, and
``/readyz`` reports the node unready until then. Idle processes do not poll: no request, no
check. So a node lags the database by at most the interval plus one sync while it serves traffic.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Count, Max

from paperfeed.papers.models import Paper
from paperfeed.search import paths, vector_index
from paperfeed.search import sync as lexical_sync
from paperfeed.search.embedding_job import current_model
from paperfeed.search.lexical import KIND as LEXICAL
from paperfeed.search.models import Embedding

log = logging.getLogger(__name__)

_lock = threading.Lock()
_last_start = float("-inf")
_thread: threading.Thread | None = None


# -- is this node behind? -----------------------------------------------------------------
def lexical_behind() -> bool:
    """True when the database holds changes the published lexical index has not seen: papers
    updated after its watermark (or inside the overlap window with another stamp), different
    upvote counts, or a different number of visible papers. False when there is no index."""
    path = paths.current_dir(LEXICAL)
    state = lexical_sync.read_state(path) if path else None
    if state is None:
        return False
    if lexical_sync.pending_changes(state, first_only=True):
        return True
    if lexical_sync.stale_votes(state):
        return True
    return state.get("papers") != Paper.objects.visible().count()


def vectors_behind() -> bool:
    """True when the stored vectors of the configured model differ from the published vector
    index (count or highest key). False when there is no vector index on this node."""
    directory = paths.current_dir(vector_index.KIND)
    state = vector_index.read_state(directory) if directory else None
    if state is None:
        return False
    model = current_model()
    if state.get("model") != model:
        return True
    live = Embedding.objects.filter(model=model, paper__deleted=False).aggregate(
        count=Count("id"), last=Max("id")
    )
    if live["count"] != state.get("count"):
        return True
    return "max_key" in state and (live["last"] or 0) != state["max_key"]


# -- one round ------------------------------------------------------------------------------
def catch_up() -> dict:
    """Check, and sync what is behind. Returns ``{"lexical": ..., "vectors": ...}`` with each
    part ``"current"``, ``"busy"`` (another process is writing), or the sync's result."""
    result: dict = {"lexical": "current", "vectors": "current"}
    if lexical_behind():
        try:
            with paths.write_lock(LEXICAL):
                result["lexical"] = lexical_sync.sync_lexical_locked()
        except paths.IndexBusy:
            result["lexical"] = "busy"
    if vectors_behind():
        try:
            result["vectors"] = vector_index.sync_vectors(progress=False)
        except paths.IndexBusy:
            result["vectors"] = "busy"
    return result


def _run() -> None:
    try:
        result = catch_up()
        if result != {"lexical": "current", "vectors": "current"}:
            log.info("index catch-up: %s", result)
    except DatabaseError as exc:
        log.warning("index catch-up skipped, the database did not answer: %s", exc)
    except Exception:  # noqa: BLE001 - a failed catch-up must never take the web process down
        log.exception("index catch-up failed")
    finally:
        connections.close_all()  # this thread's connections only


def maybe_start(now: Callable[[], float] = time.monotonic) -> threading.Thread | None:
    """Start a background catch-up when the interval has passed and none is running; returns
    the thread started, or None."""
    global _last_start, _thread
    interval = float(getattr(settings, "PAPERFEED_INDEX_CATCHUP_SECONDS", 0) or 0)
    if interval <= 0:
        return None
    with _lock:
        moment = now()
        if (_thread is not None and _thread.is_alive()) or moment - _last_start < interval:
            return None
        _last_start = moment
        _thread = threading.Thread(target=_run, name="paperfeed-index-catchup", daemon=True)
        _thread.start()
        return _thread


def reset() -> None:
    """Forget the last start (tests; a process after fork)."""
    global _last_start, _thread
    with _lock:
        _last_start, _thread = float("-inf"), None


class IndexCatchUpMiddleware:
    """After each response, give :func:`maybe_start` a chance (it returns at once)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            maybe_start()
        except Exception:  # noqa: BLE001 - never break the response for this
            log.exception("could not start the index catch-up")
        return response
