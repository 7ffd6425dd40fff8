"""Readers of the formats an import accepts, each from text to :class:`Candidate` s: BibTeX
(bibtexparser 1.4), RIS (rispy), CSL-JSON, and plain lists or Markdown. Which to use, and the
size limits, are :func:`paperfeed.library.imports.parse`'s business.

Where each reader looks for the arXiv id: BibTeX ``eprint`` (unless ``archivePrefix`` /
``eprinttype`` names another archive), else an arXiv URL in ``url``, arXiv's DOI, or
``arXiv:ID`` in ``journal``/``note``/``howpublished``; RIS ``M3``/``AN``, ``UR``, ``DO``,
``N1``; CSL-JSON ``number``, ``id``, ``URL``, ``DOI``, ``note``. The note is BibTeX ``annote``,
RIS ``N1`` (several joined by blank lines), CSL-JSON ``note``; a note that only repeats the
arXiv id (Zotero writes ``arXiv:1706.03762 [cs]`` there) is not a note.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import bibtexparser
import rispy
from bibtexparser.bparser import BibTexParser
from bibtexparser.customization import convert_to_unicode

from paperfeed.library import identifiers as ident
from paperfeed.papers.text import collapse

MAX_BYTES = 2_000_000
"""The largest file (or pasted text) an import reads, in bytes."""
MAX_ENTRIES = 5_000
"""The most entries (papers) one import reads."""


class ImportFileError(ValueError):
    """The input cannot be read; the message names where (line, entry or record) and why."""


@dataclass(frozen=True)
class Candidate:
    """One entry of the input, as far as it names a paper."""

    source: str  # where in the input: "line 3", "entry smith2024attention", "record 2"
    arxiv_id: str | None  # without version
    doi: str | None  # lower-cased, without https://doi.org/
    title: str | None
    note: str = ""


_ID_ONLY_NOTE = re.compile(r"^\s*arxiv:\s*\S+(\s*\[[^\]]*\])?\s*$", re.IGNORECASE)


def _note(*parts: str) -> str:
    kept = [p.strip() for p in parts if p and p.strip() and not _ID_ONLY_NOTE.match(p)]
    return "\n\n".join(kept)


def _first(*values) -> str | None:
    return next((v for v in values if v), None)


def _too_many(count: int) -> None:
    if count > MAX_ENTRIES:
        raise ImportFileError(
            f"more than {MAX_ENTRIES} entries: at most {MAX_ENTRIES} are imported at once; "
            "split the file"
        )


# --- BibTeX ------------------------------------------------------------------------------------

_ENTRY_START = re.compile(
    r"^[ \t]*@[ \t]*(?P<type>[A-Za-z]+)[ \t]*[{(][ \t]*(?P<key>[^,\s]*)", re.M
)


def _bibtex_arxiv(entry: dict) -> str | None:
    archive = (entry.get("archiveprefix") or entry.get("eprinttype") or "arxiv").strip().lower()
    eprint = ident.arxiv_id(entry.get("eprint")) if archive == "arxiv" else None
    mentioned = ident.arxiv_ids_in(
        " ".join(entry.get(f, "") for f in ("journal", "note", "howpublished", "number"))
    )
    return _first(
        eprint,
        ident.arxiv_id(entry.get("url")),
        ident.arxiv_id(entry.get("doi")),
        mentioned[0] if mentioned else None,
    )


_TEXT_ESCAPES = {
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbraceleft": "{",
    "textbraceright": "}",
}
_ESCAPED = re.compile(
    r"\{\\(" + "|".join(_TEXT_ESCAPES) + r")\}"  # {\textasciicircum}
    r"|\\(" + "|".join(_TEXT_ESCAPES) + r")(?:\{\}|(?![A-Za-z]) ?)"  # \textasciicircum{}
    r"|\\([%&#_${}])"  # \% \{
)


def _bibtex_text(raw: str) -> str:
    """A plain-text field (a note) as the writer meant it: the TeX escapes of its specials
    (``\\$``, ``\\textasciicircum{}``, ``\\{``, what paperfeed, Zotero and JabRef write) undone,
    and LaTeX accents between them read as Unicode."""
    out, at = [], 0
    for m in _ESCAPED.finditer(raw):
        out.append(_latex(raw[at : m.start()]))
        out.append(_TEXT_ESCAPES.get(m[1] or m[2] or "", m[3] or ""))
        at = m.end()
    out.append(_latex(raw[at:]))
    return "".join(out)


def _latex(text: str) -> str:
    """LaTeX as Unicode; text without a macro or brace as it is (bibtexparser's conversion
    also NFC-normalises, which would change characters such as U+2F800)."""
    return convert_to_unicode({"v": text})["v"] if "\\" in text or "{" in text else text


def read_bibtex(text: str) -> list[Candidate]:
    starts = [
        (m["type"].lower(), m["key"], text[: m.start()].count("\n") + 1)
        for m in _ENTRY_START.finditer(text)
    ]
    papers = [s for s in starts if s[0] not in {"comment", "string", "preamble"}]
    _too_many(len(papers))
    parser = BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    try:
        database = bibtexparser.loads(text, parser=parser)
    except Exception as exc:  # pyparsing's errors, and worse, on badly broken input
        raise ImportFileError(f"the BibTeX cannot be read: {exc}") from None
    read = {entry.get("ID", "") for entry in database.entries}
    for _, key, line in papers:
        if key.rstrip(",") not in read:
            raise ImportFileError(
                f"line {line}: entry {key or '(without key)'} cannot be read as BibTeX "
                "(check its braces, quotes and commas)"
            )
    if not database.entries:
        raise ImportFileError("no BibTeX entries found")
    candidates = []
    for entry in database.entries:
        uni = convert_to_unicode(dict(entry))
        candidates.append(
            Candidate(
                source=f"entry {entry.get('ID', '')}",
                arxiv_id=_bibtex_arxiv(uni),
                doi=_first(ident.doi(uni.get("doi")), ident.doi(uni.get("url"))),
                title=collapse(uni.get("title")) or None,
                note=_note(_bibtex_text(entry.get("annote", ""))),
            )
        )
    return candidates


# --- RIS ---------------------------------------------------------------------------------------

_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -( |$)")


_TAG_LIKE = re.compile(r"^ [A-Z][A-Z0-9]  -")


def read_ris(text: str) -> list[Candidate]:
    lines = text.splitlines()
    open_at = None
    count = 0
    notes_of: list[list[list[str]]] = []  # per record, its N1 values, each as its lines
    in_note = False
    for number, line in enumerate(lines, 1):
        tag = _RIS_TAG.match(line)
        if tag is None and in_note:  # a note's next line (one space before a tag-like one)
            notes_of[-1][-1].append(line[1:] if _TAG_LIKE.match(line) else line)
            continue
        if not line.strip():
            continue
        if tag is None:
            if open_at is None:
                raise ImportFileError(
                    f"line {number}: not a RIS line (TAG  - value): {line[:60]!r}"
                )
            continue  # a value that goes on over lines
        in_note = tag[1] == "N1" and open_at is not None
        if in_note:
            notes_of[-1].append([line[tag.end() :]])
        if tag[1] == "TY":
            if open_at is not None:
                raise ImportFileError(f"line {open_at}: record {count} has no ER line")
            count += 1
            open_at = number
            notes_of.append([])
        elif tag[1] == "ER":
            open_at = None
        elif open_at is None:
            raise ImportFileError(f"line {number}: {tag[1]} outside a record (before its TY line)")
    if open_at is not None:
        raise ImportFileError(f"line {open_at}: record {count} has no ER line")
    _too_many(count)
    try:
        records = rispy.loads(text, skip_unknown_tags=True)
    except Exception as exc:
        raise ImportFileError(f"the RIS cannot be read: {exc}") from None
    candidates = []
    for number, record in enumerate(records, 1):
        urls = record.get("urls") or []
        notes = ["\n".join(n).strip() for n in notes_of[number - 1]] if number <= count else []
        places = [record.get("type_of_work"), record.get("accession_number"), *urls]
        doi_text = record.get("doi")
        candidates.append(
            Candidate(
                source=f"record {number}",
                arxiv_id=_first(
                    *(ident.arxiv_id(p) for p in places),
                    ident.arxiv_id(doi_text),
                    *(ident.arxiv_ids_in(n)[0] for n in notes if ident.arxiv_ids_in(n)),
                ),
                doi=_first(ident.doi(doi_text), *(ident.doi(u) for u in urls)),
                title=collapse(record.get("title") or record.get("primary_title")) or None,
                note=_note(*notes),
            )
        )
    return candidates


# --- CSL-JSON ----------------------------------------------------------------------------------


def read_csl_json(text: str) -> list[Candidate]:
    try:
        items = json.loads(text)
    except ValueError as exc:
        raise ImportFileError(f"line {exc.lineno}: not valid JSON: {exc.msg}") from None
    if isinstance(items, dict):
        items = items.get("items", [items])
    if not isinstance(items, list):
        raise ImportFileError("CSL-JSON must be a list of items")
    _too_many(len(items))
    candidates = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ImportFileError(f"record {number}: a CSL-JSON item must be an object")
        values = {k: item.get(k) for k in ("id", "number", "URL", "DOI", "title", "note")}
        for name, value in values.items():
            if value is not None and not isinstance(value, str | int | float):
                raise ImportFileError(f"record {number}: {name} must be text")
        values = {k: str(v) if v is not None else "" for k, v in values.items()}
        where = f"record {number}" + (f" ({values['id']})" if values["id"] else "")
        mentioned = ident.arxiv_ids_in(values["note"])
        candidates.append(
            Candidate(
                source=where,
                arxiv_id=_first(
                    ident.arxiv_id(values["number"]),
                    ident.arxiv_id(values["id"]),
                    ident.arxiv_id(values["URL"]),
                    ident.arxiv_id(values["DOI"]),
                    mentioned[0] if mentioned else None,
                ),
                doi=_first(ident.doi(values["DOI"]), ident.doi(values["URL"])),
                title=collapse(values["title"]) or None,
                note=_note(values["note"]),
            )
        )
    return candidates


# --- plain lists and Markdown ------------------------------------------------------------------


def _line_ids(line: str) -> list[tuple[str | None, str | None]]:
    """(arXiv id, DOI) pairs a line names, in order: URLs and ``arXiv:`` ids in running text,
    and each comma- or space-separated word that is an id or DOI by itself."""
    found: list[tuple[int, str | None, str | None]] = [
        (m.start(), ident.arxiv_id(m["id"]), None) for m in ident.ARXIV_IN_TEXT.finditer(line)
    ]
    for match in re.finditer(r"[^\s,]+", line):
        word = match.group().strip("()[]<>*_`'\".;")
        paper_id = ident.arxiv_id(word) if ident.is_bare_id(word) else None
        doi = None if paper_id else ident.doi(word)
        if doi:
            paper_id = ident.arxiv_id(doi)
        if paper_id or doi:
            found.append((match.start(), paper_id, doi))
    pairs: list[tuple[str | None, str | None]] = []
    for _, paper_id, doi in sorted(found, key=lambda f: f[0]):
        if paper_id and any(paper_id == p for p, _ in pairs):
            continue
        if paper_id or doi not in {d for _, d in pairs}:
            pairs.append((paper_id, doi))
    return [pair for pair in pairs if pair[0] or pair[1]]


def read_text(text: str) -> list[Candidate]:
    candidates: list[Candidate] = []
    last: int | None = None  # index of the last line's last candidate, for a quoted note
    notes: dict[int, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        quoted = re.match(r"^\s*>\s?(.*)$", line)
        if quoted and last is not None:
            notes.setdefault(last, []).append(quoted[1])
            continue
        found = _line_ids(line) if len(line) < 10_000 else []
        for paper_id, doi in found:
            candidates.append(Candidate(f"line {number}", paper_id, doi, None))
            _too_many(len(candidates))
        last = len(candidates) - 1 if found else None
    if not candidates:
        number, first = next(
            ((n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()),
            (1, ""),
        )
        raise ImportFileError(
            "no arXiv id, arXiv URL or DOI found, and not BibTeX, RIS or CSL-JSON "
            f"(line {number}: {first[:60]!r})"
        )
    for index, lines in notes.items():
        c = candidates[index]
        note = "\n".join(lines).strip()
        candidates[index] = Candidate(c.source, c.arxiv_id, c.doi, c.title, note)
    return candidates


# paperfeed's own Markdown export (paperfeed.library.exports.markdown_one): one entry a paper,
# "# Title", the facts with "**Links:** [arXiv:ID](...)", "## Abstract", and last "## Note".
_MD_ENTRY = re.compile(r"^# .*\n\n\*\*Authors:\*\* ", re.MULTILINE)
_MD_LINKS = re.compile(r"^\*\*Links:\*\* \[arXiv:([^\]\s]+)\]", re.MULTILINE)
_MD_SEPARATOR = "\n---\n\n"


def is_paperfeed_markdown(text: str) -> bool:
    return bool(_MD_ENTRY.search(text) and _MD_LINKS.search(text))


def read_paperfeed_markdown(text: str) -> list[Candidate]:
    """A paperfeed Markdown export back: each entry's arXiv id and its ``## Note`` (the last
    section of an entry), so a collection exported as Markdown imports with its notes."""
    starts = [m.start() for m in _MD_ENTRY.finditer(text)]
    candidates: list[Candidate] = []
    for n, start in enumerate(starts):
        chunk = text[start : starts[n + 1] if n + 1 < len(starts) else len(text)]
        chunk = chunk.removesuffix(_MD_SEPARATOR).rstrip("\n")
        links = _MD_LINKS.search(chunk)
        paper_id = ident.arxiv_id(links[1]) if links else None
        if paper_id is None:
            continue
        abstract = chunk.find("\n\n## Abstract\n\n")
        note_at = chunk.find("\n\n## Note\n\n", max(abstract, 0))
        note = chunk[note_at + len("\n\n## Note\n\n") :] if note_at >= 0 else ""
        line = text.count("\n", 0, start) + 1
        title = chunk.split("\n", 1)[0].removeprefix("# ")
        candidates.append(Candidate(f"line {line}", paper_id, None, title, note.strip()))
        _too_many(len(candidates))
    return candidates
