"""A paper as a BibTeX entry, for the paper page's "Copy BibTeX" button: pure functions.

The entry follows what arXiv and most reference managers expect of a preprint: ``@misc`` with
``eprint``, ``archivePrefix = {arXiv}`` and ``primaryClass`` (biblatex reads these as the
arXiv identifier), or ``@article`` with ``journal`` once the paper has a journal reference.
Titles on arXiv are TeX source already (``$\\mathcal{O}(n)$``), so balanced braces and math are
kept as they are; only what would break the entry is escaped: an unbalanced brace (it would end
the field early or swallow the rest of the file) and a bare ``%``, ``&`` or ``#`` (a comment,
an alignment tab and a macro parameter in TeX).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at", "via"}
)
_SPECIAL = re.compile(r"(?<!\\)([%&#])")
_TEX = re.compile(r"\$[^$]*\$|\\[a-zA-Z]+")


def escape(value: str) -> str:
    r"""``value`` safe inside a ``{...}`` field: unbalanced braces and bare ``%&#`` escaped,
    white space collapsed, TeX that is already well-formed left alone.

    >>> escape(r"Attention with $\mathcal{O}(n)$ memory")
    'Attention with $\\mathcal{O}(n)$ memory'
    >>> escape("50% faster & cheaper {sic")
    '50\\% faster \\& cheaper \\{sic'
    >>> escape("a } b { c"), escape(r"already \% done")
    ('a \\} b \\{ c', 'already \\% done')
    """
    value = _SPECIAL.sub(r"\\\1", " ".join(value.split()))
    unmatched: set[int] = set()
    opened: list[int] = []
    for i, char in enumerate(value):
        if char not in "{}" or _escaped(value, i):
            continue
        if char == "{":
            opened.append(i)
        elif opened:
            opened.pop()
        else:
            unmatched.add(i)
    unmatched.update(opened)
    return "".join("\\" + c if i in unmatched else c for i, c in enumerate(value))


def _escaped(text: str, i: int) -> bool:
    """Whether ``text[i]`` follows an odd number of backslashes."""
    slashes = len(text[:i]) - len(text[:i].rstrip("\\"))
    return slashes % 2 == 1


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).lower())


def cite_key(authors: list[str], year: int | None, title: str, arxiv_id: str) -> str:
    """``lovelace2025attention``: first author's last name, year, first significant title
    word, in ASCII (what Google Scholar and most managers produce); the arXiv id when the
    names give nothing.

    >>> cite_key(["Ada Lovelace", "Alan Turing"], 2025, "The Attention Span", "2503.01234")
    'lovelace2025attention'
    >>> cite_key(["Paul Erdős"], 1998, r"$\\mathcal{O}$-bounds", "cs/9809007")
    'erdos1998bounds'
    >>> cite_key([], None, "", "cs/9809007")
    'arxiv_cs9809007'
    """
    last = _ascii_word(authors[0].split()[-1]) if authors and authors[0].split() else ""
    plain = _TEX.sub(" ", title)  # math and macros are not words
    words = [w for w in (_ascii_word(w) for w in plain.split()) if w and w not in STOPWORDS]
    if not last:
        return "arxiv_" + _ascii_word(arxiv_id)
    return f"{last}{year or ''}{words[0] if words else ''}"


def _author(name: str) -> str:
    """One name of the ``and`` list; a name holding the word "and" is braced (one unit)."""
    name = escape(name)
    return "{" + name + "}" if re.search(r"\band\b", name) else name


def entry(
    *,
    arxiv_id: str,
    title: str,
    authors: list[str],
    published: dt.date | None,
    primary_category: str = "",
    doi: str = "",
    journal_ref: str = "",
) -> str:
    r"""The BibTeX entry of an arXiv paper.

    >>> print(entry(arxiv_id="2503.01234", title="Fast {KV} caches: 50% less",
    ...             authors=["Ada Lovelace", "Alan Turing"], published=dt.date(2025, 3, 14),
    ...             primary_category="cs.LG"))
    @misc{lovelace2025fast,
      title = {Fast {KV} caches: 50\% less},
      author = {Ada Lovelace and Alan Turing},
      year = {2025},
      eprint = {2503.01234},
      archivePrefix = {arXiv},
      primaryClass = {cs.LG},
      url = {https://arxiv.org/abs/2503.01234}
    }
    """
    year = published.year if published else None
    fields = [
        ("title", escape(title)),
        ("author", " and ".join(_author(a) for a in authors)),
        ("year", str(year) if year else ""),
        ("journal", escape(journal_ref)),
        ("doi", escape(doi)),
        ("eprint", arxiv_id),
        ("archivePrefix", "arXiv"),
        ("primaryClass", primary_category),
        ("url", f"https://arxiv.org/abs/{arxiv_id}"),
    ]
    kind = "article" if journal_ref.strip() else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{kind}{{{cite_key(authors, year, title, arxiv_id)},\n{body}\n}}"


def of_paper(paper) -> str:
    """:func:`entry` of a decorated :class:`~paperfeed.papers.models.Paper` (its
    ``author_list`` loaded); the year is the first version's, else the feed day's."""
    return entry(
        arxiv_id=paper.arxiv_id,
        title=paper.title,
        authors=[a.name for a in paper.author_list],
        published=paper.published or paper.day,
        primary_category=paper.primary_category,
        doi=paper.doi,
        journal_ref=paper.journal_ref,
    )
