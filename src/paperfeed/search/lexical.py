"""Keyword search over titles, abstracts and authors: a tantivy (BM25) index.

:class:`LexicalIndex` builds and queries one index directory; it knows nothing of the database,
so the BEIR evaluation can index any corpus in a temporary directory. :func:`search_papers`
searches the app's own index (for :func:`paperfeed.search.hybrid.search`, which the CLI, web and
API call), which :mod:`paperfeed.search.sync` keeps in step with the database under
``DATA_DIR/index/lexical-NNNNNN``. Terms come from the analyzers of
:mod:`paperfeed.search.analyzers`; each hit is explained by :mod:`paperfeed.search.snippets`;
the schema and the documents are :mod:`paperfeed.search.lexical_documents`'s.

Scoring is tantivy's BM25 (k1 = 1.2, b = 0.75) summed over fields, each field's score multiplied
by :data:`FIELD_BOOSTS`. A paper the query names by arXiv id gets :data:`ID_SCORE` added, so it
comes first whatever the words score.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import tantivy

from paperfeed import rankings
from paperfeed.search import paths
from paperfeed.search.analyzers import (
    NAME_ANALYZER,
    TEXT_ANALYZER,
    name_analyzer,
    text_analyzer,
    text_terms,
)
from paperfeed.search.authors import author_query
from paperfeed.search.hits import Hit, SearchResult
from paperfeed.search.lexical_documents import (
    build_schema,
    day_number,
    make_document,
    paper_ids,
)
from paperfeed.search.query import FUNCTION_WORDS, ParsedQuery, normalise_category, parse
from paperfeed.search.snippets import explain

KIND = "lexical"
DEFAULT_FIELDS = ["title", "abstract", "authors"]
FIELD_BOOSTS = {"title": 0.5, "abstract": 1.0, "authors": 1.0}
"""Multipliers of each field's BM25 score, chosen on SciFact (BEIR test split, nDCG@10 with
title boost 0.0/0.25/0.5/0.75/1.0/2.0/4.0: .669/.679/.676/.665/.655/.605/.552): a word in the
title usually recurs in the abstract, so a high title boost counts it twice over."""
ID_SCORE = 1000.0
SORTS = rankings.offered("search")
"""The sort names (the rankings registry's, offered on search); each is ordered here by a fast field."""
MAX_LIMIT = 1000
WRITER_HEAP_BYTES = 128_000_000


def check_sort_and_page(sort: str, limit: int, offset: int) -> None:
    """ValueError naming the problem for an unknown sort or a negative limit or offset."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0 (got limit={limit}, offset={offset})")


class IndexMissing(RuntimeError):
    """No lexical index was built yet."""


@dataclass
class Candidate(Hit):
    """A hit of :meth:`LexicalIndex.search` with ``explained=False``: id and score, and where
    its document is, so that :meth:`LexicalIndex.explain_candidates` explains the few shown
    without searching again."""

    address: object = None
    searcher: object = None
    text_query: object = None


class LexicalIndex:
    """One tantivy index directory: add/delete/commit documents, search them."""

    def __init__(self, index: tantivy.Index, path: Path | None):
        index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
        index.register_tokenizer(NAME_ANALYZER, name_analyzer())
        self._index = index
        self.path = path
        self.schema = build_schema()
        self._writer: tantivy.IndexWriter | None = None
        self.boosts = dict(FIELD_BOOSTS)

    @classmethod
    def create(cls, path: Path | str | None) -> LexicalIndex:
        """A new, empty index in directory ``path`` (created; must be empty); None: in memory."""
        if path is None:
            return cls(tantivy.Index(build_schema()), None)
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if any(path.iterdir()):
            raise FileExistsError(f"{path} is not empty; a new lexical index needs an empty dir")
        return cls(tantivy.Index(build_schema(), path=str(path), reuse=False), path)

    @classmethod
    def open(cls, path: Path | str) -> LexicalIndex:
        path = Path(path)
        if not (path / "meta.json").exists():
            raise IndexMissing(f"no lexical index in {path}")
        return cls(tantivy.Index.open(str(path)), path)

    # -- writing -------------------------------------------------------------------------
    def _writer_or_new(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(WRITER_HEAP_BYTES, min(2, os.cpu_count() or 1))
            except ValueError as exc:  # tantivy's own lock file is held by another writer
                raise paths.IndexBusy(
                    f"the lexical index in {self.path} is being written: {exc}"
                ) from exc
        return self._writer

    def add_documents(self, papers: Iterable[dict], *, replace: bool = True) -> int:
        """Add papers (dicts as for :func:`make_document`); ``replace`` drops an older copy first."""
        writer = self._writer_or_new()
        count = 0
        for paper in papers:
            doc = make_document(paper)
            if replace:
                writer.delete_documents_by_term("id", paper["id"])
            writer.add_document(doc)
            count += 1
        return count

    def delete(self, ids: Iterable[str]) -> int:
        writer = self._writer_or_new()
        count = 0
        for paper_id in ids:
            writer.delete_documents_by_term("id", paper_id)
            count += 1
        return count

    def commit(self) -> None:
        """Make the changes durable and visible to this object's searches."""
        if self._writer is not None:
            self._writer.commit()
        self._index.reload()

    def close(self) -> None:
        """Release the writer (and tantivy's write lock), waiting for background merges."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.wait_merging_threads()

    def reload(self) -> None:
        self._index.reload()

    # -- reading -------------------------------------------------------------------------
    @property
    def num_docs(self) -> int:
        return self._index.searcher().num_docs

    def doc_freq(self, field_name: str, term: str) -> int:
        """How many papers hold the index term ``term`` in ``field_name`` (analysed already)."""
        return self._index.searcher().doc_freq(field_name, term)

    def all_ids(self) -> set[str]:
        """Every paper id in the index (reads each stored document: for reconciliation only)."""
        searcher = self._index.searcher()
        result = searcher.search(
            tantivy.Query.all_query(), limit=max(1, searcher.num_docs), count=False
        )
        return set(paper_ids(searcher, [address for _, address in result.hits]))

    def filtered_ids(
        self,
        *,
        categories: Iterable[str] = (),
        not_categories: Iterable[str] = (),
        authors: Iterable[str] = (),
        since: dt.date | None = None,
        until: dt.date | None = None,
        within: Collection[str] | None = None,
        fuzzy_authors: Collection[str] = (),
        limit: int,
    ) -> tuple[list[str] | None, int]:
        """The ids of the papers these filters alone let through, and how many there are.

        The ids are None when more than ``limit`` pass (only the count is taken then, which is
        cheap; reading ids is not) or when a category cannot be named (count 0: unknown).
        ``categories``: any of them; ``authors``: as the search matches them (:meth:`_author_query`:
        exact and initials-aware, or similar names for those in ``fuzzy_authors``), a subset of
        what the database's author filter keeps (:func:`paperfeed.search.vector_filters.filter_papers`),
        which checks the result.
        """
        categories = list(categories)
        if any(normalise_category(c) is None for c in categories):
            return None, 0  # a category the index cannot name: leave the answer to the database
        clauses = []
        wanted = self._categories_query(categories)
        if wanted is not None:
            clauses.append((tantivy.Occur.Must, wanted))
        for name in authors:
            by_name = self._author_query(name, fuzzy=name in fuzzy_authors)
            if by_name is not None:
                clauses.append((tantivy.Occur.Must, by_name))
        if since or until:
            clauses.append((tantivy.Occur.Must, self._day_range(since, until)))
        if within is not None:
            clauses.append((tantivy.Occur.Must, self._within(within)))
        unwanted = self._categories_query(not_categories)
        if unwanted is not None:
            clauses.append((tantivy.Occur.MustNot, unwanted))
        if not any(occur == tantivy.Occur.Must for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        built = tantivy.Query.boolean_query(clauses)
        searcher = self._index.searcher()
        count = searcher.search(built, 1, count=True).count
        if count > limit or count == 0:
            return (None if count > limit else []), count
        result = searcher.search(built, count, count=False)
        return paper_ids(searcher, [address for _, address in result.hits]), count

    def _within(self, ids: Collection[str]) -> tantivy.Query:
        """Only the papers ``ids`` (none at all for no ids: an empty restriction is not "any")."""
        if not ids:
            return tantivy.Query.empty_query()
        return tantivy.Query.term_set_query(self.schema, "id", list(ids))

    def _day_range(self, since: dt.date | None, until: dt.date | None) -> tantivy.Query:
        return tantivy.Query.range_query(
            self.schema,
            "day",
            tantivy.FieldType.Integer,
            lower_bound=day_number(since) if since else None,
            upper_bound=day_number(until) if until else None,
        )

    def search(
        self,
        query: str | ParsedQuery,
        *,
        limit: int = 20,
        offset: int = 0,
        categories: Iterable[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        author: str | None = None,
        sort: str = "relevance",
        snippets: bool = True,
        within: Collection[str] | None = None,
        fuzzy_authors: Collection[str] | None = None,
        explained: bool = True,
    ) -> tuple[list[Hit], int]:
        """Papers matching ``query`` best first, and how many match in all.

        ``categories``: any of them (``cs`` matches every ``cs.*``); ``since``/``until``:
        inclusive bounds on the paper's day; ``author``: a name or name prefix; ``within``: only
        these paper ids (what the database knows and the index does not: ``has:code``); ``sort``:
        ``relevance`` (BM25; newest first when the query has no words), ``newest`` or
        ``upvotes`` (then ``Hit.score`` is the sort key: YYYYMMDD or the upvote count);
        ``fuzzy_authors``: the author names (of ``parsed.authors`` and ``author``) matched as
        similar names rather than exactly; None: those :meth:`fuzzy_authors` finds;
        ``explained`` False: each hit's id and score only, no reasons or excerpts (candidates
        for fusion, of which only the page's are explained: 200 explained hits cost more than
        the search).
        """
        check_sort_and_page(sort, limit, offset)
        parsed = query if isinstance(query, ParsedQuery) else parse(query)
        if parsed.is_empty:
            return [], 0
        if fuzzy_authors is None:
            fuzzy_authors = self.fuzzy_authors([*parsed.authors, *([author] if author else [])])
        limit = min(limit, MAX_LIMIT)
        text_query = self._text_query(parsed)
        searcher = self._index.searcher()
        filters = (categories, since, until, author, within, fuzzy_authors)
        try:
            result = self._run(searcher, parsed, text_query, sort, limit, offset, filters)
        except ValueError:
            # A query tantivy parsed but cannot run (an odd field name): search the plain words.
            parsed = replace(parsed, text=" ".join(parsed.words))
            text_query = self._text_query(parsed)
            result = self._run(searcher, parsed, text_query, sort, limit, offset, filters)
        if not explained:
            found = result.hits[:limit]
            ids = paper_ids(searcher, [address for _, address in found])
            where = {"searcher": searcher, "text_query": text_query}
            return [
                Candidate(pid, float(score), address=address, **where)
                for pid, (score, address) in zip(ids, found, strict=True)
            ], result.count
        hits = explain(
            searcher,
            self.schema,
            result.hits[:limit],
            parsed,
            text_query if snippets else None,
            author_filters=[*parsed.authors, *([author] if author else [])],
        )
        return hits, result.count

    def explain_candidates(
        self, candidates: list[Candidate], parsed: ParsedQuery, *, author: str | None = None
    ) -> list[Hit]:
        """``candidates`` (of one :meth:`search` with ``explained=False`` for ``parsed`` and
        ``author``) with the reasons, terms and excerpts :meth:`search` would have given them."""
        if not candidates:
            return []
        first = candidates[0]
        return explain(
            first.searcher,
            self.schema,
            [(c.score, c.address) for c in candidates],
            parsed,
            first.text_query,
            author_filters=[*parsed.authors, *([author] if author else [])],
        )

    def _run(
        self, searcher, parsed, text_query, sort, limit, offset, filters
    ) -> tantivy.SearchResult:
        built = self._full_query(parsed, text_query, *filters)
        limit = max(limit, 1)  # tantivy asserts limit > 0; limit 0 (a count) drops the hit
        order_field = {"newest": "day", "upvotes": "upvotes"}.get(sort)
        if sort == "relevance" and text_query is None and not parsed.ids:
            order_field = "day"  # nothing to score: newest first
        if order_field:
            return searcher.search(
                built,
                limit,
                count=True,
                offset=offset,
                order_by_field=order_field,
                order=tantivy.Order.Desc,
            )
        return searcher.search(built, limit, count=True, offset=offset)

    # -- query building ----------------------------------------------------------------
    def _parse_text(self, text: str) -> tantivy.Query:
        return self._index.parse_query(text, DEFAULT_FIELDS, field_boosts=self.boosts)

    def _text_query(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """Tantivy's parse of the text; the plain words when it is malformed; None: no words."""
        if not parsed.words:
            return None
        try:
            return self._parse_text(parsed.text)
        except ValueError:
            pass
        try:
            return self._parse_text(" ".join(parsed.words))
        except ValueError:
            return None

    def _author_query(self, name: str, *, fuzzy: bool = False) -> tantivy.Query | None:
        return author_query(self.schema, name, fuzzy=fuzzy)

    def fuzzy_authors(self, names: Iterable[str]) -> list[str]:
        """The names that match no author exactly: searched by similar names instead, and said
        so ("no exact author match; showing similar names")."""
        searcher = self._index.searcher()
        out = []
        for name in dict.fromkeys(names):
            exact = self._author_query(name)
            if exact is not None and searcher.search(exact, 1, count=True).count == 0:
                out.append(name)
        return out

    def name_words(self, words: Iterable[str]) -> list[str]:
        """The words of a query that are author names rather than topic words: each is a whole
        name part of more papers' authors than abstracts hold its (stemmed) term — ``zhang``,
        ``wang`` are names in the 2025-26 papers; ``long``, ``bloom`` are not (docs/search.md).
        Two term lookups a word (document frequencies), no search."""
        searcher = self._index.searcher()
        out = []
        for word in dict.fromkeys(words):
            if len(word) < 2 or word.isdigit() or word in FUNCTION_WORDS:
                continue
            as_name = searcher.doc_freq("authors", word)
            if not as_name:
                continue
            terms = text_terms(word)
            in_text = max((searcher.doc_freq("abstract", t) for t in terms), default=0)
            if as_name > in_text:
                out.append(word)
        return out

    def scores_of(
        self,
        parsed: ParsedQuery,
        ids: Collection[str],
        *,
        categories: Iterable[str] | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        author: str | None = None,
        within: Collection[str] | None = None,
        fuzzy_authors: Collection[str] = (),
    ) -> dict[str, float]:
        """The score :meth:`search` gives each of ``ids`` for ``parsed`` (the same query, with
        the same filters), for the papers that match it at all: what a paper the semantic side
        found scores on terms, though it ranked below the lexical candidates."""
        text_query = self._text_query(parsed)
        if text_query is None or not ids:
            return {}
        filters = (categories, since, until, author, within, fuzzy_authors)
        full = self._full_query(parsed, text_query, *filters)
        only = tantivy.Query.boost_query(self._within(ids), 0.0)
        built = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, full), (tantivy.Occur.Must, only)]
        )
        searcher = self._index.searcher()
        try:
            result = searcher.search(built, len(ids), count=False)
        except ValueError:
            return {}
        ids = paper_ids(searcher, [address for _, address in result.hits])
        return {pid: score for pid, (score, _) in zip(ids, result.hits, strict=True)}

    def _categories_query(self, categories: Iterable[str]) -> tantivy.Query | None:
        terms = [c for c in (normalise_category(x) for x in categories) if c]
        if not terms:
            return None
        return tantivy.Query.term_set_query(self.schema, "cat", terms)

    def _full_query(
        self, parsed, text_query, categories, since, until, author, within=None, fuzzy_authors=()
    ) -> tantivy.Query:
        main = text_query
        if parsed.ids:
            by_id = tantivy.Query.const_score_query(
                tantivy.Query.term_set_query(self.schema, "id", list(parsed.ids)), ID_SCORE
            )
            main = (
                by_id
                if main is None
                else tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, by_id), (tantivy.Occur.Should, main)]
                )
            )
        clauses = [(tantivy.Occur.Must, main or tantivy.Query.all_query())]
        names = (*parsed.authors, *([author] if author else []))
        required = [self._author_query(a, fuzzy=a in fuzzy_authors) for a in names]
        required.append(self._categories_query(parsed.categories))
        if categories is not None:
            categories = list(categories)
            if categories:
                # Asked for categories none of which can exist: nothing matches, not everything.
                required.append(self._categories_query(categories) or tantivy.Query.empty_query())
        if since or until:
            required.append(self._day_range(since, until))
        if within is not None:
            required.append(self._within(within))
        clauses += [(tantivy.Occur.Must, q) for q in required if q is not None]
        excluded = [self._author_query(a, fuzzy=True) for a in parsed.not_authors]
        excluded.append(self._categories_query(parsed.not_categories))
        clauses += [(tantivy.Occur.MustNot, q) for q in excluded if q is not None]
        return clauses[0][1] if len(clauses) == 1 else tantivy.Query.boolean_query(clauses)


