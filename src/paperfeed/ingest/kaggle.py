"""The Kaggle ``arxiv-metadata-oai-snapshot.json`` dump: JSON lines, one paper per line.

    {"id": "0704.0001", "submitter": "...", "authors": "C. Bal\\'azs, E. L. Berger",
     "title": "...", "comments": "...", "journal-ref": "...", "doi": "...",
     "categories": "hep-ph math.CO", "license": null, "abstract": "...",
     "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...],
     "update_date": "2008-11-13", "authors_parsed": [["Bal\\'azs", "C.", ""], ...]}

version = the highest ``vN``; published = the date of v1; updated = the date of the last version
(``update_date`` when there are no versions). Authors come from ``authors_parsed`` (items are
``[keyname, forenames, suffix, affiliation...]``), else from the ``authors`` string.
A bad line is rejected with its line number, the rest goes on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import BinaryIO

from paperfeed.ingest.jsonl import iter_json_lines, text_field
from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, make_record, parse_date
from paperfeed.papers.ids import repair_numeric_id
from paperfeed.papers.text import collapse

SOURCE = "kaggle"
_VERSION_RE = re.compile(r"^v(\d+)$")
_AUTHOR_SPLIT = re.compile(r",|\band\b")


def rfc2822_date(value, *, what: str) -> dt.date:
    """``Mon, 2 Apr 2007 19:18:42 GMT`` -> 2007-04-02 (UTC); ValueError naming ``what``."""
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a date string: {value!r}")
    try:
        moment = parsedate_to_datetime(value)
        return moment.astimezone(dt.UTC).date() if moment.tzinfo else moment.date()
    except (TypeError, ValueError, IndexError, OverflowError):
        raise ValueError(f"{what} {value!r} is not an RFC 2822 date") from None


def versions_of(value) -> list[tuple[int, dt.date | None]]:
    """``[{"version": "v2", "created": ...}, ...]`` -> [(2, date), ...] sorted by number."""
    if value in (None, []):
        return []
    if not isinstance(value, list):
        raise ValueError(f"versions must be a list, got {type(value).__name__}")
    result = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueError(f"a version must be an object, got {item!r}")
        match = _VERSION_RE.match(str(item.get("version") or "").strip())
        if not match:
            raise ValueError(f"version {item.get('version')!r} is not vN")
        number = int(match[1])
        created = item.get("created")
        date = rfc2822_date(created, what=f"v{number} created") if created else None
        result.append((number, date))
    return sorted(result, key=lambda pair: pair[0])


def authors_of(parsed, fallback) -> list[AuthorRecord]:
    """From ``authors_parsed`` ("First Last Suffix"), else the comma-separated ``authors``."""
    if isinstance(parsed, list) and parsed:
        authors = []
        for item in parsed:
            if not isinstance(item, list) or not all(isinstance(p, str) for p in item):
                raise ValueError(f"authors_parsed item {item!r} is not a list of strings")
            keyname, forenames, suffix = ([*item, "", "", ""])[:3]
            name = " ".join(collapse(p) for p in (forenames, keyname, suffix) if collapse(p))
            affiliation = "; ".join(collapse(a) for a in item[3:] if collapse(a))
            authors.append(AuthorRecord(name, affiliation))
        return authors
    if isinstance(fallback, str):
        return [AuthorRecord(part) for part in _AUTHOR_SPLIT.split(fallback)]
    return []


def record_from_object(obj: dict, location: str) -> PaperRecord | Rejected:
    try:
        versions = versions_of(obj.get("versions"))
        dates = [date for _, date in versions]
        update_date = parse_date(obj.get("update_date"), what="update_date")
        return make_record(
            raw_id=repair_numeric_id(obj.get("id")),
            title=obj.get("title"),
            source=SOURCE,
            location=location,
            version=versions[-1][0] if versions else None,
            abstract_raw=text_field(obj, "abstract"),
            authors=authors_of(obj.get("authors_parsed"), obj.get("authors")),
            categories=text_field(obj, "categories").split(),
            published=dates[0] if dates else None,
            updated=(dates[-1] if dates else None) or update_date,
            comment=text_field(obj, "comments"),
            journal_ref=text_field(obj, "journal-ref"),
            doi=text_field(obj, "doi"),
            license=text_field(obj, "license"),
        )
    except ValueError as exc:
        return Rejected(location, str(exc))


def parse(stream: BinaryIO, name: str) -> Iterator[PaperRecord | Rejected]:
    for location, obj in iter_json_lines(stream, name):
        yield obj if isinstance(obj, Rejected) else record_from_object(obj, location)
