"""Prometheus metrics of this process, served at ``/metrics`` in the text exposition format.

Everything lives in :data:`REGISTRY`, a registry of our own (not prometheus_client's global
default), so tests and other libraries never see or disturb these series:

- ``paperfeed_request_duration_seconds{route,method,status}``: histogram of every request
  (observed by :class:`paperfeed.ops.middleware.RequestLogMiddleware`); ``route`` is the URL
  pattern's view name, ``status`` the class (``2xx`` ... ``5xx``).
- ``paperfeed_search_duration_seconds{mode}``: histogram of :func:`paperfeed.search.hybrid.search`
  by the mode that really ran (``lexical``, ``semantic``, ``hybrid``).
- ``papers_ingested_total{outcome}``: papers written by ingest (``new``, ``updated``, ``deleted``).
- ``digests_sent_total`` / ``digests_failed_total``: digest emails accepted / given up.
- ``papers_total`` and ``embeddings_pending`` (visible papers without a vector of the configured
  model): gauges computed on each scrape with one ``COUNT`` query each.

Several processes: ``paperfeed serve``, ``worker``, ``ingest``, ``fetch`` and ``digest`` run in
Prometheus's multiprocess mode (:mod:`paperfeed.ops.multiproc`, on unless
``PAPERFEED_METRICS_MULTIPROCESS=0``): each process writes its counters and histograms to files
in ``$PAPERFEED_HOME/run/metrics`` and a scrape of any web process answers with the node's sum.
Without it, counters and histograms are kept in memory per process.

Recording helpers (:func:`count_ingested`, :func:`count_digests`, :func:`observe_search`) never
raise: a metrics failure must not break an ingest, a digest run or a search.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections.abc import Callable, Iterator

from django.db import DatabaseError
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from paperfeed.ops import multiproc
from paperfeed.papers.models import Paper
from paperfeed.search.embedding_job import current_model

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "paperfeed_request_duration_seconds",
    "Time to answer an HTTP request, by route name, method and status class.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
SEARCH_LATENCY = Histogram(
    "paperfeed_search_duration_seconds",
    "Time of one search (paperfeed.search.hybrid.search), by the mode that ran.",
    ["mode"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
PAPERS_INGESTED = Counter(
    "papers_ingested",
    "Papers written by ingest in this process, by outcome (new, updated, deleted).",
    ["outcome"],
    registry=REGISTRY,
)
DIGESTS_SENT = Counter(
    "digests_sent", "Digest emails accepted by the mail server.", registry=REGISTRY
)
DIGESTS_FAILED = Counter(
    "digests_failed", "Digest emails given up after permanent errors or retries.", registry=REGISTRY
)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def status_class(status: int) -> str:
    """``404`` -> ``"4xx"``: the label keeps the series count small."""
    return f"{status // 100}xx"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    _guarded(REQUEST_LATENCY.labels(route, method, status_class(status)).observe, seconds)


def count_ingested(summary) -> None:
    """Count one ingest batch (a :class:`paperfeed.ingest.upsert.Summary`)."""

    def count() -> None:
        for outcome in ("new", "updated", "deleted"):
            value = getattr(summary, outcome)
            if value:
                PAPERS_INGESTED.labels(outcome).inc(value)

    _guarded(count)


def count_digests(outcome) -> None:
    """Count one digest run (a :class:`paperfeed.digests.send.Outcome`)."""

    def count() -> None:
        DIGESTS_SENT.inc(outcome.sent)
        DIGESTS_FAILED.inc(outcome.failed)

    _guarded(count)


def observe_search(func: Callable) -> Callable:
    """Decorator timing a search function whose result has a ``mode`` attribute."""

    @functools.wraps(func)
    def timed(*args, **kwargs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        elapsed = time.perf_counter() - start
        _guarded(lambda: SEARCH_LATENCY.labels(str(result.mode)).observe(elapsed))
        return result

    return timed


def _guarded(action: Callable, *args) -> None:
    try:
        action(*args)
    except Exception:  # noqa: BLE001 - metrics must never break the caller
        log.exception("recording a metric failed")


class StoreCollector(Collector):
    """``papers_total`` and ``embeddings_pending``, counted in the database on each scrape."""

    def collect(self) -> Iterator[Metric]:
        try:
            visible = Paper.objects.visible()
            total = visible.count()
            pending = visible.exclude(embedding__model=current_model()).count()
        except DatabaseError:
            log.warning("metrics: the database did not answer; store gauges left out")
            return
        yield GaugeMetricFamily("papers_total", "Visible (not deleted) papers.", value=total)
        yield GaugeMetricFamily(
            "embeddings_pending",
            "Visible papers without an embedding of the configured model.",
            value=pending,
        )

    def describe(self) -> Iterator[Metric]:
        return iter(())  # computed on scrape only; describing must not query the database


REGISTRY.register(StoreCollector())


def render() -> bytes:
    """The text exposition of :data:`REGISTRY`, or, in multiprocess mode
    (:mod:`paperfeed.ops.multiproc`), of every process of this node summed."""
    if os.environ.get(multiproc.ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(StoreCollector())
        return generate_latest(registry)
    return generate_latest(REGISTRY)
