"""Importing a reference list: read BibTeX, RIS, CSL-JSON or a plain list of ids into
:class:`Candidate` s (:func:`parse`), then find each among the stored papers (:func:`resolve`).

:func:`parse` knows the format by the file name's extension (``.bib``, ``.ris``, ``.json``) or,
without one, by the text: ``@type{`` entries are BibTeX (bibtexparser 1.4), ``TY  -`` records RIS
(rispy), a JSON list CSL-JSON; anything else is a plain list or Markdown, where every arXiv id,
arXiv/alphaXiv/HF papers URL, DOI or doi.org URL on a line is one candidate (several per line
are fine; lines without one are skipped), and lines quoted with ``>`` just after a line with an
id are that paper's note. Input it cannot read raises :class:`ImportFileError` naming the line,
entry or record; it reads at most :data:`MAX_BYTES` and :data:`MAX_ENTRIES`.

:func:`resolve` matches by arXiv id (any version), then by DOI (``Paper.doi``, any case), then
by the exact title (:func:`paperfeed.library.identifiers.title_key`); an arXiv id that is not
stored is queued for fetching (one ``fetch_papers`` task after the commit) unless the caller
only previews. The same paper named twice in the input is reported once (the first, with the
first note that is not empty). Nothing here writes a collection: that is the caller's.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from paperfeed.jobs import tasks
from paperfeed.library import formats
from paperfeed.library.formats import MAX_BYTES, MAX_ENTRIES, Candidate, ImportFileError
from paperfeed.library.identifiers import title_key
from paperfeed.papers.models import Paper

__all__ = [
    "MAX_BYTES",
    "MAX_ENTRIES",
    "Candidate",
    "ImportFileError",
    "Report",
    "parse",
    "resolve",
]
log = logging.getLogger("paperfeed.library")

TITLE_WORDS_PER_QUERY = 50
"""Title-only candidates looked up per database query (one scan of the titles each)."""


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        text = data
        if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise ImportFileError(f"the input is larger than {MAX_BYTES // 1_000_000} MB")
    else:
        if len(data) > MAX_BYTES:
            raise ImportFileError(f"the file is larger than {MAX_BYTES // 1_000_000} MB")
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ImportFileError(
                f"line {line}: the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                "export it as UTF-8, or paste the ids as text"
            ) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise ImportFileError("the file is binary, not text: import BibTeX, RIS, CSL-JSON or ids")
    return text


def _format(text: str, filename: str) -> str:
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in {".bib", ".bibtex"}:
        return "bibtex"
    if suffix in {".ris"}:
        return "ris"
    if suffix in {".json", ".csljson"}:
        return "csl-json"
    head = text.lstrip()
    if head[:1] in "[{" and head:
        try:
            json.loads(text)
        except ValueError:
            pass
        else:
            return "csl-json"
    if re.search(r"^\s*TY  -", text, re.MULTILINE):
        return "ris"
    if re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    if formats.is_paperfeed_markdown(text):
        return "markdown"
    return "text"


READERS = {
    "bibtex": formats.read_bibtex,
    "ris": formats.read_ris,
    "csl-json": formats.read_csl_json,
    "markdown": formats.read_paperfeed_markdown,
    "text": formats.read_text,
}


def parse(data: bytes | str, filename: str = "") -> list[Candidate]:
    """The candidates of an uploaded file or pasted text, in input order (see the module
    docstring for the formats). Raises :class:`ImportFileError`."""
    text = _decode(data)
    if not text.strip():
        raise ImportFileError("the input is empty: give a BibTeX, RIS or CSL-JSON file or ids")
    candidates = READERS[_format(text, filename)](text)
    if len(candidates) > MAX_ENTRIES:
        raise ImportFileError(
            f"{len(candidates)} entries: at most {MAX_ENTRIES} are imported at once; split the file"
        )
    return candidates


@dataclass
class Report:
    """What :func:`resolve` found: stored papers, arXiv ids to fetch, and the rest with why."""

    matched: list[tuple[Candidate, str]] = field(default_factory=list)
    queued: list[tuple[Candidate, str]] = field(default_factory=list)
    unmatched: list[tuple[Candidate, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        def row(candidate: Candidate, **extra) -> dict:
            return {
                "source": candidate.source,
                "arxiv_id": candidate.arxiv_id,
                "doi": candidate.doi,
                "title": candidate.title,
                "note": candidate.note,
                **extra,
            }

        return {
            "matched": [row(c, paper_id=p) for c, p in self.matched],
            "queued": [row(c, paper_id=p) for c, p in self.queued],
            "unmatched": [row(c, reason=r) for c, r in self.unmatched],
        }


def _key(candidate: Candidate) -> tuple[str, str] | None:
    if candidate.arxiv_id:
        return ("arxiv", candidate.arxiv_id)
    if candidate.doi:
        return ("doi", candidate.doi)
    if candidate.title and title_key(candidate.title):
        return ("title", title_key(candidate.title))
    return None


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    """The first candidate of each paper, given the first non-empty note of its repeats."""
    first: dict[tuple[str, str], int] = {}
    kept: list[Candidate] = []
    for candidate in candidates:
        key = _key(candidate)
        if key is None:
            kept.append(candidate)
        elif key not in first:
            first[key] = len(kept)
            kept.append(candidate)
        elif candidate.note and not kept[first[key]].note:
            kept[first[key]] = _with_note(kept[first[key]], candidate.note)
    return kept


def _with_note(candidate: Candidate, note: str) -> Candidate:
    return Candidate(candidate.source, candidate.arxiv_id, candidate.doi, candidate.title, note)


def _by_id(ids: set[str]) -> dict[str, bool]:
    """Stored ids among ``ids`` -> whether the paper is shown (not withdrawn or hidden)."""
    found: dict[str, bool] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        rows = Paper.objects.filter(pk__in=wanted[start : start + 500])
        for pk, deleted, hidden in rows.values_list("pk", "deleted", "hidden"):
            found[pk] = not (deleted or hidden)
    return found


def _by_doi(dois: set[str]) -> dict[str, tuple[str, bool]]:
    found: dict[str, tuple[str, bool]] = {}
    wanted = sorted(dois)
    for start in range(0, len(wanted), 500):
        rows = (
            Paper.objects.exclude(doi="")
            .annotate(doi_key=Lower("doi"))
            .filter(doi_key__in=wanted[start : start + 500])
            .order_by("pk")
        )
        for pk, doi, deleted, hidden in rows.values_list("pk", "doi_key", "deleted", "hidden"):
            found.setdefault(doi, (pk, not (deleted or hidden)))
    return found


def _word(title: str) -> str:
    """The longest plain word of a title: papers whose title contains it are the candidates."""
    words = re.findall(r"[A-Za-z0-9]{3,}", title) or [title.strip()]
    return max(words, key=len)


def _by_title(titles: set[str]) -> dict[str, tuple[str, bool]]:
    """Title key -> (stored paper, shown) for titles that equal a stored one's (keys equal)."""
    found: dict[str, tuple[str, bool]] = {}
    by_key = {title_key(t): t for t in titles}
    items = sorted(by_key.items())
    for start in range(0, len(items), TITLE_WORDS_PER_QUERY):
        chunk = dict(items[start : start + TITLE_WORDS_PER_QUERY])
        where = Q()
        for title in chunk.values():
            where |= Q(title__icontains=_word(title))
        rows = Paper.objects.filter(where).order_by("pk")
        for pk, title, deleted, hidden in rows.values_list("pk", "title", "deleted", "hidden"):
            key = title_key(title)
            if key in chunk:
                found.setdefault(key, (pk, not (deleted or hidden)))
    return found


