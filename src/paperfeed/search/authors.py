"""Author names in search: exact and initials-aware matching first, similar names only as a
labelled fallback, and the author facet of a result list.

``author:hinton`` is Hinton, never Hilton or Minton; ``author:"G. Hinton"`` is any Hinton whose
given name starts with G.  Only when a name matches no author at all does the search widen to
similar names (a prefix, one edit away), and the result says so
(:attr:`paperfeed.search.hits.SearchResult.similar_authors`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import tantivy
from django.db.models import Count

from paperfeed.search.analyzers import name_parts

FACET_SIZE = 10
"""Authors listed in the facet."""
FACET_DEPTH = 200
"""The facet counts the authors of this many of the best results (the fused list of a hybrid
search is at most 400 long; the first 200 are what a reader can plausibly mean)."""


def author_query(schema: tantivy.Schema, name: str, *, fuzzy: bool = False) -> tantivy.Query | None:
    """The papers of an author ``name``, exactly (the default) or by similar names.

    Exact: one word is a whole name part (``hinton``: Geoffrey Hinton, never Hilton or
    Minton); several are one author's name parts in order, the last (the surname) whole, each
    earlier one either the same given name or its initial, and an initial any given name it
    starts (``"G. Hinton"`` and ``"Geoffrey Hinton"`` both match "Geoffrey E. Hinton" and
    "G. Hinton"; one middle name may sit between).  ``fuzzy``: the fallback when nothing
    matches exactly (:meth:`LexicalIndex.fuzzy_authors`): the last word by prefix, one word also within one
    edit when it has 5 letters or more.
    """
    words = [token for token in name_parts(name) if token]
    if not words:
        return None
    if not fuzzy:
        if len(words) == 1:
            return tantivy.Query.term_query(schema, "authors", words[0])
        patterns = [given_name_pattern(w) for w in words[:-1]] + [re.escape(words[-1])]
        return tantivy.Query.regex_phrase_query(schema, "authors", patterns, slop=1)
    if len(words) > 1:
        return tantivy.Query.phrase_prefix_query(schema, "authors", words)
    word = words[0]
    options = [
        (
            tantivy.Occur.Should,
            tantivy.Query.boost_query(tantivy.Query.term_query(schema, "authors", word), 2.0),
        ),
        (
            tantivy.Occur.Should,
            tantivy.Query.fuzzy_term_query(schema, "authors", word, distance=0, prefix=True),
        ),
    ]
    if len(word) >= 5:
        options.append(
            (
                tantivy.Occur.Should,
                tantivy.Query.fuzzy_term_query(schema, "authors", word, distance=1),
            )
        )
    return tantivy.Query.boolean_query(options)


def given_name_pattern(word: str) -> str:
    """A regex for a given name in an exact author match: an initial matches any name it starts;
    a full name matches itself or its initial."""
    if len(word) == 1:
        return re.escape(word) + "[a-z0-9]*"
    return f"(?:{re.escape(word)}|{re.escape(word[0])})"


def author_facet(ids: Sequence[str], size: int = FACET_SIZE) -> list[tuple[str, int]]:
    """The ``size`` authors with the most papers among ``ids`` (the best results, in order):
    ``(name, papers)``, most papers first, then by name; one aggregate query.  Authors of a
    single paper are left out when the results hold more than one paper (a facet of ones
    filters nothing)."""
    from paperfeed.papers.models import Authorship

    ids = list(dict.fromkeys(ids))[:FACET_DEPTH]
    if not ids:
        return []
    rows = (
        Authorship.objects.filter(paper_id__in=ids, paper__hidden=False, paper__deleted=False)
        .values("author__name")
        .annotate(papers=Count("paper_id", distinct=True))
        .order_by("-papers", "author__name")
    )
    floor = 2 if len(ids) > 1 else 1
    return [(row["author__name"], row["papers"]) for row in rows[:size] if row["papers"] >= floor]
