"""Finding arXiv ids and DOIs in what people paste and what reference managers write.

An arXiv id comes as itself (``2501.01234v2``, ``cs/9809007``, ``arXiv:2501.01234``), as an
arXiv, alphaXiv or Hugging Face papers URL, or as arXiv's own DataCite DOI
(``10.48550/arXiv.2501.01234``); a DOI as itself, ``doi:10.x/y`` or a doi.org URL. Ids are
normalised by :func:`paperfeed.papers.ids.parse_arxiv_id` (versions dropped), DOIs lower-cased
(DOIs are case-insensitive) without their resolver prefix.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from bibtexparser.latexenc import latex_to_unicode

from paperfeed.papers.ids import InvalidArxivId, parse_arxiv_id

_ID = r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[a-z]{2})?/\d{7})(?:v\d+)?"
# an arXiv id inside running text: a URL of a site that names papers by it, or "arXiv:ID"
_SITES = r"(?:arxiv\.org/(?:abs|pdf|html)|alphaxiv\.org/(?:abs|overview|pdf)|(?:huggingface|hf)\.co/papers)/"
ARXIV_IN_TEXT = re.compile(rf"(?:{_SITES}|arxiv:\s*)(?P<id>{_ID})(?!\d)", re.IGNORECASE)
_ARXIV_URL = re.compile(
    rf"^(?:https?://)?(?:www\.|export\.)?{_SITES}(?P<id>{_ID})(?:\.pdf)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_BARE_ID = re.compile(rf"^{_ID}$", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"'<>]+", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_TRAILING = ".,;:)]}>"


def arxiv_id(text: str | None) -> str | None:
    """The arXiv id (without version) that ``text`` names as a whole, or None: an id, an
    ``arXiv:`` id, an arXiv/alphaXiv/HF papers URL or arXiv's DOI."""
    text = (text or "").strip().strip("<>")
    if not text:
        return None
    try:
        return parse_arxiv_id(text).id
    except InvalidArxivId:
        pass
    if found := _ARXIV_URL.match(text):
        return _checked(found["id"])
    doi_text = doi(text)
    if doi_text and (match := _ARXIV_DOI.match(doi_text)):
        return _checked(match["id"])
    return None


def _checked(text: str) -> str | None:
    try:
        return parse_arxiv_id(text).id
    except InvalidArxivId:
        return None


def arxiv_ids_in(text: str | None) -> list[str]:
    """Every arXiv id that running text names by URL or ``arXiv:``, in order, without repeats
    (e.g. a journal field ``arXiv preprint arXiv:1706.03762``, a Markdown link)."""
    found: list[str] = []
    for match in ARXIV_IN_TEXT.finditer(text or ""):
        paper_id = _checked(match["id"])
        if paper_id and paper_id not in found:
            found.append(paper_id)
    return found


def doi(text: str | None) -> str | None:
    """The DOI that ``text`` names as a whole (``10.x/y``, ``doi:10.x/y``, a doi.org URL),
    lower-cased, or None."""
    text = _DOI_PREFIX.sub("", (text or "").strip().strip("<>"))
    if "%2f" in text.lower():
        text = unquote(text)
    if not _DOI.fullmatch(text):
        return None
    return _tidy_doi(text)


def dois_in(text: str | None) -> list[str]:
    """Every DOI in running text, lower-cased, in order, without repeats."""
    found: list[str] = []
    for match in _DOI.finditer(text or ""):
        value = _tidy_doi(match.group())
        if value and value not in found:
            found.append(value)
    return found


def _tidy_doi(text: str) -> str | None:
    text = text.rstrip(_TRAILING) if text.count("(") <= text.count(")") else text.rstrip(".,;")
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip(_TRAILING)
    return text.lower() if _DOI.fullmatch(text) else None


def is_bare_id(token: str) -> bool:
    return bool(_BARE_ID.match(token))


def title_key(title: str | None) -> str:
    """A title for exact matching: LaTeX accents and symbols as Unicode, accents dropped, case
    folded, everything but letters and digits as single spaces. ``Sch{\\"o}n \\& Co.`` and
    ``SCHÖN & co`` give the same key."""
    text = latex_to_unicode(title or "")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"\w+", text.replace("_", " ")))