def _hidden(what: str) -> str:
    return f"{what} is withdrawn or hidden on paperfeed"


def resolve(candidates: list[Candidate], *, queue_unknown: bool = True) -> Report:
    """Find each candidate among the stored papers (see the module docstring). Unknown arXiv
    ids are in ``queued``; with ``queue_unknown`` they are also handed to the worker in one
    ``fetch_papers`` task after the current transaction commits."""
    unique = _unique(candidates)
    ids = _by_id({c.arxiv_id for c in unique if c.arxiv_id})
    dois = _by_doi({c.doi for c in unique if c.doi})
    need_title = {
        c.title
        for c in unique
        if c.title and title_key(c.title) and not ids.get(c.arxiv_id or "") and c.doi not in dois
    }
    titles = _by_title(need_title) if need_title else {}
    report = Report()
    seen: set[str] = set()  # papers matched twice by different names are reported once
    for candidate in unique:
        paper, shown, what = _match(candidate, ids, dois, titles)
        if paper is not None and paper in seen:
            continue
        if paper is not None and shown:
            seen.add(paper)
            report.matched.append((candidate, paper))
        elif paper is not None:
            report.unmatched.append((candidate, _hidden(what)))
        elif candidate.arxiv_id:
            seen.add(candidate.arxiv_id)
            report.queued.append((candidate, candidate.arxiv_id))
        else:
            report.unmatched.append((candidate, _reason(candidate)))
    if queue_unknown and report.queued:
        wanted = [paper_id for _, paper_id in report.queued]
        transaction.on_commit(lambda: _enqueue(wanted))
    return report


def _match(candidate: Candidate, ids, dois, titles) -> tuple[str | None, bool, str]:
    if candidate.arxiv_id and candidate.arxiv_id in ids:
        return candidate.arxiv_id, ids[candidate.arxiv_id], candidate.arxiv_id
    if candidate.doi and candidate.doi in dois:
        paper, shown = dois[candidate.doi]
        return paper, shown, f"DOI {candidate.doi}"
    key = title_key(candidate.title)
    if key and key in titles:
        paper, shown = titles[key]
        return paper, shown, f"the paper titled {candidate.title!r}"
    return None, False, ""


def _reason(candidate: Candidate) -> str:
    if candidate.doi:
        return f"DOI {candidate.doi} is not on paperfeed and names no arXiv paper"
    if candidate.title:
        return f"no arXiv id or DOI, and no paper on paperfeed is titled {candidate.title!r}"
    return "no arXiv id, DOI or title"


def _enqueue(ids: list[str]) -> None:
    try:
        tasks.fetch_papers.enqueue(ids)
    except Exception:
        log.exception("queueing the fetch of %d imported papers failed", len(ids))
