"""Optional re-ranking of the best results with a cross-encoder (off by default).

A cross-encoder reads the query and a paper's text together and scores their relevance
(Nogueira & Cho, "Passage Re-ranking with BERT", 2019): slower than the bi-encoder, so it only
re-orders the best ``PAPERFEED_RERANK_DEPTH`` results of a relevance-ordered hybrid or
semantic search.  ``PAPERFEED_RERANK_MODEL`` is the path of a sentence-transformers
``CrossEncoder`` directory; it is loaded from that path only (``local_files_only``: nothing is
ever downloaded) once per process.  A path that cannot be loaded logs a warning and the search
keeps the fused order.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from django.conf import settings

from paperfeed.search.encoders import paper_text
from paperfeed.search.hits import Hit

log = logging.getLogger(__name__)


class RerankError(RuntimeError):
    """The configured cross-encoder cannot be loaded; the message names the path."""


@functools.lru_cache(maxsize=2)
def load(path: str):
    """The ``CrossEncoder`` at ``path`` (a local directory), loaded once per process."""
    if not Path(path).is_dir():
        raise RerankError(f"PAPERFEED_RERANK_MODEL={path!r}: no such directory")
    try:
        from sentence_transformers import CrossEncoder

        return CrossEncoder(path, device="cpu", local_files_only=True)
    except Exception as exc:  # any loader failure: say which path and why
        raise RerankError(f"PAPERFEED_RERANK_MODEL={path!r} cannot be loaded: {exc}") from exc


def order(query: str, hits: list[Hit], texts: dict[str, str], model) -> list[Hit]:
    """``hits`` re-ordered by the cross-encoder's score of (query, paper text), best first;
    equal scores keep their fused order. Hits without a text keep their place at the end."""
    scored = [h for h in hits if h.id in texts]
    rest = [h for h in hits if h.id not in texts]
    if not scored:
        return hits
    scores = model.predict([(query, texts[h.id]) for h in scored], show_progress_bar=False)
    ranked = sorted(range(len(scored)), key=lambda i: (-float(scores[i]), i))
    return [scored[i] for i in ranked] + rest


def rerank(query: str, ranked: list[Hit]) -> list[Hit]:
    """The fused list with its best ``PAPERFEED_RERANK_DEPTH`` re-ranked, when a model is set."""
    path = getattr(settings, "PAPERFEED_RERANK_MODEL", "")
    depth = int(getattr(settings, "PAPERFEED_RERANK_DEPTH", 50))
    if not path or not query or depth <= 0 or len(ranked) < 2:
        return ranked
    try:
        model = load(path)
    except RerankError as exc:
        log.warning("re-ranking off: %s", exc)
        return ranked
    from paperfeed.papers.models import Paper

    head = ranked[:depth]
    rows = Paper.objects.filter(arxiv_id__in=[h.id for h in head]).values_list(
        "arxiv_id", "title", "abstract"
    )
    texts = {pid: paper_text(title, abstract) for pid, title, abstract in rows}
    return order(query, head, texts, model) + ranked[depth:]
