"""Turn what a person typed into a search box into a safe, structured query.

The query language (a superset of tantivy's, see docs/search.md)::

    kv cache                     words: papers with any of them, the more the better (BM25)
    "kv cache"                   a phrase
    +kv -quantization            must / must not; AND, OR, NOT and (brackets) as in tantivy
    title:attention              a word (or "phrase") in the title; abstract: likewise
    author:vaswani               an author's name part, exactly (Hinton, never Hilton)
    author:"G. Hinton"           a full name, initials-aware; a name that matches no author at
                                 all falls back to similar names (prefix, one edit), labelled
    cat:cs.CL   cat:cs           a category; an archive alone (cs) matches all of its categories
    -cat:cs.CV  -author:smith    excluded
    has:code                     only papers with code (a repository or Hugging Face artifact)
    2503.11731, arXiv:2503.11731v2, https://arxiv.org/abs/2503.11731   that paper first

Nothing here raises on any input: text is normalised (NFKC), control characters dropped, the
length capped at :data:`MAX_QUERY_CHARS`, and :attr:`ParsedQuery.words` keeps a plain-words form
that the index falls back to when tantivy's parser rejects :attr:`ParsedQuery.text`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id

MAX_QUERY_CHARS = 1000
"""Longer queries are cut at the last space before this many characters."""

FIELD_ALIASES = {
    "author": "author",
    "authors": "author",
    "au": "author",
    "cat": "cat",
    "category": "cat",
    "categories": "cat",
    "id": "id",
    "arxiv": "id",
    "title": "title",
    "ti": "title",
    "abstract": "abstract",
    "abs": "abstract",
}
"""Field prefixes a user may type, mapped to the field they mean."""

HAS_CODE = "has:code"
"""The filter for papers with code, taken out of the text."""

_CONTROL_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
_WORD_RE = re.compile(r"[^\W_]+")
_TOKEN_RE = re.compile(
    r"""(?P<neg>[-+]?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))"""
)
_ID_PREFIX_RE = re.compile(r"^(?:https?://|www\.|arxiv\.org/|arxiv:)", re.IGNORECASE)
_CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[a-z][a-z-]*)?$")


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into tantivy text and the filters paperfeed applies itself.

    ``text`` goes to tantivy's query parser (phrases, ``title:``, boolean operators);
    ``words`` is the same text as plain lowercase words, the fallback when the parser rejects
    ``text``; ``authors``/``categories`` are required (several categories: any of them),
    ``not_*`` excluded; ``ids`` are arXiv ids the query names, shown first; ``has_code``: only
    papers with code (``has:code``; the database knows which, the index does not).
    """

    text: str = ""
    words: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    not_authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    not_categories: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    has_code: bool = False

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to search for: no words, filters or ids."""
        return not (self.words or self.authors or self.categories or self.ids or self.has_code)

    @property
    def has_text(self) -> bool:
        return bool(self.words)


def clean(raw: object) -> str:
    """NFKC-normalised text without control characters, white space collapsed, length capped."""
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    text = unicodedata.normalize("NFKC", raw[: MAX_QUERY_CHARS * 4])
    text = "".join(" " if unicodedata.category(ch) in _CONTROL_CATEGORIES else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text.rfind(" ", 0, MAX_QUERY_CHARS)
        text = text[: cut if cut > MAX_QUERY_CHARS // 2 else MAX_QUERY_CHARS].rstrip()
    return text


def plain_words(text: str) -> list[str]:
    """Lowercase runs of letters and digits: the query with every operator removed.

    >>> plain_words('"KV-cache" AND (Llama-3')
    ['kv', 'cache', 'and', 'llama', '3']
    """
    return [w.lower() for w in _WORD_RE.findall(text)]


def as_arxiv_id(text: str) -> str | None:
    """The arXiv id ``text`` names (bare, versioned, ``arXiv:`` or a URL), else ``None``."""
    try:
        return parse_arxiv_id(text).id
    except InvalidArxivId:
        return None


def normalise_category(text: str) -> str | None:
    """``cs.CL`` -> ``cs.cl``, ``CS`` -> ``cs``; ``None`` when it cannot be a category."""
    value = text.strip().lower()
    return value if _CATEGORY_RE.match(value) else None


def _requote(token: str) -> str:
    """A phrase safe inside tantivy's double quotes."""
    return '"' + token.replace("\\", " ").replace('"', " ") + '"'


