"""Hugging Face daily papers (``GET https://huggingface.co/api/daily_papers``).

A JSON array (the API response) or JSON lines of entries like

    {"paper": {"id": "2606.13392", "title": "...", "summary": "...",
               "authors": [{"name": "...", ...}], "publishedAt": "2026-06-11T00:00:00.000Z",
               "submittedOnDailyAt": "2026-06-12T00:00:00.000Z", "upvotes": 21,
               "submittedOnDailyBy": {"user": "...", ...}, "ai_summary": "...",
               "ai_keywords": [...], "projectPage": "...", "githubRepo": "https://github.com/...",
               "githubStars": 145, "organization": {"name", "fullname", "avatar"}, ...},
     "publishedAt": "2026-06-10T20:00:00.000Z", "numComments": 3, "organization": {...}, ...}

id -> arXiv id; title/summary from ``paper`` (else the entry); ``paper.publishedAt`` -> published;
``paper.submittedOnDailyAt`` (its UTC date: the day the paper was on HF's daily list, the
``?date=`` key) -> listed. The entry's own ``publishedAt`` is *not* the list day: in every
recorded response it is the arXiv time minus 4 hours, days before the listing. HF gives no
categories. An object without ``paper`` is read as a paper itself (``/api/papers/ID``).

HF's copy of the metadata is second-hand (LaTeX stripped, sometimes a later version's abstract):
records are ``fills_only``, so they add papers not stored yet and fill empty fields but never
override what arXiv said. The listing day merges like any other (the earliest seen is kept).

Each record carries the entry's signals (:class:`~paperfeed.ingest.records.CarriedSignals`):
``paper.upvotes`` -> hf_upvotes, the list day -> hf_day, ``paper.submittedOnDailyBy.user``
(else ``.name``) -> hf_submitted_by, ``numComments`` -> hf_comments, ``ai_summary``,
``ai_keywords``, ``projectPage`` -> project_page, the paper's (else the entry's) ``organization``
-> org_name/org_fullname/org_avatar (a relative avatar path made absolute on huggingface.co),
``githubRepo`` -> a repository link (normalised to ``owner/repo``; GitLab projects too) and
``githubStars`` -> a star snapshot of that repository. A key HF did not send (or sent as null)
is absent: nothing is written for it. A value of the wrong type is left out and named in
``signals.ignored``; the paper is still stored. A file has no fetch day: its star counts are
dated by the entry's list day (``paperfeed fetch hf`` dates them by the day of the fetch).

Arrays are read one entry at a time (memory stays flat however long the file); a bad entry is
rejected as ``FILE: entry N`` (``FILE:LINE`` in JSON lines), broken JSON raises SourceError.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

from paperfeed.ingest.jsonl import iter_json_lines, text_field
from paperfeed.ingest.records import (
    AuthorRecord,
    CarriedSignals,
    PaperRecord,
    Rejected,
    SourceError,
    make_record,
    parse_date,
)
from paperfeed.papers.text import collapse

SOURCE = "hf-daily"
CHUNK = 1 << 16
MAX_ENTRY_CHARS = 16 << 20  # an entry this long without parsing is broken, not incomplete
_SPACE = " \t\r\n"
_BOM = b"\xef\xbb\xbf"
SIGNALS_SOURCE = "hf"
HF_SITE = "https://huggingface.co"
# the columns of paperfeed.signals.models.PaperSignals and Repository (a longer value is left
# out, never truncated)
MAX_LENGTHS = {"user": 100, "org_name": 200, "org_fullname": 300, "url": 500, "repository": 300}
_GITHUB = re.compile(
    r"(?:https?://)?(?:www\.)?github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)"
    r"/([A-Za-z0-9._-]+?)(?:\.git)?(?:[/?#].*)?",
    re.IGNORECASE,
)
_GITLAB = re.compile(r"(?:https?://)?(?:www\.)?gitlab\.com/([^?#]+)", re.IGNORECASE)
_GITLAB_SEGMENT = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.-]*")
NOT_OWNERS = frozenset(
    [
        "about",
        "apps",
        "collections",
        "enterprise",
        "explore",
        "features",
        "login",
        "marketplace",
        "orgs",
        "settings",
        "sponsors",
        "topics",
        "users",
    ]
)
"""github.com paths that are pages, not repositories' owners."""


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


def list_day(value, *, what: str) -> dt.date | None:
    """The UTC date of an HF timestamp (``2025-06-05T00:57:27.734Z``); '' / None -> None.

    >>> list_day("2026-06-12T00:00:00.000Z", what="t")
    datetime.date(2026, 6, 12)
    >>> list_day("2026-06-12T01:30:00+02:00", what="t")
    datetime.date(2026, 6, 11)
    """
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an ISO date") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def repository_of(url: str) -> tuple[str, str] | None:
    """``(kind, "owner/name")`` of a GitHub or GitLab repository URL, else None.

    >>> repository_of("https://github.com/MiniMax-AI/MSA.git/")
    ('github', 'MiniMax-AI/MSA')
    >>> repository_of("github.com/a-b/c.d/tree/main/src?x=1")
    ('github', 'a-b/c.d')
    >>> repository_of("https://gitlab.com/group/sub/project/-/tree/main")
    ('gitlab', 'group/sub/project')
    >>> [repository_of(u) for u in ("https://github.com/orgs/huggingface", "https://x.org/a/b")]
    [None, None]
    """
    text = url.strip()
    found = _GITHUB.fullmatch(text)
    if found:
        owner, name = found.groups()
        if owner.lower() in NOT_OWNERS or name in (".", ".."):
            return None
        return "github", f"{owner}/{name}"
    found = _GITLAB.fullmatch(text)
    if found:  # group/subgroup/project, then "/-/" and GitLab's pages (tree, blob, ...)
        path = found.group(1).split("/-/")[0].strip("/").removesuffix(".git")
        segments = path.split("/")
        if len(segments) >= 2 and all(_GITLAB_SEGMENT.fullmatch(s) for s in segments):
            return "gitlab", path
    return None


