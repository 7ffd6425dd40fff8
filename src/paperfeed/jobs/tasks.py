"""The background jobs as tasks of Django's tasks framework (the django-tasks backport of
``django.tasks``): each is a thin wrapper over one library call and returns a JSON summary.

They are enqueued by the scheduler (:mod:`paperfeed.jobs.scheduler`, from the table in
:mod:`paperfeed.jobs.schedule`) or by code (``fetch_submitted_paper.enqueue("2501.01234")``), run
by whichever ``paperfeed worker`` claims them (:mod:`paperfeed.jobs.queue`), or called in this
process by ``paperfeed worker --once`` (``task.call(...)``). A task that fails raises; the backend
records the run as failed, with the traceback. Every task that stores papers or embeddings ends
with :func:`paperfeed.search.refresh.papers_changed`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from paperfeed.community import feed_entry
from paperfeed.digests import alerts_send, send
from paperfeed.ingest import harvest
from paperfeed.search import embedding_job, query_model, refresh, rerank_model
from paperfeed.search.cross_encoder import RerankError
from paperfeed.search.paths import IndexBusy
from paperfeed.signals import fetching
from paperfeed.signals.http import RateLimited

log = logging.getLogger(__name__)
INDEX_BUSY_WAIT = 60.0
"""Seconds a job waits while another process of the node writes an index (a web process
catching up after votes, a ``paperfeed index`` timer) before giving up on updating it."""
KEEP_RESULTS_DAYS = 7.0
"""How long the database keeps the record of a finished task run."""


def _stored(summary: harvest.HarvestSummary) -> bool:
    return summary.new + summary.updated + summary.deleted > 0


@task()
def fetch_new_papers(sets: list[str]) -> dict:
    """Harvest each arXiv OAI-PMH set since its last harvest (resuming an interrupted one),
    then update the indexes. The first set that fails raises :class:`harvest.HarvestError`
    (its checkpoint is kept: the next run resumes)."""
    fetched = {}
    stored = False
    for spec in sets:
        summary = harvest.harvest_set(spec)
        fetched[spec] = summary.as_dict()
        stored = stored or _stored(summary)
    update = refresh.papers_changed(wait=INDEX_BUSY_WAIT, stored=stored)
    return {"sets": fetched, "indexes": update.as_dict()}


@task()
def fetch_submitted_paper(arxiv_id: str) -> dict:
    """Fetch a submitted paper that is not stored yet from the arXiv query API and settle its
    queued submission (:func:`paperfeed.community.feed_entry.fetch_queued`: in the feed, or
    failed with the reason the submitter reads), then update the indexes. ``found`` is false
    when arXiv has no such paper; a malformed id raises ``InvalidArxivId``, arXiv unreachable
    after the client's retries :class:`harvest.HarvestError` (the submission failed first)."""
    fetched = feed_entry.fetch_queued(arxiv_id)
    summary = fetched.summary or harvest.HarvestSummary()
    update = refresh.papers_changed(wait=INDEX_BUSY_WAIT, stored=_stored(summary))
    return {
        "arxiv_id": arxiv_id,
        "found": not summary.missing_ids,
        "submission": fetched.state,
        "error": fetched.error,
        **summary.as_dict(),
        "indexes": update.as_dict(),
    }


@task()
def fetch_papers(arxiv_ids: list[str]) -> dict:
    """Fetch papers by arXiv id from the query API (in batches of :data:`harvest.ID_BATCH`)
    and store them, then update the indexes: what an import queues for the ids it did not
    find (:func:`paperfeed.library.imports.resolve`). ``missing_ids`` are those arXiv has no
    paper for; a malformed id raises ``InvalidArxivId`` before any request, arXiv unreachable
    after the client's retries :class:`harvest.HarvestError` (what was stored is kept)."""
    summary = harvest.fetch_ids(arxiv_ids)
    update = refresh.papers_changed(wait=INDEX_BUSY_WAIT, stored=_stored(summary))
    return {"asked": len(arxiv_ids), **summary.as_dict(), "indexes": update.as_dict()}