def parse(raw: object) -> ParsedQuery:
    """Split a typed query into text for tantivy and paperfeed's own filters; never raises."""
    text = clean(raw)
    if not text:
        return ParsedQuery()
    whole_id = as_arxiv_id(text)
    if whole_id:
        return ParsedQuery(ids=(whole_id,))
    if text.count('"') % 2:  # an unbalanced quote: the last one is a stray character
        last = text.rfind('"')
        text = text[:last] + " " + text[last + 1 :]
    parts: list[str] = []
    has_code = False
    found: dict[str, list[str]] = {
        k: [] for k in ("authors", "not_authors", "categories", "not_categories", "ids")
    }
    for match in _TOKEN_RE.finditer(text):
        negated = match["neg"] == "-"
        field = FIELD_ALIASES.get((match["field"] or "").lower())
        value = match["quoted"] if match["quoted"] is not None else match["bare"]
        value = value.strip()
        token = match[0][len(match["neg"]) :]
        if not negated and _looks_like_id(token) and as_arxiv_id(token):
            found["ids"].append(as_arxiv_id(token))
            continue
        if not negated and token.lower() == HAS_CODE:
            has_code = True
            continue
        if match["field"] and field is None:  # an unknown field: its name and value are words
            parts.append(match["neg"] + " ".join(plain_words(match["field"] + " " + value)))
            continue
        if field == "author" and plain_words(value):
            found["not_authors" if negated else "authors"].append(value)
        elif field == "cat" and normalise_category(value):
            found["not_categories" if negated else "categories"].append(normalise_category(value))
        elif field == "id" and as_arxiv_id(value):
            found["ids"].append(as_arxiv_id(value))
        elif field in ("title", "abstract"):
            if plain_words(value):
                quote = match["quoted"] is not None or ":" in value
                body = _requote(value) if quote else value
                parts.append(f"{match['neg']}{field}:{body}")
        elif field in ("author", "cat", "id"):  # an empty or unusable filter value: plain words
            parts.append(" ".join(plain_words(value)))
        elif match["quoted"] is not None:
            if plain_words(value):
                parts.append(match["neg"] + _requote(value))
        elif ":" in match[0]:  # tantivy would read "x:" as a field name: keep the words only
            parts.append(match["neg"] + " ".join(plain_words(match[0])))
        else:
            parts.append(match[0])
    query_text = " ".join(p for p in parts if p.strip())
    words = tuple(plain_words(query_text))
    return ParsedQuery(
        text=query_text if words else "",
        words=words,
        authors=tuple(found["authors"]),
        not_authors=tuple(found["not_authors"]),
        categories=tuple(dict.fromkeys(found["categories"])),
        not_categories=tuple(dict.fromkeys(found["not_categories"])),
        ids=tuple(dict.fromkeys(found["ids"])),
        has_code=has_code,
    )


def _looks_like_id(token: str) -> bool:
    """Cheap pre-check before :func:`as_arxiv_id`: digits with a dot, a slash or a URL prefix."""
    return (
        bool(_ID_PREFIX_RE.match(token))
        or ("." in token or "/" in token)
        and any(ch.isdigit() for ch in token)
    )


# --------------------------------------------------------------------------- query kinds

QUERY_KINDS = ("author", "phrase", "identifier", "keywords", "description")
"""What a query looks like, most lexical first: how :func:`classify` names it, and what
``hybrid.KIND_WEIGHTS`` weighs the meaning side by."""

FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "by",
        "from",
        "and",
        "or",
        "that",
        "which",
        "how",
        "what",
        "why",
        "when",
        "where",
        "who",
        "is",
        "are",
        "was",
        "were",
        "be",
        "can",
        "do",
        "does",
        "using",
        "use",
        "used",
        "into",
        "over",
        "under",
        "between",
        "about",
        "as",
        "at",
        "their",
        "its",
        "this",
        "these",
        "those",
        "we",
        "our",
    ]
)
"""Words that make a query read as a sentence rather than a keyword list."""

