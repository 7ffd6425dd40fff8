r"""A paper as a BibTeX entry: the paper page's "Copy BibTeX" and the BibTeX export. Pure functions.

The entry follows what arXiv and most reference managers expect of a preprint: ``@misc`` with
``eprint``, ``archivePrefix = {arXiv}`` and ``primaryClass`` (biblatex reads these as the arXiv
identifier); ``@article`` with ``journal`` or ``@inproceedings`` with ``booktitle`` once a venue
is known (Semantic Scholar's, else arXiv's journal reference); ``doi``, ``year`` and ``month``
when known; a note on the paper (a collection's, Markdown) as ``annote``, which Zotero imports
as a note.

Text stays UTF-8 (biber, Zotero, JabRef and bibtexparser read it; ``Schrödinger`` stays
``Schrödinger``). Two kinds of text are escaped differently:

- **TeX fields** (:func:`escape`: the title): arXiv titles are TeX source already
  (``$\mathcal{O}(n)$``), so math and macros are kept; only what would break the entry or the
  document is escaped outside math: ``% & # _`` and a ``$`` without its pair.
- **Plain text** (:func:`escape_text`: names, venue, DOI, the note): every TeX special is escaped,
  ``$x^2$`` in a Markdown note included, so a reference manager gives back the very text.

In both, a brace without its pair becomes ``\textbraceleft{}`` / ``\textbraceright{}``: BibTeX
counts every brace, escaped or not, to find a field's end, so ``\{`` alone would swallow the rest
of the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from paperfeed.library.fields import Record, record_of

STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at", "via"}
)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MATH = re.compile(r"(?<!\\)\$(?:[^$\\]|\\.)+?(?<!\\)\$", re.S)
_TEX_SPECIAL = re.compile(r"(?<!\\)([%&#_$])")
_TEX = re.compile(r"\$[^$]*\$|\\[a-zA-Z]+")
_TEXT_SPECIAL = {
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    **{c: "\\" + c for c in "%&#_${}"},
}
_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}


def _outside_math(value: str, escape_part) -> str:
    """``value`` with ``escape_part`` applied to everything but its ``$...$`` spans."""
    out, last = [], 0
    for match in _MATH.finditer(value):
        out += [escape_part(value[last : match.start()]), match.group()]
        last = match.end()
    out.append(escape_part(value[last:]))
    return "".join(out)


def _balance(value: str) -> str:
    r"""Every brace without its pair (counted as BibTeX counts: escaped or not) spelled
    ``\textbraceleft{}`` / ``\textbraceright{}``, its escaping backslash dropped."""
    unmatched: set[int] = set()
    opened: list[int] = []
    for i, char in enumerate(value):
        if char == "{":
            opened.append(i)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                unmatched.add(i)
    unmatched.update(opened)
    out = []
    for i, char in enumerate(value):
        if i in unmatched:
            if out and out[-1] == "\\" and _escaped(value, i):
                out.pop()
            out.append(_BRACES[char])
        else:
            out.append(char)
    return "".join(out)


def _escaped(text: str, i: int) -> bool:
    """Whether ``text[i]`` follows an odd number of backslashes."""
    slashes = len(text[:i]) - len(text[:i].rstrip("\\"))
    return slashes % 2 == 1


def escape(value: str) -> str:
    r"""A TeX field (a title) safe inside ``{...}``: white space collapsed, math and macros
    kept, ``% & # _`` and an unpaired ``$`` escaped outside math, unpaired braces spelled out.

    >>> escape(r"Attention with $\mathcal{O}(n)$ memory")
    'Attention with $\\mathcal{O}(n)$ memory'
    >>> escape("50% faster & cheaper for $5 {sic")
    '50\\% faster \\& cheaper for \\$5 \\textbraceleft{}sic'
    >>> escape(r"already \% done, {KV} cache_size")
    'already \\% done, {KV} cache\\_size'
    """
    value = " ".join(value.split())
    return _balance(_outside_math(value, lambda part: _TEX_SPECIAL.sub(r"\\\1", part)))


def escape_text(value: str) -> str:
    r"""Plain text (a name, a DOI, a Markdown note) safe inside ``{...}``: every TeX special
    escaped, math too, line breaks kept (a note's paragraphs).

    >>> escape_text(r"Read §2: $x^2$ costs 50% {sic} \o/")
    'Read §2: \\$x\\textasciicircum{}2\\$ costs 50\\% \\{sic\\} \\textbackslash{}o/'
    >>> escape_text("a } b")
    'a \\textbraceright{} b'
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _balance("".join(_TEXT_SPECIAL.get(c, c) for c in value))


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).lower())


