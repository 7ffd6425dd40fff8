"""How text is cut into index terms: the lexical index's two tantivy analyzers.

:mod:`paperfeed.search.lexical` registers them on every index it opens and analyses author names
in queries with :data:`NAMES`; :mod:`paperfeed.search.snippets` analyses names with the same
:func:`name_parts` to say which authors matched, so both agree on what a name part is.
"""

from __future__ import annotations

import tantivy

TEXT_ANALYZER = "paperfeed_text"
NAME_ANALYZER = "paperfeed_name"


def text_analyzer() -> tantivy.TextAnalyzer:
    """Words split on non-alphanumerics, >40 bytes dropped, lowercased, accents folded, stemmed."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def name_analyzer() -> tantivy.TextAnalyzer:
    """Name parts lowercased and accent-folded, not stemmed ("Jürgen" -> "jurgen")."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


NAMES = name_analyzer()
TEXT = text_analyzer()


def name_parts(name: str) -> list[str]:
    """The index terms of a name, in order: ``"Jürgen Schmidhuber"`` -> ``["jurgen", "schmidhuber"]``."""
    return NAMES.analyze(name)


def text_terms(text: str) -> list[str]:
    """The index terms of title or abstract text: ``"Graphs of Attention"`` -> ``["graph", "of",
    "attent"]`` (what the index stores, so two words match when their terms are equal)."""
    return TEXT.analyze(text)
