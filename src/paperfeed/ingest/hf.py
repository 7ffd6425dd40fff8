"""Hugging Face daily papers (``GET https://huggingface.co/api/daily_papers``).

A JSON array (the API response) or JSON lines of entries like

    {"paper": {"id": "2501.01234", "title": "...", "summary": "...",
               "authors": [{"name": "...", ...}], "publishedAt": "2025-01-02T18:59:58.000Z",
               "upvotes": 42, ...},
     "publishedAt": "2025-01-03T02:42:08.163Z", "title": "...", "summary": "...",
     "numComments": 3, "submittedBy": {...}, ...}

id -> arXiv id; title/summary from ``paper`` (else the entry); ``paper.publishedAt`` -> published;
the entry's ``publishedAt`` (the day it was on HF's daily list) -> listed. HF gives no categories.
An object without ``paper`` is read as a paper itself (``/api/papers/ID``), with no listing day.

Arrays are read one entry at a time (memory stays flat however long the file); a bad entry is
rejected as ``FILE: entry N`` (``FILE:LINE`` in JSON lines), broken JSON raises SourceError.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import BinaryIO

from paperfeed.ingest.jsonl import iter_json_lines, text_field
from paperfeed.ingest.records import (
    AuthorRecord,
    PaperRecord,
    Rejected,
    SourceError,
    make_record,
    parse_date,
)

SOURCE = "hf-daily"
CHUNK = 1 << 16
MAX_ENTRY_CHARS = 16 << 20  # an entry this long without parsing is broken, not incomplete
_SPACE = " \t\r\n"
_BOM = b"\xef\xbb\xbf"


def authors_of(value) -> list[AuthorRecord]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"authors must be a list, got {type(value).__name__}")
    authors = []
    for item in value:
        if isinstance(item, dict):
            authors.append(AuthorRecord(text_field(item, "name")))
        elif isinstance(item, str):
            authors.append(AuthorRecord(item))
        else:
            raise ValueError(f"author {item!r} is neither an object nor a name")
    return authors


def record_from_entry(entry, location: str) -> PaperRecord | Rejected:
    """One daily-papers entry (or a bare paper object) as a record."""
    if not isinstance(entry, dict):
        return Rejected(location, f"expected a JSON object, got {type(entry).__name__}")
    paper = entry.get("paper", entry)
    if not isinstance(paper, dict):
        return Rejected(location, f"paper must be an object, got {type(paper).__name__}")
    listed_on = entry.get("publishedAt") if paper is not entry else None
    try:
        return make_record(
            raw_id=paper.get("id"),
            title=text_field(paper, "title") or text_field(entry, "title"),
            source=SOURCE,
            location=location,
            abstract_raw=text_field(paper, "summary") or text_field(entry, "summary"),
            authors=authors_of(paper.get("authors")),
            published=parse_date(paper.get("publishedAt"), what="paper.publishedAt"),
            listed=parse_date(listed_on, what="publishedAt"),
        )
    except ValueError as exc:
        return Rejected(location, str(exc))


class _ArrayReader:
    """The items of a top-level JSON array, decoded one at a time from a byte stream."""

    def __init__(self, stream: BinaryIO, name: str):
        self.stream, self.name = stream, name
        self.text = codecs.getincrementaldecoder("utf-8")()
        self.decoder = json.JSONDecoder()
        self.buffer, self.pos, self.eof = "", 0, False

    def _more(self) -> bool:
        """Read another chunk; False at the end of the input."""
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        try:
            self.buffer = self.buffer[self.pos :] + self.text.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            raise SourceError(f"{self.name}: not UTF-8 ({exc.reason})") from None
        self.pos = 0
        self.eof = not chunk
        return True

    def _next_char(self) -> str:
        """The next non-space character, not consumed ('' at the end of the input)."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def _value(self, number: int):
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buffer) - self.pos < MAX_ENTRY_CHARS and self._more():
                    continue
                at_end = not self.buffer[exc.pos :].strip() or exc.msg.startswith("Unterminated")
                problem = "is cut short" if self.eof and at_end else "is not valid JSON"
                raise SourceError(f"{self.name}: entry {number} {problem} ({exc.msg})") from None
            except RecursionError:
                raise SourceError(f"{self.name}: entry {number} is nested too deeply") from None
            if end == len(self.buffer) and self._more():
                continue  # a number may go on in the next chunk
            self.pos = end
            return value

    def items(self) -> Iterator[object]:
        if self._next_char() != "[":
            raise SourceError(f"{self.name}: expected a JSON array of daily papers")
        self.pos += 1
        number = 0
        while True:
            char = self._next_char()
            if char == "]" and number == 0:
                self.pos += 1
                break
            number += 1
            yield self._value(number)
            char = self._next_char()
            self.pos += 1
            if char == "]":
                break
            if char != ",":
                found = repr(char) if char else "the end of the file"
                raise SourceError(
                    f"{self.name}: after entry {number} expected ',' or ']', found {found} "
                    "(file cut short?)"
                )
        if self._next_char():
            raise SourceError(f"{self.name}: unexpected content after the JSON array")


def _first_byte(stream: BinaryIO) -> bytes:
    """The first non-space byte (a UTF-8 byte-order mark is skipped), not consumed."""
    if stream.peek(3)[:3] == _BOM:
        stream.read(3)
    while True:
        head = stream.peek(1)
        if not head:
            return b""
        stripped = head.lstrip(b" \t\r\n")
        if stripped:
            return stripped[:1]
        stream.read(len(head))


def _parse_lines(stream: BinaryIO, name: str) -> Iterator[PaperRecord | Rejected]:
    first = True
    for location, obj in iter_json_lines(stream, name):
        if first:
            first = False
            if isinstance(obj, Rejected):
                raise SourceError(f"{name}: neither a JSON array nor JSON lines ({obj.reason})")
            if "error" in obj and "paper" not in obj and "id" not in obj:
                raise SourceError(
                    f"{name}: the Hugging Face API answered with an error: {obj['error']}"
                )
        yield obj if isinstance(obj, Rejected) else record_from_entry(obj, location)


def parse(stream: BinaryIO, name: str) -> Iterator[PaperRecord | Rejected]:
    if not hasattr(stream, "peek"):
        stream = io.BufferedReader(stream)
    first = _first_byte(stream)
    if first == b"[":
        for number, entry in enumerate(_ArrayReader(stream, name).items(), start=1):
            yield record_from_entry(entry, f"{name}: entry {number}")
    elif first == b"{":
        yield from _parse_lines(stream, name)
    elif not first:
        raise SourceError(f"{name}: the input is empty")
    else:
        raise SourceError(
            f"{name}: expected a JSON array of daily papers or JSON lines, found {first!r}"
        )