def cite_key(record: Record) -> str:
    """``lovelace2025attention``: first author's family name, year, first significant title
    word, in ASCII (what Google Scholar and most managers produce); the arXiv id when the
    names give nothing.

    >>> cite_key(Record("2503.01234", "The Attention Span", ("Ada Lovelace", "Alan Turing"),
    ...                 date=__import__("datetime").date(2025, 3, 1)))
    'lovelace2025attention'
    >>> cite_key(Record("cs/9809007", r"$\\mathcal{O}$-bounds", ("Paul Erdős",)))
    'erdosbounds'
    >>> cite_key(Record("cs/9809007", "", ()))
    'arxiv_cs9809007'
    """
    last = _ascii_word(record.names[0].family) if record.authors else ""
    if not last:
        return "arxiv_" + _ascii_word(record.arxiv_id)
    plain = _TEX.sub(" ", record.title)  # math and macros are not words
    words = [w for w in (_ascii_word(w) for w in plain.split()) if w and w not in STOPWORDS]
    year = record.date.year if record.date else ""
    return f"{last}{year}{words[0] if words else ''}"


def unique_keys(keys: Iterable[str]) -> list[str]:
    """``keys`` made unique in order: the first keeps its key, the next get ``a``, ``b``, ...

    >>> unique_keys(["hu2026evo", "hu2026evo", "lee2025x", "hu2026evo"])
    ['hu2026evo', 'hu2026evoa', 'lee2025x', 'hu2026evob']
    """
    taken: set[str] = set()
    out = []
    for key in keys:
        candidate, n = key, 0
        while candidate in taken:
            candidate, n = key + _suffix(n), n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _suffix(n: int) -> str:
    """a, b, ..., z, aa, ab, ..."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _author(name) -> str:
    """One name of the ``and`` list, ``Family, Given``; braced when it holds the word "and"."""
    text = escape_text(name.inverted())
    return "{" + text + "}" if re.search(r"\band\b", text, re.IGNORECASE) else text


def entry(record: Record, *, note: str = "", key: str = "") -> str:
    r"""The BibTeX entry of an arXiv paper (``key``: the citation key, else :func:`cite_key`).

    >>> import datetime as dt
    >>> print(entry(Record("2503.01234", "Fast {KV} caches: 50% less", ("Ada Lovelace",
    ...       "Alan Turing"), date=dt.date(2025, 3, 14), primary_category="cs.LG")))
    @misc{lovelace2025fast,
      title = {Fast {KV} caches: 50\% less},
      author = {Lovelace, Ada and Turing, Alan},
      year = {2025},
      month = mar,
      eprint = {2503.01234},
      archivePrefix = {arXiv},
      primaryClass = {cs.LG},
      url = {https://arxiv.org/abs/2503.01234}
    }
    """
    kind, container = {
        "preprint": ("misc", ""),
        "journal": ("article", "journal"),
        "conference": ("inproceedings", "booktitle"),
    }[record.kind]
    fields = [
        ("title", "{" + escape(record.title) + "}"),
        ("author", "{" + " and ".join(_author(n) for n in record.names) + "}"),
        (container, "{" + escape_text(record.venue) + "}" if container else ""),
        ("year", f"{{{record.date.year}}}" if record.date else ""),
        ("month", MONTHS[record.date.month - 1] if record.date else ""),
        ("doi", "{" + escape_text(record.doi) + "}" if record.doi else ""),
        ("eprint", "{" + escape_text(record.arxiv_id) + "}"),
        ("archivePrefix", "{arXiv}"),
        ("primaryClass", "{" + escape_text(record.primary_category) + "}"),
        ("url", "{" + record.url + "}"),
        ("annote", "{" + escape_text(note.strip()) + "}"),
    ]
    body = ",\n".join(f"  {name} = {value}" for name, value in fields if value.strip("{}"))
    return f"@{kind}{{{key or cite_key(record)},\n{body}\n}}"


def of_paper(paper) -> str:
    """:func:`entry` of a loaded :class:`~paperfeed.papers.models.Paper` (the paper page's)."""
    return entry(record_of(paper))
