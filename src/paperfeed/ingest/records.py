"""The one shape every importer produces, and the errors they report.

Parsers (``atom``, ``oai``, ``kaggle``, ``jsonl``, ``hf``) turn bytes into :class:`PaperRecord`
or :class:`Rejected` items; :mod:`paperfeed.ingest.upsert` is the only writer of the store.
Every record's text is free of control characters from the moment it is made
(:func:`paperfeed.papers.text.strip_control`), whichever path made it.
A record may carry :class:`CarriedSignals` (what an HF daily-papers entry says besides the paper),
stored with the paper in the same batch transaction (:mod:`paperfeed.signals.carried`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id
from paperfeed.papers.text import collapse, normalise_abstract, normalise_name, strip_control


@dataclass(frozen=True)
class AuthorRecord:
    name: str
    affiliation: str = ""


@dataclass
class CarriedSignals:
    """What a record's source says of the paper besides its metadata (HF upvotes, list day, AI
    summary, code repository and its stars...), stored by :mod:`paperfeed.signals.carried`
    inside the batch transaction that stores the paper: the two are kept together or not at all.

    Absent is absent: only what the source sent is here, so storing it never erases a value
    another run or source stored.
    """

    source: str
    """Who said it (``hf``): the source of repository links and star snapshots."""
    fields: dict[str, object] = field(default_factory=dict)
    """``PaperSignals`` fields and their values."""
    repositories: list[tuple[str, str]] = field(default_factory=list)
    """Code the source links to the paper: ``(kind, "owner/name")``."""
    stars: dict[tuple[str, str], int] = field(default_factory=dict)
    """Star counts the source reported for those repositories."""
    stars_day: dt.date | None = None
    """The day of the star snapshot: the fetch's day, else (a file) the entry's list day."""
    fetched_at: dt.datetime | None = None
    """When the source was asked (None for a file: it does not say)."""
    ignored: list[str] = field(default_factory=list)
    """Fields left out because their value was unusable, each with why."""
    counts: dict[str, int] | None = None
    """Where the store adds what it did (the caller that made the records reads it; shared by
    the records of one fetch)."""


@dataclass
class PaperRecord:
    """One paper as a source describes it. Empty strings / None mean "this source does not say"."""

    arxiv_id: str
    title_raw: str
    source: str
    location: str = ""
    version: int | None = None
    abstract_raw: str = ""
    authors: list[AuthorRecord] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # primary first
    published: dt.date | None = None
    updated: dt.date | None = None
    listed: dt.date | None = None
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""
    license: str = ""
    deleted: bool = False
    fills_only: bool = False
    """A second-hand copy of arXiv's metadata (HF strips LaTeX, may lag a version): it adds a
    paper not stored yet and fills empty fields, but never overrides stored text."""
    signals: CarriedSignals | None = None

    def __post_init__(self) -> None:
        # every importer (and the submissions and HF signal fetches, through them) makes its
        # records here: no control character gets past this into the store
        for name in ("title_raw", "abstract_raw", "comment", "journal_ref", "doi", "license"):
            setattr(self, name, strip_control(getattr(self, name)))
        self.authors = [clean for a in self.authors if (clean := _clean_author(a)).name]
        self.categories = [clean for c in self.categories if (clean := strip_control(c))]
        if self.signals is not None:
            self.signals.fields = {k: _clean(v) for k, v in self.signals.fields.items()}

    @property
    def title(self) -> str:
        return collapse(self.title_raw)

    @property
    def abstract(self) -> str:
        return normalise_abstract(self.abstract_raw)

    @property
    def primary_category(self) -> str:
        return self.categories[0] if self.categories else ""


def _clean_author(author: AuthorRecord) -> AuthorRecord:
    name, affiliation = strip_control(author.name), strip_control(author.affiliation)
    if name is author.name and affiliation is author.affiliation:
        return author  # the usual case: nothing to strip, no new object
    return AuthorRecord(collapse(name), collapse(affiliation))


def _clean(value):
    """A signal's value without control characters in its text (texts and lists of texts)."""
    if isinstance(value, str):
        return strip_control(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True)
class Rejected:
    """A record that could not be stored: where it was and why."""

    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


class SourceError(Exception):
    """A whole input cannot be read or parsed (truncated archive, broken XML, unknown format)."""


def make_record(*, raw_id, title, source: str, location: str, **fields) -> PaperRecord | Rejected:
    """Validate the fields every format shares and build a record, or say why not.

    ``raw_id`` may carry a version (``2501.01234v2``); an explicit ``version`` in ``fields`` wins.
    """
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        return Rejected(location, "record has no arXiv id")
    try:
        parsed = parse_arxiv_id(str(raw_id))
    except InvalidArxivId as exc:
        return Rejected(location, str(exc))
    if not isinstance(title, str) or not collapse(title):
        return Rejected(location, f"{parsed.id}: record has no title")
    version = fields.pop("version", None) or parsed.version
    authors = [
        AuthorRecord(name, collapse(a.affiliation))
        for a in fields.pop("authors", [])
        if (name := normalise_name(a.name))
    ]
    categories = []
    for c in fields.pop("categories", []):
        c = strip_control(c).strip()
        if c and c not in categories:
            categories.append(c)
    for key in ("comment", "journal_ref", "doi", "license"):
        fields[key] = collapse(fields.get(key) or "")
    problem = _too_long(authors, categories, fields)
    if problem:
        return Rejected(location, f"{parsed.id}: {problem}")
    return PaperRecord(
        arxiv_id=parsed.id,
        title_raw=title,
        source=source,
        location=location,
        version=version,
        authors=authors,
        categories=categories,
        **fields,
    )


# column limits of the store (papers/models.py); a longer value is rejected, never truncated
MAX_LENGTHS = {"doi": 300, "license": 300, "category": 40, "categories": 500, "author": 1000}


def _too_long(authors: list[AuthorRecord], categories: list[str], fields: dict) -> str:
    for key in ("doi", "license"):
        if len(fields[key]) > MAX_LENGTHS[key]:
            return f"{key} is longer than {MAX_LENGTHS[key]} characters"
    for category in categories:
        if len(category) > MAX_LENGTHS["category"]:
            return f"category {category[:50]!r} is longer than {MAX_LENGTHS['category']} characters"
    if len(" ".join(categories)) > MAX_LENGTHS["categories"]:
        return f"categories are longer than {MAX_LENGTHS['categories']} characters in all"
    for author in authors:
        if len(author.name) > MAX_LENGTHS["author"]:
            return f"author name {author.name[:50]!r}... is longer than {MAX_LENGTHS['author']} characters"
    return ""


def parse_date(value, *, location: str = "", what: str = "date") -> dt.date | None:
    """ISO dates and datetimes (``2025-03-18``, ``2015-01-21T02:41:55Z``) to a date; '' -> None."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{what} {text!r} is not an ISO date") from None
