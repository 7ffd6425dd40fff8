"""arXiv OAI-PMH responses (``/oai2``, ``ListRecords``/``GetRecord`` with ``metadataPrefix=arXiv``).

    <record>
      <header [status="deleted"]><identifier>oai:arXiv.org:1412.8544</identifier>...</header>
      <metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">
        <id/> <created/> <updated/>                         -> published / updated
        <authors><author><keyname/><forenames/><suffix/><affiliation/>*</author></authors>
        <title/> <categories>cs.DM math.CO</categories>      -> primary first
        <comments/> <journal-ref/> <doi/> <license/> <abstract/>
      </arXiv></metadata>
    </record>
    <resumptionToken cursor="0" completeListSize="1234">...</resumptionToken>

The ``arXiv`` format carries no version number: a record for a new version says so by a later
``updated`` date, which is what the upsert merge rule compares (a record without ``updated`` has
one version, so its ``updated`` is its ``created`` date). A deleted header becomes a record
with ``deleted=True``. :func:`parse` streams files and raises :class:`SourceError` on any OAI
error except ``noRecordsMatch``; :func:`parse_page` reads one response for the harvester and
reports the resumption token and the error instead of raising.
"""

from __future__ import annotations

import io
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
from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.papers.text import collapse

SOURCE = "oai-pmh"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
ARXIV = "{http://arxiv.org/OAI/arXiv/}"
NO_RECORDS = "noRecordsMatch"


@dataclass
class OaiPage:
    """One OAI-PMH response: its records, where the list goes on, or the error it reported."""

    records: list[PaperRecord | Rejected] = field(default_factory=list)
    resumption_token: str | None = None  # None: this was the last page
    complete_list_size: int | None = None
    cursor: int | None = None
    error_code: str = ""
    error_message: str = ""


def _author_name(author: etree._Element) -> str:
    parts = (text_of(author.find(f"{ARXIV}{tag}")) for tag in ("forenames", "keyname", "suffix"))
    return " ".join(collapse(p) for p in parts if collapse(p))


def authors_of(metadata: etree._Element) -> list[AuthorRecord]:
    authors = []
    for author in metadata.iterfind(f"{ARXIV}authors/{ARXIV}author"):
        affiliations = [collapse(text_of(a)) for a in author.iterchildren(f"{ARXIV}affiliation")]
        authors.append(AuthorRecord(_author_name(author), "; ".join(a for a in affiliations if a)))
    return authors


def _deleted_record(identifier: str, location: str) -> PaperRecord | Rejected:
    try:
        parsed = parse_arxiv_id(identifier)
    except InvalidArxivId as exc:
        return Rejected(location, f"deleted record: {exc}")
    return PaperRecord(
        arxiv_id=parsed.id, title_raw="", source=SOURCE, location=location, deleted=True
    )


def record_from_element(record: etree._Element, location: str) -> PaperRecord | Rejected:
    """One ``<record>`` (live or deleted) as a record."""
    header = record.find(f"{OAI}header")
    if header is None:
        return Rejected(location, "record has no <header>")
    identifier = collapse(text_of(header.find(f"{OAI}identifier")))
    if header.get("status") == "deleted":
        return _deleted_record(identifier, location)
    metadata = record.find(f"{OAI}metadata/{ARXIV}arXiv")
    if metadata is None:
        return Rejected(
            location, "record has no <arXiv> metadata (harvest with metadataPrefix=arXiv)"
        )

    def field_text(tag: str) -> str:
        return text_of(metadata.find(f"{ARXIV}{tag}"))

    try:
        published = parse_date(field_text("created"), what="created")
        updated = parse_date(field_text("updated"), what="updated") or published
        return make_record(
            raw_id=collapse(field_text("id")) or identifier,
            title=field_text("title"),
            source=SOURCE,
            location=location,
            abstract_raw=field_text("abstract"),
            authors=authors_of(metadata),
            categories=field_text("categories").split(),
            published=published,
            updated=updated,
            comment=field_text("comments"),
            journal_ref=field_text("journal-ref"),
            doi=field_text("doi"),
            license=field_text("license"),
        )
    except ValueError as exc:
        return Rejected(location, str(exc))


def _record_location(name: str, record: etree._Element, number: int) -> str:
    identifier = collapse(text_of(record.find(f"{OAI}header/{OAI}identifier")))
    shown = identifier.removeprefix("oai:arXiv.org:")
    detail = f"record {number}, id {shown}" if shown else f"record {number}"
    return f"{name}:line {record.sourceline} ({detail})"


def _int_or_none(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _parse(stream: BinaryIO, name: str, page: OaiPage | None) -> Iterator[PaperRecord | Rejected]:
    number = 0
    for element in iter_elements(
        stream,
        name,
        root=f"{OAI}OAI-PMH",
        what="an OAI-PMH response (<OAI-PMH xmlns='http://www.openarchives.org/OAI/2.0/'>)",
        wanted={f"{OAI}record", f"{OAI}resumptionToken", f"{OAI}error"},
        records={f"{OAI}record"},
    ):
        if element.tag == f"{OAI}record":
            number += 1
            yield record_from_element(element, _record_location(name, element, number))
        elif element.tag == f"{OAI}resumptionToken":
            if page is not None:
                page.resumption_token = text_of(element).strip() or None
                page.complete_list_size = _int_or_none(element.get("completeListSize"))
                page.cursor = _int_or_none(element.get("cursor"))
        else:
            code = element.get("code") or "unknown"
            message = collapse(text_of(element))
            if page is not None:
                page.error_code, page.error_message = code, message
            elif code != NO_RECORDS:
                raise SourceError(
                    f"{name}:line {element.sourceline}: OAI-PMH error {code}: {message or '(no message)'}"
                )


def parse(stream: BinaryIO, name: str) -> Iterator[PaperRecord | Rejected]:
    """Records of an OAI-PMH file, streamed; an OAI error other than noRecordsMatch raises."""
    return _parse(stream, name, None)


def parse_page(data: bytes, name: str) -> OaiPage:
    """One OAI-PMH response with its resumption token and error (for the harvester)."""
    page = OaiPage()
    page.records = list(_parse(io.BytesIO(data), name, page))
    return page
