"""Why a lexical hit matched: highlighted, HTML-escaped snippets and readable reasons.

Snippets come from tantivy's SnippetGenerator, whose highlight ranges are UTF-8 byte offsets
into the fragment; :func:`highlight` escapes every piece of text (an abstract holding
``<script>`` comes out as ``&lt;script&gt;``) and wraps only the matches in ``<mark>``.

Only content words are marked or named: a range whose index term is a function word's
(:data:`STOP_TERMS`: "the", "of", ...) still counts for BM25 but is dropped by
:func:`content_ranges`. The reasons (``why``) and :attr:`Hit.matched` are built from the ranges
tantivy finds over the *whole* title and abstract of the paper, each word as the paper spells
it, once per index term and quoted on its own ("title matches “attention”, “graphs”"), so a
reason never names a word, or a phrase, that the field does not hold.
"""

from __future__ import annotations

import html

import tantivy

from paperfeed.search.analyzers import name_parts, text_terms
from paperfeed.search.hits import Hit

ABSTRACT_SNIPPET_CHARS = 240
TITLE_SNIPPET_CHARS = 1000
WHOLE_FIELD_CHARS = 1_000_000
"""A fragment this long is the whole field: the reasons are taken from all of it."""
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


# Function words still count for BM25, but marking "the" and "of" in a snippet, or a reason that
# reads "abstract matches “to of the”", tells the reader nothing: only content words are shown.
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


STOP_TERMS = frozenset(term for word in FUNCTION_WORDS for term in text_terms(word))
"""The index terms of :data:`FUNCTION_WORDS` ("was" is stemmed to "wa")."""


def content_ranges(fragment: str, ranges: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    """``(start, end, word, term)`` for the ranges of ``fragment`` whose word is a content word:
    its index term is not a function word's.

    >>> [r[2:] for r in content_ranges("The graphs of", [(0, 3), (4, 10), (11, 13)])]
    [('graphs', 'graph')]
    """
    data = fragment.encode("utf-8")
    kept = []
    for start, end in sorted(ranges):
        word = data[start:end].decode("utf-8", "replace")
        terms = [t for t in text_terms(word) if t not in STOP_TERMS]
        if terms:
            kept.append((start, end, word, terms[0]))
    return kept


def matched_words(kept: list[tuple[int, int, str, str]]) -> dict[str, str]:
    """``{term: word}``: each index term once, spelled as its first occurrence in the field."""
    words: dict[str, str] = {}
    for _start, _end, word, term in kept:
        words.setdefault(term, word)
    return words


def field_reason(field_name: str, words: list[str]) -> str:
    """``title matches “attention”, “graphs”``: each matched word quoted on its own.

    >>> field_reason("abstract", ["kv", "cache"])
    'abstract matches “kv”, “cache”'
    """
    shown = words[:MAX_WHY_WORDS]
    more = "…" if len(words) > len(shown) else ""
    return f"{field_name} matches " + ", ".join(f"“{w}”" for w in shown) + more


def _plain_excerpt(text: str, limit: int = ABSTRACT_SNIPPET_CHARS) -> str:
    if len(text) <= limit:
        return html.escape(text)
    cut = text.rfind(" ", 0, limit)
    return html.escape(text[: cut if cut > limit // 2 else limit]) + " …"


def best_window(text: str, kept: list[tuple[int, int, str, str]], chars: int) -> str:
    """An excerpt of about ``chars`` bytes of ``text`` with its content words marked: the window
    holding the most distinct matched terms (``kept``, byte ranges; the earliest on a tie), from
    a little before its first match, cut at spaces, "…" where text was left out.

    >>> best_window("aa bb cc dd ee ff", [(3, 5, "bb", "bb"), (12, 14, "ee", "ee")], 8)
    'aa <mark>bb</mark> …'
    """
    data = text.encode("utf-8")
    best, best_score = 0, -1
    for i, (start, *_rest) in enumerate(kept):
        terms = {t for s, e, _w, t in kept[i:] if e - start <= chars}
        if len(terms) > best_score:
            best, best_score = i, len(terms)
    first = kept[best][0]
    begin = data.rfind(b" ", 0, max(0, first - chars // 6)) + 1 if first > chars // 6 else 0
    end = len(data)
    if end - begin > chars:
        cut = data.rfind(b" ", begin, begin + chars)
        end = cut if cut > max(first, begin + chars // 2) else begin + chars
    while end < len(data) and (data[end] & 0xC0) == 0x80:  # never inside a UTF-8 character
        end += 1
    marks = [(s - begin, e - begin) for s, e, _w, _t in kept if s >= begin and e <= end]
    body = highlight(data[begin:end].decode("utf-8", "replace"), marks)
    return ("… " if begin else "") + body.strip() + (" …" if end < len(data) else "")


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
            ("abstract", WHOLE_FIELD_CHARS),
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
        matched: dict[str, list[str]] = {}
        if paper_id in parsed.ids:
            why.append(f"arXiv id {paper_id}")
        common: list[str] = []  # fields that matched on function words alone
        for field_name in ("title", "abstract") if generators else ():
            snippet = generators[field_name].snippet_from_doc(doc)
            fragment = snippet.fragment()
            ranges = [(r.start, r.end) for r in snippet.highlighted()]
            kept = content_ranges(fragment, ranges)
            if not kept:
                common += [field_name] if ranges else []
                continue
            words = list(matched_words(kept).values())
            matched[field_name] = words
            why.append(field_reason(field_name, words))
            terms.update((w.lower(), None) for w in words)
            if field_name == "title":
                snippets["title"] = highlight(fragment, [(a, b) for a, b, _, _ in kept])
            else:
                snippets["abstract"] = best_window(fragment, kept, ABSTRACT_SNIPPET_CHARS)
        if common and not matched:
            verb = "matches" if len(common) == 1 else "match"
            why.append(f"{' and '.join(common)} {verb} only common words of the query")
        if "abstract" not in snippets:
            snippets["abstract"] = _plain_excerpt(doc.get_first("abstract") or "")
        authors = _matching_authors(doc.get_all("authors"), author_filters, parsed.words)
        if authors:
            matched["authors"] = authors
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
            in_category = [
                c for c in categories if c.lower() == wanted or c.lower().startswith(wanted + ".")
            ]
            if in_category:
                why.append(f"in {', '.join(in_category)}")
        hits.append(
            Hit(
                id=paper_id,
                score=float(score),
                why=why,
                terms=list(terms),
                snippets=snippets,
                matched=matched,
            )
        )
    return hits
