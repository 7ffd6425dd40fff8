"""arXiv identifiers: parse every form people paste, keep the id without version as the key.

New style (since 2007-04): ``YYMM.NNNN`` (to 1412) or ``YYMM.NNNNN`` (from 1501), optional ``vN``.
Old style: ``archive[.SUBJ]/YYMMNNN`` such as ``cs/9809007`` or ``math.GT/0309136``.
See https://info.arxiv.org/help/arxiv_identifier.html
"""

from __future__ import annotations

import re
from typing import NamedTuple

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2})?/\d{7})"
_ID_RE = re.compile(
    r"^\s*(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|arxiv:|oai:arxiv\.org:)?"
    rf"(?:{_NEW}|{_OLD})(?:v(?P<version>\d+))?(?:\.pdf)?/?\s*$",
    re.IGNORECASE,
)


class ArxivId(NamedTuple):
    id: str
    version: int | None


class InvalidArxivId(ValueError):
    pass


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an id, versioned id, ``arXiv:`` id, OAI identifier or abs/pdf URL.

    >>> parse_arxiv_id("https://arxiv.org/abs/2501.01234v2")
    ArxivId(id='2501.01234', version=2)
    >>> parse_arxiv_id("cs/9809007")
    ArxivId(id='cs/9809007', version=None)
    """
    if not isinstance(text, str):
        raise InvalidArxivId(f"arXiv id must be text, got {type(text).__name__}")
    match = _ID_RE.match(text)
    if not match:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise InvalidArxivId(f"not an arXiv id: {shown!r}")
    version = int(match["version"]) if match["version"] else None
    if match["new"]:
        paper_id = match["new"]
        yymm = int(paper_id[2:4])
        if not 1 <= yymm <= 12:
            raise InvalidArxivId(f"not an arXiv id (month {paper_id[2:4]}): {text!r}")
        digits = len(paper_id.split(".")[1])
        if (paper_id[:4] >= "1501") != (digits == 5):
            raise InvalidArxivId(
                f"not an arXiv id: {paper_id!r} (ids from 1501 on have 5 digits, before 4)"
            )
        return ArxivId(paper_id, version)
    archive, number = match["old"].split("/")
    if "." in archive:
        head, subject = archive.split(".")
        archive = f"{head.lower()}.{subject.upper()}"
    else:
        archive = archive.lower()
    return ArxivId(f"{archive}/{number}", version)


_NUMERIC_ID = re.compile(r"^(?P<yymm>\d{3,4})\.(?P<number>\d{1,5})$")


def repair_numeric_id(value):
    """Undo what storing new-style ids as numbers does to them, for bulk dumps that did.

    Spreadsheet and JSON tools that read ``0704.0967`` or ``1501.07420`` as numbers write back
    ``704.0967`` and ``1501.0742``: the leading zero of the year and trailing zeros of the number
    are lost. A value of that shape is padded back (4 digits after the dot before 1501, 5 from
    1501 on); anything else is returned unchanged for :func:`parse_arxiv_id` to judge.

    >>> repair_numeric_id("1501.0742"), repair_numeric_id(704.0967), repair_numeric_id("cs/9809007")
    ('1501.07420', '0704.0967', 'cs/9809007')
    """
    if isinstance(value, float):
        value = repr(value)
    if not isinstance(value, str):
        return value
    match = _NUMERIC_ID.match(value.strip())
    if not match:
        return value
    yymm = match["yymm"].zfill(4)
    width = 5 if yymm >= "1501" else 4
    if len(match["number"]) > width:
        return value
    return f"{yymm}.{match['number'].ljust(width, '0')}"


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return True


def abs_url(paper_id: str, version: int | None = None) -> str:
    return f"https://arxiv.org/abs/{paper_id}" + (f"v{version}" if version else "")


def pdf_url(paper_id: str, version: int | None = None) -> str:
    return f"https://arxiv.org/pdf/{paper_id}" + (f"v{version}" if version else "")
