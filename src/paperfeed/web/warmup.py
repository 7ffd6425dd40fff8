"""A web worker ready before its first request: the first search as fast as the hundredth.

``paperfeed serve`` runs gunicorn with ``--preload`` on :mod:`paperfeed.web.serve_app`, so
:func:`preload` runs once in gunicorn's master before it forks the workers: the ONNX query
encoder (:mod:`paperfeed.search.query_encoder`; ~90 MB of weights, then shared copy-on-write by
every worker) and, when ``PAPERFEED_RERANK_MODEL`` is set, the re-ranker's ONNX export
(:mod:`paperfeed.search.cross_encoder`), every template compiled into Django's cached loader and the URL resolver
populated.  Nothing there opens the database or an index (a tantivy reader's threads and a
database connection must not cross a fork).  Each worker then calls :func:`warm_worker` before it
accepts a connection (``BufferingThreadWorker.load_wsgi``): one hybrid search opens the lexical
and vector indexes (memory-mapped) and runs the query encoder once in this process.

Neither ever raises: a server without indexes or without a query model still starts, and its
searches say why (docs/search.md, "Query encoder").
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

WARM_QUERY = "warm up: attention for graph neural networks"
"""The search each worker runs once at start (never recorded in the search metrics)."""
_preloaded = False  # True in the master after preload(), and so in every worker it forks


def _timed(steps: dict[str, float], name: str, action) -> None:
    start = time.perf_counter()
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - warming never stops a server from starting
        log.warning("warm-up step %s failed: %s", name, exc)
    steps[name] = time.perf_counter() - start


def template_names() -> list[str]:
    """Every template of the configured template directories and installed apps."""
    from django.template import engines

    names: set[str] = set()
    for engine in engines.all():
        for directory in engine.template_dirs:
            root = Path(directory)
            names.update(
                str(path.relative_to(root)) for path in root.rglob("*.html") if path.is_file()
            )
    return sorted(names)


def compile_templates() -> int:
    """Load every template once into Django's cached loader; how many compiled."""
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    count = 0
    for name in template_names():
        try:
            get_template(name)
            count += 1
        except (TemplateDoesNotExist, TemplateSyntaxError, UnicodeDecodeError):
            continue  # a fragment that is not a template of its own
    return count


def load_query_model() -> None:
    from paperfeed.search.embedding_job import current_model
    from paperfeed.search.query_encoder import load_query_encoder

    load_query_encoder(current_model())


def load_rerank_model() -> None:
    """The re-ranker's ONNX session, when one is configured; a missing export only logs (the
    searches then keep the fused order and say so in the log)."""
    from paperfeed.search import cross_encoder

    if path := cross_encoder.configured():
        try:
            cross_encoder.load(path)
        except cross_encoder.RerankError as exc:
            log.warning("re-ranking off: %s", exc)


def preload() -> dict[str, float]:
    """Before the fork (module doc): the query encoder, templates, URLs. Seconds per step."""
    from django.urls import get_resolver

    steps: dict[str, float] = {}
    _timed(steps, "query model", load_query_model)
    _timed(steps, "re-ranking model", load_rerank_model)
    _timed(steps, "templates", compile_templates)
    _timed(steps, "urls", lambda: get_resolver().url_patterns)
    log.info("preloaded: %s", ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in steps.items()))
    global _preloaded
    _preloaded = True
    return steps


def warm_worker() -> dict[str, float]:
    """After the fork, before the first request (module doc). Seconds per step."""
    from paperfeed.search import hybrid

    steps = {} if _preloaded else preload()
    # the undecorated search: a warm-up is not a reader's search in the latency histogram
    _timed(steps, "search", lambda: hybrid.search.__wrapped__(WARM_QUERY, limit=10))
    log.info("worker warm: %s", ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in steps.items()))
    return steps
