"""What to try when a search finds little or nothing: spelling from the corpus vocabulary, and the
filters whose removal would give results (with how many).

Spelling: a query word is *unknown* when no indexed paper holds its term in the title, the
abstract or an author's name (``LexicalIndex.doc_freq``, exact and live). For each unknown
content word the closest vocabulary words (:mod:`paperfeed.search.vocabulary`) are found with
rapidfuzz's Levenshtein distance (Levenshtein 1966; at most 1 edit for words of up to 4 letters,
2 for longer ones), ranked by distance, then by document frequency; the first one the live index
still holds is the correction. The corrected query is offered only when it finds papers.

Dropping a filter: each filter typed into the query (``author:``, ``cat:``, ``-cat:``,
``has:code``) and each filter given beside it (category, since, until, author) is taken away
alone and the search run again in the same mode; its count is what the link would show.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from paperfeed.search import lexical, vocabulary
from paperfeed.search.analyzers import name_parts, text_terms
from paperfeed.search.hits import SearchResult
from paperfeed.search.query import (
    FIELD_ALIASES,
    clean,
    filter_tokens,
    parse,
    without_span,
)
from paperfeed.search.snippets import FUNCTION_WORDS

CANDIDATES = 25
"""Vocabulary words within the edit distance looked at per unknown word (the most alike first)."""
MAX_RELAXATIONS = 6


@dataclass(frozen=True)
class Spelling:
    """A corrected query: ``corrections`` maps each unknown word to the word put instead."""

    query: str
    corrections: dict[str, str]
    count: int
    count_is_estimate: bool


@dataclass(frozen=True)
class Relaxation:
    """The same search without one filter: ``label`` names the filter as typed or given,
    ``query`` is the query text afterwards (unchanged when ``param``, the request parameter
    dropped — ``category``, ``since``, ``until`` or ``author`` — is not None)."""

    label: str
    query: str
    param: str | None
    count: int
    count_is_estimate: bool


@dataclass(frozen=True)
class Suggestions:
    spelling: Spelling | None = None
    relaxations: tuple[Relaxation, ...] = ()

    def as_dict(self) -> dict:
        return {
            "spelling": asdict(self.spelling) if self.spelling else None,
            "drop_filters": [asdict(r) for r in self.relaxations],
        }


def max_distance(word: str) -> int:
    """Edits allowed between a word and its correction: 1 up to 4 letters, else 2."""
    return 1 if len(word) <= 4 else 2


def is_known(index: lexical.LexicalIndex, word: str) -> bool:
    """Whether some indexed paper holds ``word``'s term in its title, abstract or authors."""
    for term in text_terms(word):
        if index.doc_freq("abstract", term) or index.doc_freq("title", term):
            return True
    return any(index.doc_freq("authors", part) for part in name_parts(word))


def closest(word: str, words: list[str], counts: Counter) -> list[str]:
    """The words of ``words`` within :func:`max_distance` edits of ``word`` (itself excluded),
    nearest first, then most frequent (``counts``), then alphabetically.

    >>> closest("tranformer", ["transformer", "transformers", "former"], Counter(transformers=9))
    ['transformer', 'transformers']
    """
    found = process.extract(
        word,
        words,
        scorer=Levenshtein.distance,
        score_cutoff=max_distance(word),
        limit=CANDIDATES,
    )
    ranked = sorted((distance, -counts[other], other) for other, distance, _ in found)
    return [other for _, _, other in ranked if other != word]


@functools.lru_cache(maxsize=2)
def _load(path: Path, stamp: int) -> tuple[list[str], Counter]:
    counts = vocabulary.read(path)
    return list(counts), counts


def _vocabulary(index: lexical.LexicalIndex) -> tuple[list[str], Counter] | None:
    if index.path is None:
        return None
    try:
        stamp = (index.path / vocabulary.FILE).stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _load(index.path, stamp)


def corrections_for(query: str, index: lexical.LexicalIndex) -> dict[str, str]:
    """``{unknown word: correction}`` for the query's content words no paper holds."""
    loaded = _vocabulary(index)
    if loaded is None:
        return {}
    words, counts = loaded
    found: dict[str, str] = {}
    for word in dict.fromkeys(parse(query).words):
        if (
            len(word) < vocabulary.MIN_LENGTH
            or not word.isalpha()
            or word in FUNCTION_WORDS
            or word in FIELD_ALIASES
            or is_known(index, word)
        ):
            continue
        for other in closest(word, words, counts):
            if is_known(index, other):
                found[word] = other
                break
    return found


def corrected(query: str, corrections: dict[str, str]) -> str:
    """``query`` (cleaned) with each corrected word replaced wherever it stands as a word.

    >>> corrected("Tranformer -atention", {"tranformer": "transformer", "atention": "attention"})
    'transformer -attention'
    """
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in corrections) + r")(?!\w)", re.IGNORECASE
    )
    return pattern.sub(lambda m: corrections[m[1].lower()], clean(query))


def suggest(
    query: str,
    result: SearchResult,
    *,
    mode: str,
    categories: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    author: str | None = None,
) -> Suggestions:
    """Spelling for any query with unknown words; the filters to drop when ``result`` is empty."""
    from paperfeed.search.hybrid import search  # the one search function (imports this package)

    filters = {"categories": categories or None, "since": since, "until": until, "author": author}
    spelling = None
    try:
        index = lexical.current_index()
    except lexical.IndexMissing:
        index = None
    fixes = corrections_for(query, index) if index is not None else {}
    if fixes:
        fixed = corrected(query, fixes)
        found = search(fixed, mode=mode, limit=0, **filters)
        if found.total:
            spelling = Spelling(fixed, fixes, found.total, found.count_is_estimate)
    relaxations = []
    if result.total == 0:
        for label, text, param, change in _filters_to_drop(query, filters):
            found = search(text, mode=mode, limit=0, **{**filters, **change})
            relaxations.append(Relaxation(label, text, param, found.total, found.count_is_estimate))
    return Suggestions(spelling, tuple(relaxations))


def _filters_to_drop(query: str, filters: dict) -> list[tuple[str, str, str | None, dict]]:
    options: list[tuple[str, str, str | None, dict]] = []
    for start, end, token in filter_tokens(query):
        rest = without_span(query, start, end)
        if not parse(rest).is_empty:
            options.append((token, rest, None, {}))
    text = clean(query)
    if filters["categories"]:
        label = "category " + ", ".join(filters["categories"])
        options.append((label, text, "category", {"categories": None}))
    for name in ("since", "until"):
        if filters[name]:
            options.append((f"{name} {filters[name].isoformat()}", text, name, {name: None}))
    if filters["author"]:
        options.append((f"author {filters['author']}", text, "author", {"author": None}))
    return options[:MAX_RELAXATIONS]
