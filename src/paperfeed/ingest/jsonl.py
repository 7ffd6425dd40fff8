"""paperfeed's JSON-lines shape (``../shared/data/*.jsonl.gz``), one paper per line.

    {"id": "2503.11731", "title": "...", "abstract": "...", "authors": ["Name", ...],
     "categories": ["cs.CV", "cs.RO"], "comment": null, "listed": "2025-03-18"}

Older dumps carry ``created``/``updated``/``doi``/``journal_ref``/``license`` instead of ``listed``.
Each line is parsed on its own: a bad line is rejected with its line number, the rest goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

import orjson

from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, make_record, parse_date
from paperfeed.papers.ids import repair_numeric_id

SOURCE = "jsonl"
_CATEGORY_SPLIT = re.compile(r"[,\s]+")


def iter_json_lines(stream: BinaryIO, name: str) -> Iterator[tuple[str, dict | Rejected]]:
    """(location, object) per non-blank line; invalid JSON comes back as Rejected."""
    for number, line in enumerate(stream, start=1):
        location = f"{name}:{number}"
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield location, Rejected(location, f"invalid JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            yield location, Rejected(location, f"expected a JSON object, got {type(obj).__name__}")
            continue
        yield location, obj


def text_field(obj: dict, key: str) -> str:
    """``obj[key]`` as text: missing or null is "", anything but a string is a ValueError naming
    the field (the importers turn it into a rejected record)."""
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, got {type(value).__name__}")
    return value


def _authors(value) -> list[AuthorRecord]:
    if not value:
        return []
    if isinstance(value, str):
        value = [part for part in value.replace(" and ", ",").split(",")]
    result = []
    for item in value:
        if isinstance(item, dict):
            result.append(
                AuthorRecord(str(item.get("name") or ""), str(item.get("affiliation") or ""))
            )
        else:
            result.append(AuthorRecord(str(item)))
    return result


def _categories(value) -> list[str]:
    """A list, or a string; items may themselves be comma/space separated (``"cs.AR,cs.DC"``)."""
    if isinstance(value, str):
        value = [value]
    return [c for item in value or [] for c in _CATEGORY_SPLIT.split(str(item)) if c]


def record_from_object(obj: dict, location: str, source: str = SOURCE) -> PaperRecord | Rejected:
    try:
        return make_record(
            raw_id=repair_numeric_id(obj.get("id")),
            title=obj.get("title"),
            source=source,
            location=location,
            version=obj.get("version"),
            abstract_raw=obj.get("abstract") or "",
            authors=_authors(obj.get("authors")),
            categories=_categories(obj.get("categories")),
            published=parse_date(obj.get("published") or obj.get("created"), what="published"),
            updated=parse_date(obj.get("updated"), what="updated"),
            listed=parse_date(obj.get("listed"), what="listed"),
            comment=obj.get("comment") or obj.get("comments") or "",
            journal_ref=obj.get("journal_ref") or obj.get("journal-ref") or "",
            doi=obj.get("doi") or "",
            license=obj.get("license") or "",
        )
    except (ValueError, TypeError, AttributeError) as exc:
        return Rejected(location, str(exc))


def parse(stream: BinaryIO, name: str) -> Iterator[PaperRecord | Rejected]:
    for location, obj in iter_json_lines(stream, name):
        yield obj if isinstance(obj, Rejected) else record_from_object(obj, location)
