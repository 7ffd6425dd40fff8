"""The meaning side of a hybrid search, run on a thread of its own beside the lexical search.

ONNX Runtime (the query encoder), usearch (HNSW) and tantivy all run without the GIL, so while
the main thread finds the lexical candidates (and explains the likeliest of them), the query is
embedded and, when nothing needs the database — no filter, and the vector generation has its
table (:mod:`paperfeed.search.table_search`) — its nearest papers are found too. The thread
never touches the database (Django's connections are per thread). docs/benchmarks.md, "Hybrid
at 221k: the search path trimmed", measures what it saves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from paperfeed.search import vector_index

Embed = Callable[[str], tuple[np.ndarray | None, str | None]]
Answer = tuple[np.ndarray | None, str | None, list | None]


class MeaningSide:
    """The query's vector, why there is none, and its nearest papers (None: not searched),
    being found on the meaning thread or known already."""

    def __init__(self, future: Future | None = None, done: Answer = (None, None, None)):
        self.future, self.done = future, done

    def result(self) -> Answer:
        return self.future.result() if self.future is not None else self.done


_pool: tuple[int, ThreadPoolExecutor] | None = None


def _run(embed: Embed, text: str, nearest) -> Answer:
    vector, why_not = embed(text)
    if vector is None or nearest is None:
        return vector, why_not, None
    index, k = nearest
    return vector, why_not, vector_index.search_vectors(vector, k, index=index)


def start(embed: Embed, text: str, *, background: bool, nearest=None) -> MeaningSide:
    """``embed(text)`` (and, with ``nearest = (index, k)``, the ``k`` papers nearest to the
    vector in ``index``, unfiltered: pass it only for an index with a table) on this process's
    meaning thread when ``background``, else now on this one.  Empty ``text``: nothing to do.
    The thread is made by the process that uses it: a worker forked after ``--preload`` makes
    its own."""
    global _pool
    if not text:
        return MeaningSide()
    if not background:
        return MeaningSide(done=_run(embed, text, None))
    if _pool is None or _pool[0] != os.getpid():
        _pool = (os.getpid(), ThreadPoolExecutor(2, thread_name_prefix="query-meaning"))
    return MeaningSide(_pool[1].submit(_run, embed, text, nearest))
