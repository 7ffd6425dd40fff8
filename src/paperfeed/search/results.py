"""Search hits as papers to show: the one place where a result becomes the page's papers.

The search page, the search feeds, ``/api/v1/search``, HF's ``/api/papers/search`` and the
similar-papers endpoint all call :func:`papers_for`. The papers come from
:func:`paperfeed.papers.lists.hydrate` (visible papers only, decorated like every list: authors,
submitter, comment count, the user's vote) in hit order, each with its hit attached as
``paper.hit`` (score, why, terms, similarity, snippets). ``paper.hit.snippets`` are the HTML the
search layer built by escaping every piece of text and adding only ``<mark>``
(:func:`paperfeed.search.snippets.highlight`); whoever renders them as HTML marks them safe.
"""

from __future__ import annotations

from paperfeed.papers import lists
from paperfeed.papers.models import Paper
from paperfeed.search.hits import SearchResult


def papers_for(result: SearchResult, user=None) -> list[Paper]:
    """The papers of ``result``'s hits in hit order, each with ``paper.hit``; hits whose paper is
    gone or hidden since the index was synced are left out. ``user`` (None: anonymous) decides
    ``paper.voted``."""
    hits = {hit.id: hit for hit in result.hits}
    papers = lists.hydrate(list(hits), user)
    for paper in papers:
        paper.hit = hits[paper.arxiv_id]
    return papers