# -- the app's own index (DATA_DIR/index) ------------------------------------------------
_open: dict[str, tuple[Path, int, LexicalIndex]] = {}


def _published() -> tuple[Path, int]:
    """The published generation and its ``meta.json`` mtime (read up to three times: a rebuild
    may have just swapped the pointer and removed the generation read a moment before)."""
    for _attempt in range(3):
        path = paths.current_dir(KIND)
        if path is None and not paths.pointer_file(KIND).exists():
            raise IndexMissing(
                f"no search index in {paths.index_root()} yet: run `paperfeed index --rebuild`"
            )
        try:
            if path is not None:
                return path, (path / "meta.json").stat().st_mtime_ns
        except FileNotFoundError:
            continue
    raise IndexMissing(
        f"the search index in {paths.index_root()} is incomplete: run `paperfeed index --rebuild`"
    )


def current_index() -> LexicalIndex:
    """The published lexical index, reopened after a rebuild and reloaded after a commit."""
    path, stamp = _published()
    cached = _open.get(KIND)
    if cached and cached[0] == path:
        if cached[1] != stamp:
            cached[2].reload()
            _open[KIND] = (path, stamp, cached[2])
        return cached[2]
    index = LexicalIndex.open(path)
    _open[KIND] = (path, stamp, index)
    return index


def search_papers(
    query: str | ParsedQuery,
    *,
    limit: int = 20,
    offset: int = 0,
    categories: Iterable[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    author: str | None = None,
    sort: str = "relevance",
    within: Collection[str] | None = None,
    fuzzy_authors: Collection[str] | None = None,
    snippets: bool = True,
) -> SearchResult:
    """Keyword search of the app's index; raises :class:`IndexMissing` before the first build."""
    parsed = query if isinstance(query, ParsedQuery) else parse(query)
    if parsed.is_empty:
        return SearchResult([], 0, "lexical")
    hits, total = current_index().search(
        parsed,
        limit=limit,
        offset=offset,
        categories=categories,
        since=since,
        until=until,
        author=author,
        sort=sort,
        within=within,
        fuzzy_authors=fuzzy_authors,
        snippets=snippets,
    )
    return SearchResult(hits, total, "lexical")
