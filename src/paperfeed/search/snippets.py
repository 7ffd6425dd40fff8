"""Why a lexical hit matched: highlighted, HTML-escaped snippets and readable reasons.

Snippets come from tantivy's SnippetGenerator, whose highlight ranges are UTF-8 byte offsets
into the fragment; :func:`highlight` escapes every piece of text (an abstract holding
``<script>`` comes out as ``&lt;script&gt;``) and wraps only the matches in ``<mark>``.
"""

from __future__ import annotations

import html

import tantivy

from paperfeed.search.analyzers import name_parts
from paperfeed.search.hits import Hit

ABSTRACT_SNIPPET_CHARS = 240
TITLE_SNIPPET_CHARS = 1000
MAX_WHY_WORDS = 6


def highlight(fragment: str, ranges: list[tuple[int, int]]) -> str:
    """HTML-escaped ``fragment`` with the byte ranges ``ranges`` wrapped in ``<mark>``.

    >>> highlight("a <b> kv", [(6, 8)])
    'a &lt;b&gt; <mark>kv</mark>'
    """
    data = fragment.encode("utf-8")
    out: list[str] = []
    position = 0
    for start, end in sorted(ranges):
        start, end = max(start, position), min(end, len(data))
        if start >= end:
            continue
        out.append(html.escape(data[position:start].decode("utf-8", "replace")))
        out.append("<mark>" + html.escape(data[start:end].decode("utf-8", "replace")) + "</mark>")
        position = end
    out.append(html.escape(data[position:].decode("utf-8", "replace")))
    return "".join(out)


def matched_words(fragment: str, ranges: list[tuple[int, int]]) -> list[str]:
    """The highlighted words of ``fragment`` in order, each once (case-insensitively)."""
    data = fragment.encode("utf-8")
    seen: dict[str, str] = {}
    for start, end in sorted(ranges):
        word = data[start:end].decode("utf-8", "replace")
        seen.setdefault(word.lower(), word)
    return list(seen.values())


# function words still count for BM25 and stay highlighted in snippets, but a reason that reads
# "abstract matches “to of the”" tells the reader nothing: the reasons name content words
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "were",
        "which",
        "with",
        "we",
        "our",
        "via",
        "using",
    ]
)


def _quote(words: list[str]) -> str:
    content = [w for w in words if w.lower() not in FUNCTION_WORDS] or words
    shown = content[:MAX_WHY_WORDS]
    return "“" + " ".join(shown) + ("…" if len(content) > len(shown) else "") + "”"


def _plain_excerpt(text: str, limit: int = ABSTRACT_SNIPPET_CHARS) -> str:
    if len(text) <= limit:
        return html.escape(text)
    cut = text.rfind(" ", 0, limit)
    return html.escape(text[: cut if cut > limit // 2 else limit]) + " …"


def _matching_authors(names: list[str], filters: list[str], words: tuple[str, ...]) -> list[str]:
    """Authors matched by an ``author:`` filter (prefix of a name part) or a query word."""
    wanted_prefixes = [parts[-1] for parts in (name_parts(f) for f in filters) if parts]
    wanted_words = {part for word in words for part in name_parts(word)}
    found = []
    for name in names:
        parts = name_parts(name)
        if any(p.startswith(w) for p in parts for w in wanted_prefixes) or wanted_words & set(
            parts
        ):
            found.append(name)
    return found


def explain(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    raw_hits: list,
    parsed,
    text_query: tantivy.Query | None,
    *,
    author_filters: list[str],
) -> list[Hit]:
    """:class:`Hit` objects, with ``why``, ``terms`` and ``snippets``, for tantivy's raw hits.

    ``text_query`` None: no snippets from the words (filter-only queries, or not wanted).
    """
    generators = {}
    if text_query is not None:
        for field_name, chars in (
            ("title", TITLE_SNIPPET_CHARS),
            ("abstract", ABSTRACT_SNIPPET_CHARS),
        ):
            generator = tantivy.SnippetGenerator.create(searcher, text_query, schema, field_name)
            generator.set_max_num_chars(chars)
            generators[field_name] = generator
    hits = []
    for score, address in raw_hits:
        doc = searcher.doc(address)
        paper_id = doc.get_first("id")
        why: list[str] = []
        terms: dict[str, None] = {}
        snippets: dict[str, str] = {}
        if paper_id in parsed.ids:
            why.append(f"arXiv id {paper_id}")
        for field_name, generator in generators.items():
            snippet = generator.snippet_from_doc(doc)
            fragment = snippet.fragment()
            ranges = [(r.start, r.end) for r in snippet.highlighted()]
            if ranges:
                words = matched_words(fragment, ranges)
                why.append(f"{field_name} matches {_quote(words)}")
                terms.update((w.lower(), None) for w in words)
                snippets[field_name] = highlight(fragment, ranges)
        if "abstract" not in snippets:
            snippets["abstract"] = _plain_excerpt(doc.get_first("abstract") or "")
        authors = _matching_authors(doc.get_all("authors"), author_filters, parsed.words)
        if authors:
            why.append(("author " if len(authors) == 1 else "authors ") + ", ".join(authors[:3]))
            terms.update(
                (part, None)
                for name in authors
                for part in name_parts(name)
                if part in parsed.words
                or any(part.startswith(p) for f in author_filters for p in name_parts(f)[-1:])
            )
        categories = doc.get_all("categories")
        for wanted in parsed.categories:
            matched = [
                c for c in categories if c.lower() == wanted or c.lower().startswith(wanted + ".")
            ]
            if matched:
                why.append(f"in {', '.join(matched)}")
        hits.append(
            Hit(id=paper_id, score=float(score), why=why, terms=list(terms), snippets=snippets)
        )
    return hits
