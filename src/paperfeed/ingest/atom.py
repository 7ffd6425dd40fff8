"""arXiv query API responses (``/api/query``, Atom 1.0 with ``arxiv:`` extensions).

    <entry>
      <id>http://arxiv.org/abs/1501.05039v1</id>          -> id 1501.05039, version 1
      <published>2015-01-21T02:41:55Z</published>           -> published (date of v1)
      <updated>2015-01-21T02:41:55Z</updated>               -> updated (date of this version)
      <title>, <summary>                                    -> kept as sent (hard-wrapped)
      <author><name/><arxiv:affiliation/>*</author>         -> affiliations joined with "; "
      <arxiv:primary_category term="cs.DB"/>                -> first category
      <category term="cs.CY"/> <category term="03B70, 68Q99"/> -> arXiv terms only (no MSC/ACM)
      <arxiv:doi/> <arxiv:journal_ref/> <arxiv:comment/>
    </entry>

An error feed (an entry whose id is ``http://arxiv.org/api/errors#...``) raises
:class:`ArxivApiError` (a :class:`SourceError`) with arXiv's message. :func:`parse` streams
files; :func:`parse_feed` reads one API page and its ``opensearch:`` paging numbers for the
harvester.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from lxml import etree

from paperfeed.ingest.records import (
    AuthorRecord,
    PaperRecord,
    Rejected,
    SourceError,
    make_record,
    parse_date,
)
from paperfeed.ingest.xmlstream import iter_elements, text_of

SOURCE = "arxiv-atom"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ERROR_ID = re.compile(r"^https?://(?:export\.)?arxiv\.org/api/errors\b")

# Archives of arXiv's category taxonomy, current and retired (https://arxiv.org/category_taxonomy).
ARCHIVES = [
    *("astro-ph", "cond-mat", "cs", "econ", "eess", "gr-qc", "hep-ex", "hep-lat", "hep-ph"),
    *("hep-th", "math", "math-ph", "nlin", "nucl-ex", "nucl-th", "physics", "q-bio", "q-fin"),
    *("quant-ph", "stat"),
    # retired archives, still in old-style ids and categories
    *("acc-phys", "adap-org", "alg-geom", "ao-sci", "atom-ph", "bayes-an", "chao-dyn", "chem-ph"),
    *("cmp-lg", "comp-gas", "dg-ga", "funct-an", "mtrl-th", "patt-sol", "plasm-ph", "q-alg"),
    *("solv-int", "supr-con"),
]
_CATEGORY_RE = re.compile(
    rf"^(?:{'|'.join(re.escape(a) for a in ARCHIVES)})(?:\.[A-Za-z]+(?:-[a-z]+)?)?$"
)
_TERM_SPLIT = re.compile(r"[,;\s]+")


class ArxivApiError(SourceError):
    """The query API answered with an error feed (bad id, bad query); the message is arXiv's."""


@dataclass
class AtomPage:
    """One page of query API results with its ``opensearch:`` paging numbers (None: absent)."""

    records: list[PaperRecord | Rejected] = field(default_factory=list)
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None


def is_arxiv_category(term: str) -> bool:
    """``cs.DB``, ``physics.ed-ph``, ``hep-th`` are; MSC (``03B70``) and ACM (``F.4.1``) are not."""
    return bool(_CATEGORY_RE.match(term))


def categories_of(entry: etree._Element) -> list[str]:
    """Primary category first, then the other arXiv category terms in feed order."""
    terms = [el.get("term") or "" for el in entry.iterchildren(f"{ARXIV}primary_category")]
    terms += [el.get("term") or "" for el in entry.iterchildren(f"{ATOM}category")]
    result: list[str] = []
    for term in terms:
        for part in _TERM_SPLIT.split(term):
            if is_arxiv_category(part) and part not in result:
                result.append(part)
    return result


def authors_of(entry: etree._Element) -> list[AuthorRecord]:
    authors = []
    for author in entry.iterchildren(f"{ATOM}author"):
        affiliations = [text_of(a).strip() for a in author.iterchildren(f"{ARXIV}affiliation")]
        authors.append(
            AuthorRecord(
                text_of(author.find(f"{ATOM}name")), "; ".join(a for a in affiliations if a)
            )
        )
    return authors


def license_of(entry: etree._Element) -> str:
    """``arxiv:license`` when the API sends it, else an Atom ``rel="license"`` link."""
    text = text_of(entry.find(f"{ARXIV}license")).strip()
    if text:
        return text
    for link in entry.iterchildren(f"{ATOM}link"):
        if link.get("rel") == "license" and link.get("href"):
            return link.get("href")
    return ""


def record_from_entry(entry: etree._Element, location: str) -> PaperRecord | Rejected:
    """One ``<entry>`` as a record (an arXiv error entry raises SourceError)."""
    raw_id = text_of(entry.find(f"{ATOM}id")).strip()
    if ERROR_ID.match(raw_id):
        message = " ".join(text_of(entry.find(f"{ATOM}summary")).split()) or raw_id
        raise ArxivApiError(f"{location}: the arXiv API answered with an error: {message}")
    try:
        return make_record(
            raw_id=raw_id,
            title=text_of(entry.find(f"{ATOM}title")),
            source=SOURCE,
            location=location,
            abstract_raw=text_of(entry.find(f"{ATOM}summary")),
            authors=authors_of(entry),
            categories=categories_of(entry),
            published=parse_date(text_of(entry.find(f"{ATOM}published")), what="published"),
            updated=parse_date(text_of(entry.find(f"{ATOM}updated")), what="updated"),
            comment=text_of(entry.find(f"{ARXIV}comment")),
            journal_ref=text_of(entry.find(f"{ARXIV}journal_ref")),
            doi=text_of(entry.find(f"{ARXIV}doi")),
            license=license_of(entry),
        )
    except ValueError as exc:
        return Rejected(location, str(exc))


def _entry_location(name: str, entry: etree._Element, number: int) -> str:
    raw_id = text_of(entry.find(f"{ATOM}id")).strip()
    shown = raw_id.rsplit("/abs/", 1)[-1] if raw_id else ""
    detail = f"entry {number}, id {shown}" if shown else f"entry {number}"
    return f"{name}:line {entry.sourceline} ({detail})"


def _int_or_none(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _parse(stream: BinaryIO, name: str, page: AtomPage | None) -> Iterator[PaperRecord | Rejected]:
    paging = {
        f"{OPENSEARCH}totalResults": "total_results",
        f"{OPENSEARCH}startIndex": "start_index",
        f"{OPENSEARCH}itemsPerPage": "items_per_page",
    }
    number = 0
    for element in iter_elements(
        stream,
        name,
        root=f"{ATOM}feed",
        what="an Atom feed (<feed xmlns='http://www.w3.org/2005/Atom'>)",
        wanted={f"{ATOM}entry", *paging},
        records={f"{ATOM}entry"},
    ):
        if element.tag in paging:
            if page is not None:
                setattr(page, paging[element.tag], _int_or_none(text_of(element)))
            continue
        number += 1
        yield record_from_entry(element, _entry_location(name, element, number))


def parse(stream: BinaryIO, name: str) -> Iterator[PaperRecord | Rejected]:
    """Records of an Atom file, streamed; broken XML raises SourceError after the good entries."""
    return _parse(stream, name, None)


def parse_feed(data: bytes, name: str) -> AtomPage:
    """One query API response with its paging numbers (for the harvester)."""
    page = AtomPage()
    page.records = list(_parse(io.BytesIO(data), name, page))
    return page