_IDENTIFIER_RE = re.compile(
    r"""^(?:
        (?=.*\d)(?=.*[A-Za-z])[\w.+-]+           # letters and digits: gpt-4o, r1-zero, 6dof
      | [A-Z][A-Z0-9]+(?:-[A-Za-z0-9]+)*           # an acronym: GRPO, MGMT, VINS-Mono
      | [a-z]+[A-Z][A-Za-z]*                       # camelCase: LangGraph's shape, iPhone
      | [A-Z][a-z]+[A-Z][A-Za-z]*                  # PascalCase: LangGraph, PoseStreamer
    )$""",
    re.VERBOSE,
)
DESCRIPTION_WORDS = 7
"""A query of at least this many words reads as a description of a paper."""


def is_identifier(token: str) -> bool:
    """A token that names a thing rather than a topic: an acronym, a model or method name with
    digits, camel case.

    >>> [is_identifier(t) for t in ("GRPO", "gpt-4o", "LangGraph", "attention", "A")]
    [True, True, True, False, False]
    """
    return bool(_IDENTIFIER_RE.match(token.strip(".,;:()")))


def classify(parsed: ParsedQuery, names: Collection[str] = ()) -> str:
    """The kind of a query, one of :data:`QUERY_KINDS`: a pure function of its words.

    ``names``: words of the query known to be author names (the lexical index knows which:
    ``LexicalIndex.name_words``).  In order: an ``author:`` filter or a name -> ``author``; a quoted phrase -> ``phrase``; a short query (< :data:`DESCRIPTION_WORDS` words)
    naming an acronym, a versioned model or a camel-case method -> ``identifier``; a long one, or
    one of five words or more with two function words -> ``description``; else ``keywords``.

    >>> classify(parse("how do transformers learn in context from few examples"))
    'description'
    >>> classify(parse("kv cache eviction")), classify(parse("GRPO reward hacking"))
    ('keywords', 'identifier')
    """
    tokens = parsed.text.replace('"', " ").split()
    words = [w for w in parsed.words if w not in ("and", "or", "not")]
    function = sum(1 for w in words if w in FUNCTION_WORDS)
    long = len(words) >= DESCRIPTION_WORDS or (len(words) >= 5 and function >= 2)
    if parsed.authors or set(names) & set(words):
        return "author"
    if '"' in parsed.text:
        return "phrase"
    if long:
        return "description"
    if any(is_identifier(t) for t in tokens):
        return "identifier"
    return "keywords"


def filter_tokens(raw: object) -> list[tuple[int, int, str]]:
    """The filters typed into a query, as ``(start, end, token)`` spans of :func:`clean`'s text,
    in order: ``author:``/``cat:`` (also negated) and ``has:code`` — what "drop this filter"
    takes out of the query.

    >>> [t for _, _, t in filter_tokens('kv cache author:"Yann LeCun" -cat:cs.CV has:code')]
    ['author:"Yann LeCun"', '-cat:cs.CV', 'has:code']
    """
    text = clean(raw)
    if as_arxiv_id(text):
        return []
    found = []
    for match in _TOKEN_RE.finditer(text):
        field = FIELD_ALIASES.get((match["field"] or "").lower())
        value = (match["quoted"] if match["quoted"] is not None else match["bare"]).strip()
        token = match[0]
        if (
            (match["neg"] != "-" and token[len(match["neg"]) :].lower() == HAS_CODE)
            or (field == "author" and plain_words(value))
            or (field == "cat" and normalise_category(value))
        ):
            found.append((match.start(), match.end(), token))
    return found


def without_span(raw: object, start: int, end: int) -> str:
    """:func:`clean`'s text of ``raw`` with ``start:end`` cut out (a span of :func:`filter_tokens`)."""
    text = clean(raw)
    return " ".join((text[:start] + " " + text[end:]).split())
