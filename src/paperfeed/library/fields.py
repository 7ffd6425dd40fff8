"""What every export format says about a paper, read once: :class:`Record` and its parts.

The BibTeX, RIS, CSL-JSON and Markdown writers (:mod:`paperfeed.library.bibtex`,
:mod:`paperfeed.library.exports`) each render a :class:`Record`, so the fields they agree on
(the names split into family and given, the venue and whether it is a conference, the date) are
decided here, once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from paperfeed.papers.ids import abs_url, pdf_url
from paperfeed.signals.display import venue_text

PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "la",
        "le",
        "ter",
        "ten",
        "zu",
        "bin",
        "ibn",
        "al",
        "el",
    ]
)
"""Lower-case name particles that belong to the family name ("van der Waals")."""
SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_CONFERENCE = re.compile(
    r"\b(conference|proceedings|workshop|symposium|meeting|congress|"
    r"neurips|nips|icml|iclr|cvpr|iccv|eccv|wacv|bmvc|acl|emnlp|naacl|eacl|coling|aaai|"
    r"ijcai|kdd|sigir|www|chi|uai|aistats|colt|interspeech|icassp|corl|icra|iros|"
    r"neural information processing systems)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Name:
    """An author's name split for reference managers: ``family`` keeps its particles."""

    family: str
    given: str = ""
    suffix: str = ""

    def inverted(self) -> str:
        """``van der Waals, Johannes Diderik`` (``, Jr.`` after), the unambiguous order of
        BibTeX's and RIS's author lists; a one-word name stays as it is."""
        parts = [self.family]
        if self.suffix:
            parts.append(self.suffix)
        if self.given:
            parts.append(self.given)
        return ", ".join(parts)


def split_name(name: str) -> Name:
    """A display name split into family and given names.

    >>> split_name("Johannes Diderik van der Waals")
    Name(family='van der Waals', given='Johannes Diderik', suffix='')
    >>> split_name("Martin Luther King Jr."), split_name("Plato")
    (Name(family='King', given='Martin Luther', suffix='Jr.'), Name(family='Plato', given='', suffix=''))
    >>> split_name("Lovelace, Ada")
    Name(family='Lovelace', given='Ada', suffix='')
    """
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return Name(family.strip(), given.strip())
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:  # the first word is always given
        start -= 1
    return Name(" ".join(words[start:]), " ".join(words[:start]), suffix)


def is_conference(venue: str) -> bool:
    """Whether a venue names a conference or workshop (else it is read as a journal).

    >>> is_conference("NeurIPS 2025"), is_conference("Phys. Rev. D 100 (2019) 1")
    (True, False)
    """
    return bool(_CONFERENCE.search(venue))


@dataclass(frozen=True)
class Record:
    """A paper as the export formats see it."""

    arxiv_id: str
    title: str
    authors: tuple[str, ...]
    abstract: str = ""
    date: dt.date | None = None
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    doi: str = ""
    venue: str = ""
    """Where it was published: the venue Semantic Scholar names, else arXiv's journal ref."""
    journal_ref: str = ""

    @property
    def names(self) -> list[Name]:
        return [split_name(a) for a in self.authors]

    @property
    def kind(self) -> str:
        """``preprint``, ``conference`` or ``journal``."""
        if not self.venue:
            return "preprint"
        return "conference" if is_conference(self.venue) else "journal"

    @property
    def url(self) -> str:
        return abs_url(self.arxiv_id)

    @property
    def pdf_url(self) -> str:
        return pdf_url(self.arxiv_id)

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""


def record_of(paper) -> Record:
    """The :class:`Record` of a :class:`~paperfeed.papers.models.Paper` whose authors and
    signals were loaded (``paper.author_list`` and ``paper.external``, as
    :func:`paperfeed.papers.lists.hydrate` and :func:`paperfeed.library.exports.load_entries`
    leave them); the date is the first version's, else the feed day's."""
    authors = getattr(paper, "author_list", None)
    if authors is None:
        authors = paper.ordered_authors()
    signals = getattr(paper, "external", None)
    journal_ref = " ".join(paper.journal_ref.split())
    return Record(
        arxiv_id=paper.arxiv_id,
        title=" ".join(paper.title.split()),
        authors=tuple(a.name for a in authors),
        abstract=paper.abstract,
        date=paper.published or paper.day,
        primary_category=paper.primary_category,
        categories=tuple(paper.category_list),
        doi=paper.doi.strip(),
        venue=(venue_text(" ".join(signals.venue.split())) if signals is not None else "")
        or journal_ref,
        journal_ref=journal_ref,
    )
