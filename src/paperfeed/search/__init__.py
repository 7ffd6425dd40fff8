"""Paper search: the one surface the web pages, feeds, API, digests and CLI call.

``search(query, mode=, limit=, offset=, categories=, since=, until=, author=, sort=)`` answers a
query (hybrid, lexical or semantic; :data:`MODES`, :data:`SORTS`, at most :data:`MAX_LIMIT` hits)
with a :class:`SearchResult` of :class:`Hit` objects; ``like_paper(paper_id, sort=, ...)`` and ``like_text(text, sort=, ...)``
"more like this" (:mod:`~paperfeed.search.more_like`: paged, by relevance or recency, the
example itself left out); ``papers_for(result, user)`` turns a result into the page's papers, each with
its hit; ``suggest(query, result, mode=, ...)`` the spelling corrections and the filters to
drop (:mod:`~paperfeed.search.suggestions`). :class:`IndexMissing`: no index was built yet. The modules behind them are
:mod:`~paperfeed.search.hybrid` (the query call), :mod:`~paperfeed.search.hits` (the result
types) and :mod:`~paperfeed.search.results` (hydration); the indexes, the encoder and the
embedding job live in the other modules of this package.

The names are imported on first use, not with the package: the package is also the Django app
``paperfeed.search``, which Django imports before models can be, and a process that only needs
``paperfeed.search.paths`` should not load tantivy and usearch. Nothing here loads torch or
sentence-transformers (the encoder loads them when a model is first used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperfeed.search.hits import Hit, SearchResult
    from paperfeed.search.hybrid import MODES, SEMANTIC_FLOOR, search
    from paperfeed.search.lexical import MAX_LIMIT, SORTS, IndexMissing
    from paperfeed.search.more_like import like_paper, like_text
    from paperfeed.search.results import papers_for
    from paperfeed.search.suggestions import suggest

__all__ = [
    "MAX_LIMIT",
    "MODES",
    "SEMANTIC_FLOOR",
    "SORTS",
    "Hit",
    "IndexMissing",
    "SearchResult",
    "like_paper",
    "like_text",
    "papers_for",
    "search",
    "suggest",
]

_HOME = {
    "Hit": "hits",
    "SearchResult": "hits",
    "MODES": "hybrid",
    "SEMANTIC_FLOOR": "hybrid",
    "search": "hybrid",
    "MAX_LIMIT": "lexical",
    "SORTS": "lexical",
    "IndexMissing": "lexical",
    "papers_for": "results",
    "like_paper": "more_like",
    "like_text": "more_like",
    "suggest": "suggestions",
}
"""Each exported name -> the module of this package that defines it."""


def __getattr__(name: str):
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Deferred to first use (see the module docstring): Django imports this package early.
    from paperfeed.search import hits, hybrid, lexical, more_like, results, suggestions

    modules = {
        "hits": hits,
        "hybrid": hybrid,
        "lexical": lexical,
        "more_like": more_like,
        "results": results,
        "suggestions": suggestions,
    }
    value = getattr(modules[home], name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