@task()
def import_into_collection(collection_id: int, user_id: int, entries: list[list[str]]) -> dict:
    """The rest of an import (:mod:`paperfeed.library.transfer`): fetch the ``[arxiv_id, note]``
    entries paperfeed lacked from the arXiv query API, add those arXiv has to the collection
    (at the end, in order, with their notes; through :func:`collections.add_many`, which checks
    again that the user may still change it), then update the indexes. ``missing_ids`` are the
    ids arXiv has no paper for; ``error`` says why nothing was added (the collection deleted,
    the user no longer an editor, the limit reached); arXiv unreachable raises
    :class:`harvest.HarvestError` (what was stored is kept)."""
    from django.contrib.auth import get_user_model

    from paperfeed.library import collections

    ids = [arxiv_id for arxiv_id, _ in entries]
    summary = harvest.fetch_ids(ids)
    update = refresh.papers_changed(wait=INDEX_BUSY_WAIT, stored=_stored(summary))
    user = get_user_model().objects.filter(pk=user_id).first()
    missing = set(summary.missing_ids)
    found = [(arxiv_id, note) for arxiv_id, note in entries if arxiv_id not in missing]
    result = {"collection": collection_id, "asked": len(ids), "added": [], "error": ""}
    try:
        done = collections.add_many(user, collection_id, found)
        result["added"] = done.added
    except collections.CollectionError as exc:
        result["error"] = str(exc)
    return {**result, **summary.as_dict(), "indexes": update.as_dict()}


@task()
def fetch_signals(source: str, limit: int | None = None) -> dict:
    """Fetch one signal source (:data:`paperfeed.signals.fetching.SOURCES`), at most ``limit``
    items (a worker runs one task at a time: a bounded run never holds the digests back for
    hours), and update the indexes when it added papers. A source paused by a rate limit, or
    switched off (its URL setting empty), is skipped with the reason, and a run that meets a
    rate limit ends with it (both expected: the source's state says when it resumes); any
    other failure raises ``SourceFailed`` (what was stored is kept, and the source's state
    records the error for ``paperfeed doctor``)."""
    try:
        report = fetching.run(source, fetching.Options(limit=limit))
    except (fetching.Paused, fetching.Disabled) as exc:
        return {"source": source, "skipped": exc.problem}
    except RateLimited as exc:
        return {"source": source, "rate_limited": str(exc), "until": exc.until.isoformat()}
    stored = bool(report.counts.get("papers_added"))
    update = refresh.papers_changed(wait=INDEX_BUSY_WAIT, stored=stored) if stored else None
    return {**report.as_dict(), "indexes": update.as_dict() if update else None}


@task()
def embed_new_papers() -> dict:
    """Embed the papers without an up-to-date vector (configured model, GPU when visible), then
    update the indexes."""
    run = embedding_job.embed_pending()
    update = refresh.papers_changed(wait=INDEX_BUSY_WAIT)
    query_model.ensure_for_vectors(run.model)  # the web's query encoder (search/query_model.py)
    try:  # the web's re-ranker (search/rerank_model.py): a bad one only leaves re-ranking off
        rerank_model.ensure()
    except RerankError as exc:
        log.warning("re-ranking model not exported: %s", exc)
    return {"model": run.model, "embedded": run.embedded, "indexes": update.as_dict()}


@task()
def update_indexes(wait: float = INDEX_BUSY_WAIT) -> dict:
    """Bring the search indexes up to date with the database; raises :class:`IndexBusy` when
    another process still writes an index after ``wait`` seconds."""
    update = refresh.papers_changed(wait=wait)
    if update.busy:
        raise IndexBusy(update.busy)
    return update.as_dict()


@task()
def send_due_digests() -> dict:
    """Send the digests due now at each subscriber's local hour (exactly once: the send ledger,
    :mod:`paperfeed.digests.send`). Returns the counts of :class:`send.Outcome`."""
    return dataclasses.asdict(send.send_due(timezone.now()))


@task()
def send_due_alerts() -> dict:
    """Send the due mail alerts of follows (instant ones every ten minutes, daily and weekly at
    each user's hour; exactly once: the alert ledger, :mod:`paperfeed.digests.alerts_send`).
    Returns the counts of :class:`send.Outcome`."""
    return dataclasses.asdict(alerts_send.send_due(timezone.now()))


@task()
def prune_task_results(days: float = KEEP_RESULTS_DAYS) -> dict:
    """Delete the database's records of task runs that finished more than ``days`` ago (the RQ
    backend expires its own)."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"deleted": deleted}
