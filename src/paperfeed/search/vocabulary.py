"""The corpus vocabulary: every word of the indexed titles and abstracts with its document
frequency, the dictionary that spelling suggestions are drawn from (:mod:`.suggestions`).

The index itself holds stemmed terms ("attent"), which cannot be offered to a reader, so the
words are counted as written, lowercased and accent-folded by the name analyzer (no stemming):
letters only, :data:`MIN_LENGTH` to :data:`MAX_LENGTH` of them. :mod:`paperfeed.search.sync`
counts them while it builds a lexical generation and writes :data:`FILE` into that generation's
directory (published with it, rebuilt with it: ``paperfeed index --rebuild``); a sync adds the
words of the papers it (re)indexes, and writes the file from all papers when it is missing. The
counts between rebuilds are therefore approximate (a re-indexed paper counts twice, a deleted
one still counts): they only order suggestions, and every suggestion is checked against the
live index before it is offered.

File format: UTF-8 text, one ``word<TAB>document frequency`` per line, most frequent first.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from paperfeed.search.analyzers import NAMES

FILE = "vocabulary.tsv"
MIN_LENGTH = 3
MAX_LENGTH = 30


def words_of(text: str) -> set[str]:
    """The vocabulary words of ``text``: folded, lowercased, letters only, 3-30 of them.

    >>> sorted(words_of("Graph-based Attention in Jürgen's 3D GNNs"))
    ['attention', 'based', 'gnns', 'graph', 'jurgen']
    """
    return {
        word
        for word in NAMES.analyze(text)
        if MIN_LENGTH <= len(word) <= MAX_LENGTH and word.isascii() and word.isalpha()
    }


def counting(documents: Iterable[dict], counts: Counter) -> Iterator[dict]:
    """``documents`` unchanged, each one's title and abstract words counted into ``counts`` (one
    per document) on the way: the index build reads the papers once for both."""
    for document in documents:
        counts.update(
            words_of((document.get("title") or "") + " " + (document.get("abstract") or ""))
        )
        yield document


def write(directory: Path, counts: Counter) -> Path:
    """Write ``counts`` as :data:`FILE` in ``directory`` (atomically: a temporary file renamed)."""
    path = Path(directory) / FILE
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            out.write(f"{word}\t{count}\n")
    os.replace(temporary, path)
    return path


def read(directory: Path) -> Counter:
    """The counts in ``directory``'s :data:`FILE`; ``FileNotFoundError`` when there is none and
    ``ValueError`` naming the file and line for a malformed line."""
    path = Path(directory) / FILE
    counts: Counter = Counter()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            word, tab, count = line.rstrip("\n").partition("\t")
            if not tab or not word or not count.isdigit():
                raise ValueError(f"{path}, line {number}: expected WORD<TAB>COUNT, got {line!r}")
            counts[word] = int(count)
    return counts


def add(directory: Path, documents: Iterable[dict]) -> Counter:
    """Add the words of ``documents`` to ``directory``'s vocabulary (which must exist)."""
    counts = read(directory)
    for _ in counting(documents, counts):
        pass
    write(directory, counts)
    return counts
