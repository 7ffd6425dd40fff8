"""Papers (with a note each) as BibTeX, RIS, CSL-JSON or Markdown: what reference managers read.

``export(entries, fmt)`` writes a list of :class:`Entry` in one of :data:`FORMATS`;
``load_entries(ids, notes)`` reads the papers for it in four queries whatever their number. The
paper page, a collection, search results and a member's whole library all export through here.

Each format carries the arXiv identity the way its readers expect it (Zotero, JabRef, Mendeley,
citeproc): BibTeX's ``eprint``/``archivePrefix``/``primaryClass`` (:mod:`paperfeed.library.bibtex`),
RIS's ``AN``/``DB``, CSL's ``number``/``archive``; a venue (Semantic Scholar's, else arXiv's
journal reference) makes the paper a journal article or a conference paper. A note is a
collection's Markdown note on the paper: BibTeX ``annote``, RIS ``N1``, CSL ``note``, Markdown
``## Note``. Citation keys (BibTeX keys, CSL ids, RIS ``ID``) are unique within one export.

RIS has no escaping: a value is one line, and lines that do not start with a tag continue it. A
note's or an abstract's line breaks are therefore kept as continuation lines, and a line of
them that would read as a tag (``ER  - ``) gets a leading space, so no text can end the record.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from paperfeed.library import bibtex
from paperfeed.library.fields import Record, record_of
from paperfeed.papers.models import Authorship, Paper

CHUNK = 500
"""Ids per query when loading (SQLite caps the parameters of one statement)."""


@dataclass(frozen=True)
class Entry:
    paper: Paper
    note: str = ""
    """A Markdown note on the paper (a collection's), exported with it."""


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    content_type: str
    label: str


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("bibtex", "bib", "application/x-bibtex; charset=utf-8", "BibTeX"),
        Format("ris", "ris", "application/x-research-info-systems; charset=utf-8", "RIS"),
        Format(
            "csl-json",
            "csl.json",
            "application/vnd.citationstyles.csl+json; charset=utf-8",
            "CSL-JSON",
        ),
        Format("markdown", "md", "text/markdown; charset=utf-8", "Markdown"),
    )
}


def export(entries: Iterable[Entry], fmt: str) -> str:
    """``entries`` written in the format named ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt[:40]!r}")
    pairs = [(record_of(e.paper), _lines(e.note)) for e in entries]
    keys = bibtex.unique_keys(bibtex.cite_key(record) for record, _ in pairs)
    items = [(record, note, key) for (record, note), key in zip(pairs, keys, strict=True)]
    return _WRITERS[fmt](items)


def _lines(note: str) -> str:
    """A note with every line break (``\\r\\n``, ``\\u2028``, ...) written ``\\n``, trimmed."""
    return "\n".join(note.splitlines()).strip()


def _bibtex(items) -> str:
    return "".join(bibtex.entry(r, note=note, key=key) + "\n\n" for r, note, key in items)


# -- RIS -------------------------------------------------------------------------------------
_TAG_LIKE = re.compile(r"^[A-Z][A-Z0-9]  -")
RIS_TYPES = {"preprint": "GEN", "journal": "JOUR", "conference": "CPAPER"}


def _ris_value(value: str) -> str:
    """``value``'s lines, continuation lines that look like a tag indented by one space."""
    lines = value.splitlines() or [""]  # every line separator a reader may split on
    return "\n".join(lines[:1] + [" " + li if _TAG_LIKE.match(li) else li for li in lines[1:]])


def _ris_one(record: Record, note: str, key: str) -> str:
    tags = [("TY", RIS_TYPES[record.kind]), ("ID", key), ("TI", record.title)]
    tags += [("AU", name.inverted()) for name in record.names]
    if record.date:
        tags += [("PY", str(record.date.year)), ("DA", record.date.strftime("%Y/%m/%d"))]
    if record.venue:
        tags.append(("JO" if record.kind == "journal" else "T2", record.venue))
    tags += [
        ("AB", record.abstract.strip()),
        ("UR", record.url),
        ("DO", record.doi),
        ("AN", f"arXiv:{record.arxiv_id}"),
        ("DB", "arXiv"),
        ("M3", "Preprint" if record.kind == "preprint" else ""),
    ]
    tags += [("KW", c) for c in record.categories]
    tags.append(("N1", note))
    lines = [f"{tag}  - {_ris_value(value)}" for tag, value in tags if value]
    return "\n".join([*lines, "ER  - "]) + "\n"


def _ris(items) -> str:
    return "\n".join(_ris_one(*item) for item in items)


# -- CSL-JSON --------------------------------------------------------------------------------
CSL_TYPES = {"preprint": "article", "journal": "article-journal", "conference": "paper-conference"}


