"""The result shapes every retriever returns (lexical, semantic, hybrid, similar): a
:class:`SearchResult` holding one page of :class:`Hit` objects."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Hit:
    """One matching paper.

    ``why`` holds human-readable reasons ("title matches “kv cache”", "semantically close
    (cosine 0.71)"); ``terms`` the query terms found in the paper (lexical); ``similarity`` the
    cosine to the query (semantic); ``snippets`` maps a field name to an HTML-escaped excerpt in
    which matches are wrapped in ``<mark>``.
    """

    id: str
    score: float
    why: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    similarity: float | None = None
    snippets: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "score": self.score,
            "why": self.why,
            "terms": self.terms,
            "similarity": self.similarity,
            "snippets": self.snippets,
        }


@dataclass
class SearchResult:
    """The shape every search mode returns (CLI, web and API share it): one page of hits, best
    first, how many match in all, and the mode that really ran.

    ``reachable``: how many hits paging can reach; semantic and hybrid searches rank a fixed
    number of candidates (``hybrid.SEARCH_DEPTH`` a side), so it can be below ``total`` (which is
    then an estimate: "about N"); ``None`` (the default) means all ``total``.
    ``note``: why the mode asked for did not run, when the reason is not obvious (no query model).
    """

    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    mode: str = "lexical"
    reachable: int | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.reachable is None:
            self.reachable = self.total
