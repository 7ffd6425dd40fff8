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


# --------------------------------------------------------------------------- ids as numbers

ARCHIVES = (
    # arXiv's archives, current and closed (https://arxiv.org/archive/): old-style ids name one
    "acc-phys", "adap-org", "alg-geom", "ao-sci", "astro-ph", "atom-ph", "bayes-an", "chao-dyn",
    "chem-ph", "cmp-lg", "comp-gas", "cond-mat", "cs", "dg-ga", "econ", "eess", "funct-an",
    "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math", "math-ph", "mtrl-th", "nlin",
    "nucl-ex", "nucl-th", "patt-sol", "physics", "plasm-ph", "q-alg", "q-bio", "q-fin",
    "quant-ph", "solv-int", "stat", "supr-con",
)  # fmt: skip
_ARCHIVE_CODE = {name: code for code, name in enumerate(ARCHIVES, 1)}
_NEW_FLAG, _OLD_FLAG = 1 << 62, 1 << 61
_OLD_KEY = re.compile(r"^(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[A-Z]{2}))?/(?P<n>\d{7})$")


def id_number(paper_id: str) -> int | None:
    """The stored id ``paper_id`` as one unsigned 64-bit number that :func:`id_from_number`
    turns back into it, or None when it has no such number (an archive not in
    :data:`ARCHIVES`). The lexical index keeps it as a fast field, so a search reads its hits'
    ids without reading their stored documents.

    New style ``YYMM.N``: bit 62, ``YYMM`` in bits 20–33, ``N`` below (its width follows from
    ``YYMM``: 5 digits from 1501). Old style ``archive[.SS]/YYMMNNN``: bit 61, the archive's
    place in :data:`ARCHIVES` from bit 40, the subject's two letters (1–26 each) from bit 24,
    the seven digits below.

    >>> id_number("2503.00001") == (1 << 62) | (2503 << 20) | 1
    True
    >>> [id_from_number(id_number(i)) for i in ("0704.0001", "math.GT/0309136")]
    ['0704.0001', 'math.GT/0309136']
    """
    if not paper_id.isascii():
        return None
    if len(paper_id) in (9, 10) and paper_id[4:5] == ".":
        yymm, number = paper_id[:4], paper_id[5:]
        if yymm.isdigit() and number.isdigit() and len(number) == (5 if yymm >= "1501" else 4):
            return _NEW_FLAG | (int(yymm) << 20) | int(number)
        return None
    match = _OLD_KEY.match(paper_id)
    if not match or match["archive"] not in _ARCHIVE_CODE:
        return None
    subject = match["subject"] or ""
    code = (ord(subject[0]) - 64) * 27 + (ord(subject[1]) - 64) if subject else 0
    return _OLD_FLAG | (_ARCHIVE_CODE[match["archive"]] << 40) | (code << 24) | int(match["n"])


def id_from_number(number: int) -> str | None:
    """The id :func:`id_number` made ``number`` from; None for a number it never makes."""
    if number & _NEW_FLAG:
        yymm, n = (number >> 20) & 0x3FFF, number & 0xFFFFF
        return f"{yymm:04d}.{n:0{5 if yymm >= 1501 else 4}d}"
    if number & _OLD_FLAG:
        archive = (number >> 40) & 0x3F
        code, n = (number >> 24) & 0x3FF, number & 0xFFFFFF
        if not 1 <= archive <= len(ARCHIVES):
            return None
        subject = f".{chr(64 + code // 27)}{chr(64 + code % 27)}" if code else ""
        return f"{ARCHIVES[archive - 1]}{subject}/{n:07d}"
    return None