def csl_item(record: Record, note: str, key: str) -> dict:
    """One CSL-JSON item (citeproc's input; Zotero and pandoc read it)."""
    item = {
        "id": key,
        "type": CSL_TYPES[record.kind],
        "title": record.title,
        "author": [
            {k: v for k, v in (("family", n.family), ("given", n.given), ("suffix", n.suffix)) if v}
            for n in record.names
        ],
        "URL": record.url,
        "archive": "arXiv",
        "number": f"arXiv:{record.arxiv_id}",
    }
    if record.kind == "preprint":
        item["publisher"] = "arXiv"
    if record.date:
        item["issued"] = {"date-parts": [[record.date.year, record.date.month, record.date.day]]}
    optional = {
        "DOI": record.doi,
        "container-title": record.venue,
        "abstract": record.abstract.strip(),
        "keyword": ", ".join(record.categories),
        "note": note,
    }
    item.update({k: v for k, v in optional.items() if v})
    return item


def _csl(items) -> str:
    return json.dumps([csl_item(*item) for item in items], ensure_ascii=False, indent=2) + "\n"


# -- Markdown --------------------------------------------------------------------------------
def markdown_one(record: Record, note: str, key: str) -> str:
    """A paper for people and language models: title, authors, date, links, abstract, note."""
    facts = [f"**Authors:** {', '.join(record.authors) or 'unknown'}"]
    if record.date:
        facts.append(f"**Published:** {record.date.isoformat()}")
    if record.categories:
        facts.append(f"**Categories:** {', '.join(record.categories)}")
    if record.venue:
        facts.append(f"**Venue:** {record.venue}")
    links = [f"[arXiv:{record.arxiv_id}]({record.url})", f"[PDF]({record.pdf_url})"]
    if record.doi:
        links.append(f"[DOI {record.doi}]({record.doi_url})")
    facts += [f"**Links:** {' · '.join(links)}", f"**Cite as:** `{key}`"]
    parts = [f"# {record.title}", "  \n".join(facts)]
    parts += ["## Abstract", record.abstract.strip() or "No abstract."]
    if note:
        parts += ["## Note", note]
    return "\n\n".join(parts) + "\n"


def _markdown(items) -> str:
    return "\n---\n\n".join(markdown_one(*item) for item in items)


_WRITERS = {"bibtex": _bibtex, "ris": _ris, "csl-json": _csl, "markdown": _markdown}


# -- loading ---------------------------------------------------------------------------------
def load_entries(paper_ids: list[str], notes: dict[str, str] | None = None) -> list[Entry]:
    """The visible papers with ``paper_ids`` as entries, in that order (unknown or hidden ids
    dropped, repeats kept once), each with its note from ``notes``; authors and signals loaded
    in a fixed number of queries per :data:`CHUNK` ids."""
    notes = notes or {}
    wanted = list(dict.fromkeys(paper_ids))
    authorships = Authorship.objects.select_related("author").order_by("position")
    found: dict[str, Paper] = {}
    for start in range(0, len(wanted), CHUNK):
        papers = (
            Paper.objects.visible()
            .filter(arxiv_id__in=wanted[start : start + CHUNK])
            .defer("title_raw", "abstract_raw")
            .select_related("signals")
            .prefetch_related(Prefetch("authorships", queryset=authorships, to_attr="_authorships"))
            .order_by()
        )
        for paper in papers:
            paper.author_list = [a.author for a in paper._authorships]
            try:
                paper.external = paper.signals
            except Paper.signals.RelatedObjectDoesNotExist:
                paper.external = None
            found[paper.arxiv_id] = paper
    return [Entry(found[i], notes.get(i, "")) for i in wanted if i in found]


SEARCH_EXPORT_MAX = 200
"""The most results a search export holds (the best ones): the pages show 20 at a time."""


def search_entries(
    query: str,
    *,
    mode: str = "hybrid",
    categories: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    author: str | None = None,
    sort: str = "relevance",
    limit: int = SEARCH_EXPORT_MAX,
) -> list[Entry]:
    """The best ``limit`` (at most :data:`SEARCH_EXPORT_MAX`) results of a search, as the
    search page and the API ask it (:func:`paperfeed.search.search`), ready to export.
    Raises ``ValueError`` for a bad mode or sort, ``IndexMissing`` when no index exists."""
    from paperfeed.search import search  # deferred: loads the indexes' libraries

    result = search(
        query,
        mode=mode,
        limit=min(limit, SEARCH_EXPORT_MAX),
        offset=0,
        categories=categories or None,
        since=since,
        until=until,
        author=author or None,
        sort=sort,
    )
    return load_entries([hit.id for hit in result.hits])
