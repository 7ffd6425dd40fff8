"""What to try when a search finds little or nothing: spelling from the corpus vocabulary, and the
filters whose removal would give results (with how many).

Spelling: a query word is *suspect* when at most :data:`RARE` indexed papers hold its term in the
title, the abstract or an author's name (counted live by the index: a 75,000-paper corpus holds
"tranformer" and "difusion" a few times, so "no paper" alone misses most typos). For each suspect
content word the closest vocabulary words (:mod:`paperfeed.search.vocabulary`) are found with
rapidfuzz's optimal-string-alignment distance (Levenshtein 1966 plus adjacent transpositions,
Damerau 1964: "protien" is one edit from "protein"; at most 1 edit for words of up to 4 letters,
2 for longer ones); a candidate must be in :data:`RATIO` times as many papers as the word (any
paper at all for a word no paper holds), and they are ranked by distance, then by document
frequency; the first one the live index still holds is the correction. The corrected query is
offered only when it finds papers.

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
from rapidfuzz.distance import OSA

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
"""Vocabulary words within the edit distance looked at per suspect word (the most alike first)."""
RARE = 3
"""A query word held by at most this many papers is checked for a likelier spelling."""
RATIO = 20
"""A correction must be in this many times as many papers as the word it replaces."""
MAX_RELAXATIONS = 6


@dataclass(frozen=True)
class Spelling:
    """A corrected query: ``corrections`` maps each unknown word to the word put instead."""

    query: str
    corrections: dict[str, str]
    held_by: dict[str, int]
    """How many papers hold each corrected word (0: none)."""
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


def papers_holding(index: lexical.LexicalIndex, word: str, *, at_most: int = RARE) -> int:
    """How many papers hold ``word`` in the title, abstract or authors; exact up to
    ``at_most`` (a larger count is reported as ``at_most + 1``: the exact count costs more)."""
    frequencies = [
        *(index.doc_freq(f, t) for t in text_terms(word) for f in ("title", "abstract")),
        *(index.doc_freq("authors", part) for part in name_parts(word)),
    ]
    if sum(frequencies) == 0:
        return 0
    if max(frequencies) > at_most:
        return at_most + 1
    return index.search(word, limit=0)[1]  # a paper may hold it in several fields: count once


def closest(word: str, words: list[str], counts: Counter, *, least: int = 1) -> list[str]:
    """The words of ``words`` within :func:`max_distance` edits of ``word`` (itself excluded) that
    are in at least ``least`` papers (``counts``), nearest first, then most frequent, then
    alphabetically.

    >>> closest("tranformer", ["transformer", "transformers", "former"], Counter(transformers=9))
    ['transformers']
    >>> closest("protien", ["proven", "protein"], Counter(protein=5, proven=50))
    ['protein', 'proven']
    """
    found = process.extract(
        word,
        words,
        scorer=OSA.distance,
        score_cutoff=max_distance(word),
        limit=CANDIDATES,
    )
    ranked = sorted((distance, -counts[other], other) for other, distance, _ in found)
    return [other for _, count, other in ranked if other != word and -count >= least]


@functools.lru_cache(maxsize=2)
def _load(path: Path, stamp: int) -> tuple[list[str], list[str], Counter]:
    counts = vocabulary.read(path)
    common = [word for word, count in counts.items() if count >= RATIO]
    return common, list(counts), counts


def _vocabulary(index: lexical.LexicalIndex) -> tuple[list[str], list[str], Counter] | None:
    if index.path is None:
        return None
    try:
        stamp = (index.path / vocabulary.FILE).stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _load(index.path, stamp)


def _suspect(word: str) -> bool:
    return (
        len(word) >= vocabulary.MIN_LENGTH
        and word.isascii()
        and word.isalpha()
        and word not in FUNCTION_WORDS
        and word not in FIELD_ALIASES
    )


def corrections_for(query: str, index: lexical.LexicalIndex) -> dict[str, tuple[str, int]]:
    """``{word: (correction, papers holding the word)}`` for the query's rare content words."""
    loaded = _vocabulary(index)
    if loaded is None:
        return {}
    common, words, counts = loaded
    found: dict[str, tuple[str, int]] = {}
    for word in dict.fromkeys(parse(query).words):
        if not _suspect(word):
            continue
        held = papers_holding(index, word)
        if held > RARE:
            continue
        least = max(1, RATIO * held)
        # the words in RATIO+ papers first (a fraction of the vocabulary), all of them for a word
        # no paper holds (in a small corpus every word is rare)
        choices = closest(word, common, counts, least=least) or (
            closest(word, words, counts, least=least) if held == 0 else []
        )
        for other in choices:
            if papers_holding(index, other, at_most=0):
                found[word] = (other, held)
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

    if parse(query).is_empty:
        return Suggestions()  # nothing was asked: nothing to suggest
    filters = {"categories": categories or None, "since": since, "until": until, "author": author}
    spelling = None
    try:
        index = lexical.current_index()
    except lexical.IndexMissing:
        index = None
    fixes = corrections_for(query, index) if index is not None else {}
    if fixes:
        fixed = corrected(query, {word: other for word, (other, _) in fixes.items()})
        found = search(fixed, mode=mode, limit=0, **filters)
        if found.total:
            spelling = Spelling(
                fixed,
                {word: other for word, (other, _) in fixes.items()},
                {word: held for word, (_, held) in fixes.items()},
                found.total,
                found.count_is_estimate,
            )
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