class _Signals:
    """Reads an entry's signal fields into a :class:`CarriedSignals`: a value of the wrong
    shape is left out with the reason (``ignored``), never fatal."""

    def __init__(self, carried: CarriedSignals):
        self.carried = carried

    def ignore(self, what: str, value, problem: str) -> None:
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        self.carried.ignored.append(f"{what} {shown} {problem}: left out")

    def count(self, source: dict, key: str, what: str) -> int | None:
        value = source.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.ignore(what, value, "is not a count")
            return None
        return value

    def text(self, source: dict, key: str, what: str, max_length: int | None = None) -> str:
        value = source.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.ignore(what, value, "is not a text")
            return ""
        value = value.strip()
        if max_length is not None and len(value) > max_length:
            self.ignore(what, value, f"is longer than {max_length} characters")
            return ""
        return value

    def url(self, source: dict, key: str, what: str) -> str:
        """An absolute http(s) URL; a path (``/avatars/...``) is on huggingface.co."""
        value = self.text(source, key, what, MAX_LENGTHS["url"])
        if value.startswith("/") and not value.startswith("//"):
            value = HF_SITE + value
        if value and not re.match(r"https?://[^\s/]+\.[^\s]*$", value, re.IGNORECASE):
            self.ignore(what, value, "is not an http(s) URL")
            return ""
        return value if len(value) <= MAX_LENGTHS["url"] else ""

    def keywords(self, source: dict, key: str, what: str) -> list[str] | None:
        value = source.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
            self.ignore(what, value, "is not a list of texts")
            return None
        return list(dict.fromkeys(collapse(k) for k in value if collapse(k)))

    def obj(self, source: dict, key: str, what: str) -> dict | None:
        value = source.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.ignore(what, value, "is not an object")
            return None
        return value


def signals_of(entry: dict, paper: dict, listed: dt.date | None) -> CarriedSignals:
    """What an entry says of its paper besides the metadata (see the module doc)."""
    carried = CarriedSignals(SIGNALS_SOURCE, stars_day=listed)
    read, fields = _Signals(carried), carried.fields
    if listed is not None:
        fields["hf_day"] = listed
    if (upvotes := read.count(paper, "upvotes", "paper.upvotes")) is not None:
        fields["hf_upvotes"] = upvotes
    if (
        paper is not entry
        and (comments := read.count(entry, "numComments", "numComments")) is not None
    ):
        fields["hf_comments"] = comments
    by = read.obj(paper, "submittedOnDailyBy", "paper.submittedOnDailyBy")
    if by is not None:  # the username; older entries lack ``name``, some may lack ``user``
        user = read.text(by, "user", "paper.submittedOnDailyBy.user", MAX_LENGTHS["user"])
        user = user or read.text(by, "name", "paper.submittedOnDailyBy.name", MAX_LENGTHS["user"])
        if user:
            fields["hf_submitted_by"] = user
    if summary := read.text(paper, "ai_summary", "paper.ai_summary"):
        fields["ai_summary"] = summary
    if (keywords := read.keywords(paper, "ai_keywords", "paper.ai_keywords")) is not None:
        fields["ai_keywords"] = keywords
    if page := read.url(paper, "projectPage", "paper.projectPage"):
        fields["project_page"] = page
    org, where = read.obj(paper, "organization", "paper.organization"), "paper.organization"
    if org is None and paper is not entry:
        org, where = read.obj(entry, "organization", "organization"), "organization"
    if org is not None:
        for key, column in (("name", "org_name"), ("fullname", "org_fullname")):
            if value := read.text(org, key, f"{where}.{key}", MAX_LENGTHS[column]):
                fields[column] = value
        if avatar := read.url(org, "avatar", f"{where}.avatar"):
            fields["org_avatar"] = avatar
    if repo_url := read.text(paper, "githubRepo", "paper.githubRepo", MAX_LENGTHS["repository"]):
        repository = repository_of(repo_url)
        if repository is None:
            read.ignore("paper.githubRepo", repo_url, "is not a GitHub or GitLab repository URL")
        else:
            carried.repositories.append(repository)
            stars = read.count(paper, "githubStars", "paper.githubStars")
            if stars is not None and repository[0] == "github":
                carried.stars[repository] = stars
    return carried


def record_from_entry(entry, location: str) -> PaperRecord | Rejected:
    """One daily-papers entry (or a bare paper object) as a record carrying its signals."""
    if not isinstance(entry, dict):
        return Rejected(location, f"expected a JSON object, got {type(entry).__name__}")
    paper = entry.get("paper", entry)
    if not isinstance(paper, dict):
        return Rejected(location, f"paper must be an object, got {type(paper).__name__}")
    try:
        listed = list_day(paper.get("submittedOnDailyAt"), what="paper.submittedOnDailyAt")
        return make_record(
            raw_id=paper.get("id"),
            title=text_field(paper, "title") or text_field(entry, "title"),
            source=SOURCE,
            location=location,
            abstract_raw=text_field(paper, "summary") or text_field(entry, "summary"),
            authors=authors_of(paper.get("authors")),
            published=parse_date(paper.get("publishedAt"), what="paper.publishedAt"),
            listed=listed,
            fills_only=True,
            signals=signals_of(entry, paper, listed),
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
