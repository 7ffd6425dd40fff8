"""The result shapes every retriever returns (lexical, semantic, hybrid, similar): a
:class:`SearchResult` holding one page of :class:`Hit` objects."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Hit:
    """One matching paper.

    ``why`` holds human-readable reasons ("title matches “kv”, “cache”", "similar in
    meaning"); ``terms`` the query terms found in the paper (lexical); ``matched`` maps each field
    that matched on terms (``title``, ``abstract``, ``authors``) to the words (or names) of that
    field that matched, as the paper spells them, function words left out; ``similarity`` the
    cosine to the query (semantic); ``snippets`` maps a field name to an HTML-escaped excerpt in
    which the matched content words are wrapped in ``<mark>``.
    """

    id: str
    score: float
    why: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    similarity: float | None = None
    snippets: dict[str, str] = field(default_factory=dict)
    matched: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "score": self.score,
            "why": self.why,
            "terms": self.terms,
            "similarity": self.similarity,
            "snippets": self.snippets,
            "matched": self.matched,
        }


SEMANTIC_FLOOR = 0.35
"""The cosine from which a paper is called "similar in meaning": a hit that also matched on terms
gives that reason only from here, a meaning-only hit below it reads "loosely related in
meaning"; hybrid search lists meaning-only papers from here when sorting by date or upvotes."""
SIMILAR_IN_MEANING = "similar in meaning"
LOOSELY_RELATED = "loosely related in meaning"
"""The reasons of a hit found by meaning (the cosine itself is :attr:`Hit.similarity`)."""


@dataclass
class SearchResult:
    """The shape every search mode returns (CLI, web and API share it): one page of hits, best
    first, how many match in all, and the mode that really ran.

    ``reachable``: how many hits paging can reach; semantic and hybrid searches rank a fixed
    number of candidates (``hybrid.SEARCH_DEPTH`` a side), so it can be below ``total``;
    ``None`` (the default) means all ``total``.

    ``term_matches``: how many papers hold the query's terms and pass its filters, counted exactly
    by the lexical index (None when no lexical search ran: semantic mode). ``total`` is that
    count in lexical mode, exact; in hybrid mode it is ``term_matches`` plus the papers found
    only by meaning among the ranked candidates, and in semantic mode the ranked candidates:
    estimates (:attr:`count_is_estimate`), shown as "about N" (docs/search.md, "Counts").

    ``similar_authors``: the author names that matched no author exactly, so the papers of
    similar names are shown instead ("no exact author match; showing similar names");
    ``authors``: the author facet, ``(name, papers)`` of the most frequent authors among the
    best results, when asked for (``search(..., facets=True)``); ``kind``: what the query looked
    like to the fusion (``query.classify``), None when no fusion ran.
    """

    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    mode: str = "lexical"
    reachable: int | None = None
    similar_authors: list[str] = field(default_factory=list)
    authors: list[tuple[str, int]] = field(default_factory=list)
    kind: str | None = None
    term_matches: int | None = None

    def __post_init__(self) -> None:
        if self.reachable is None:
            self.reachable = self.total
        if self.term_matches is None and self.mode == "lexical":
            self.term_matches = self.total

    @property
    def count_is_estimate(self) -> bool:
        """True unless lexical: only a lexical total counts every matching paper."""
        return self.mode != "lexical"
