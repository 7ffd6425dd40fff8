"""Exports (paperfeed.library.exports) read back with the parsers reference managers trust:
bibtexparser for BibTeX, rispy for RIS, json for CSL-JSON; every field round-trips."""

from __future__ import annotations

import datetime as dt
import json
import re

import bibtexparser
import pytest
import rispy
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.library import exports
from paperfeed.library.exports import FORMATS, Entry, export, load_entries
from paperfeed.papers.models import Author, Paper
from paperfeed.signals.models import PaperSignals
from tests.web.conftest import record, store

TITLE = r"Schrödinger bridges in $\mathcal{O}(n^2)$ memory: 50% faster & {GPU} cache_size"
AUTHORS = ("Johannes Diderik van der Waals", "Paul Erdős", "Zoë Ångström Jr.")
NOTE = "**Read** §3: the $x^2$ bound, 100% {sic} \\o/ _emph_ ~ ^ #tag\n\n- item & more\nER  - x"
ABSTRACT = "We bridge $p$ and $q$.\nA second paragraph."
# BibTeX escapes, undone by a table written here, independently of the code under test
_DECODE = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    **{"\\" + c: c for c in "%&#_${}"},
}
_DECODER = re.compile("|".join(re.escape(k) for k in sorted(_DECODE, key=len, reverse=True)))


def decode(value: str) -> str:
    return _DECODER.sub(lambda m: _DECODE[m.group()], value)


def lines(note: str) -> str:
    """What an export keeps of a note: its lines, joined by \\n, trimmed."""
    return "\n".join(note.splitlines()).strip()


def bib(text: str) -> list[dict]:
    parser = bibtexparser.bparser.BibTexParser(common_strings=True, ignore_nonstandard_types=False)
    return bibtexparser.loads(text, parser).entries


@pytest.fixture
def papers(db):
    """A preprint at a conference (S2 venue), an old-style id with a journal ref, and a paper
    whose citation key collides with the first."""
    a, b, c = store(
        record(
            "2025-03-14",
            arxiv_id="2503.01234",
            title=TITLE,
            abstract=ABSTRACT,
            authors=AUTHORS,
            categories=("cs.LG", "stat.ML"),
            doi="10.1000/xyz_1",
        ),
        record(
            "1999-01-04",
            arxiv_id="hep-th/9901001",
            title="Strings",
            authors=("Ada Lovelace",),
            categories=("hep-th",),
            journal_ref="Phys. Rev. D 60 (1999) 1",
        ),
        record("2025-06-01", arxiv_id="2506.00002", title="Schrödinger again", authors=AUTHORS),
    )
    PaperSignals.objects.create(paper=a, venue="NeurIPS 2025")
    return a, b, c


def entries(papers):
    a, b, c = papers
    return load_entries([a.arxiv_id, b.arxiv_id, c.arxiv_id], {a.arxiv_id: NOTE})


def test_bibtex_round_trips_every_field(papers):
    got = bib(export(entries(papers), "bibtex"))
    assert [e["ID"] for e in got] == [
        "vanderwaals2025schrodinger",
        "lovelace1999strings",
        "vanderwaals2025schrodingera",
    ]
    first, old, _ = got
    assert first["ENTRYTYPE"] == "inproceedings" and first["booktitle"] == "NeurIPS 2025"
    assert decode(first["title"]) == papers[0].title  # the LaTeX survives, specials escaped
    assert r"$\mathcal{O}(n^2)$" in first["title"] and r"50\% faster \&" in first["title"]
    assert first["author"] == (
        "van der Waals, Johannes Diderik and Erdős, Paul and Ångström, Jr., Zoë"
    )
    assert (first["year"], first["month"]) == ("2025", "March")
    assert decode(first["doi"]) == "10.1000/xyz_1"
    assert (first["eprint"], first["archiveprefix"], first["primaryclass"]) == (
        "2503.01234",
        "arXiv",
        "cs.LG",
    )
    assert first["url"] == "https://arxiv.org/abs/2503.01234"
    assert decode(first["annote"]) == NOTE
    assert old["ENTRYTYPE"] == "article" and old["journal"] == "Phys. Rev. D 60 (1999) 1"
    assert old["eprint"] == "hep-th/9901001" and "annote" not in old


def test_ris_round_trips_every_field(papers):
    first, old, _ = rispy.loads(export(entries(papers), "ris"))
    assert first["type_of_reference"] == "CPAPER" and first["secondary_title"] == "NeurIPS 2025"
    assert first["title"] == papers[0].title
    assert first["authors"] == [
        "van der Waals, Johannes Diderik",
        "Erdős, Paul",
        "Ångström, Jr., Zoë",
    ]
    assert (first["year"], first["date"]) == ("2025", "2025/03/14")
    assert first["doi"] == "10.1000/xyz_1" and first["urls"] == ["https://arxiv.org/abs/2503.01234"]
    assert first["accession_number"] == "arXiv:2503.01234" and first["keywords"] == [
        "cs.LG",
        "stat.ML",
    ]
    assert first["id"] == "vanderwaals2025schrodinger"
    assert first["abstract"] == papers[0].abstract
    # the note's lines come back as they were, the one that reads as a tag (indented) too
    assert "\n".join(first["notes"]) == NOTE
    assert old["type_of_reference"] == "JOUR" and old["journal_name"] == "Phys. Rev. D 60 (1999) 1"


def test_csl_json_round_trips_every_field(papers):
    first, old, third = json.loads(export(entries(papers), "csl-json"))
    assert first == {
        "id": "vanderwaals2025schrodinger",
        "type": "paper-conference",
        "title": papers[0].title,
        "author": [
            {"family": "van der Waals", "given": "Johannes Diderik"},
            {"family": "Erdős", "given": "Paul"},
            {"family": "Ångström", "given": "Zoë", "suffix": "Jr."},
        ],
        "URL": "https://arxiv.org/abs/2503.01234",
        "archive": "arXiv",
        "number": "arXiv:2503.01234",
        "issued": {"date-parts": [[2025, 3, 14]]},
        "DOI": "10.1000/xyz_1",
        "container-title": "NeurIPS 2025",
        "abstract": papers[0].abstract,
        "keyword": "cs.LG, stat.ML",
        "note": NOTE,
    }
    assert old["type"] == "article-journal" and old["number"] == "arXiv:hep-th/9901001"
    assert third["type"] == "article" and third["publisher"] == "arXiv"
    assert third["id"] == "vanderwaals2025schrodingera"


def test_markdown_reads_like_a_paper(papers):
    text = export(entries(papers)[:1], "markdown")
    assert text.startswith(f"# {papers[0].title}\n")
    for part in (
        "**Authors:** Johannes Diderik van der Waals, Paul Erdős, Zoë Ångström Jr.",
        "**Published:** 2025-03-14",
        "**Venue:** NeurIPS 2025",
        "[arXiv:2503.01234](https://arxiv.org/abs/2503.01234)",
        "[DOI 10.1000/xyz_1](https://doi.org/10.1000/xyz_1)",
        f"## Abstract\n\n{papers[0].abstract}",
        f"## Note\n\n{NOTE}",
    ):
        assert part in text


def test_a_collection_like_export_has_unique_keys(papers):
    many = entries(papers) + load_entries([papers[0].arxiv_id])
    # the same paper twice (two collections' worth) and a colliding key: still unique
    keys = [e["ID"] for e in bib(export(many, "bibtex"))]
    assert len(keys) == 4 and len(set(keys)) == 4
    ids = [i["id"] for i in json.loads(export(many, "csl-json"))]
    assert ids == keys


def test_an_unknown_format_is_named():
    with pytest.raises(ValueError, match="'docx'"):
        export([], "docx")
    assert set(FORMATS) == {"bibtex", "ris", "csl-json", "markdown"}


def test_load_entries_keeps_order_drops_unknown_and_hidden(papers):
    a, b, c = papers
    Paper.objects.filter(pk=c.pk).update(hidden=True)
    got = load_entries([b.arxiv_id, "2503.99999", a.arxiv_id, c.arxiv_id, b.arxiv_id])
    assert [e.paper.arxiv_id for e in got] == [b.arxiv_id, a.arxiv_id]
    assert [e.note for e in got] == ["", ""]


def test_load_entries_costs_the_same_queries_for_one_or_many(papers, monkeypatch):
    ids = [p.arxiv_id for p in papers]
    with CaptureQueriesContext(connection) as one:
        export(load_entries(ids[:1]), "bibtex")
    with CaptureQueriesContext(connection) as three:
        export(load_entries(ids), "bibtex")
    assert len(one) == len(three) == 2
    monkeypatch.setattr(exports, "CHUNK", 2)  # more ids than one statement takes
    assert [e.paper.arxiv_id for e in load_entries(ids)] == ids


# -- any text -----------------------------------------------------------------------------
def unsaved(title: str, authors=("Ada Lovelace",)) -> Paper:
    paper = Paper(arxiv_id="2501.00001", title=title, published=dt.date(2025, 1, 2))
    paper.author_list = [Author(name=a) for a in authors]
    paper.external = None
    return paper


ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
# bibtexparser's pyparsing grammar expands tabs to spaces before parsing; a tab is written as is
NO_TAB = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\t"), max_size=80)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(note=NO_TAB, title=NO_TAB.filter(lambda t: "\\" not in t and "$" not in t))
def test_any_note_and_title_come_back_from_bibtexparser(note, title):
    """A note is plain text (Markdown): bibtexparser gives back the very text once the escapes
    are undone, but for the white space that starts a line (TeX ignores it, bibtexparser drops
    it). A title is TeX: without macros or math, it comes back as its words."""
    title = " ".join(title.split()) or "T"
    paper = unsaved(title)
    got = bib(export([Entry(paper, note), Entry(paper)], "bibtex"))
    assert len(got) == 2 and got[0]["eprint"] == got[1]["eprint"] == "2501.00001"
    kept = "\n".join(line.lstrip() for line in lines(note).split("\n"))
    assert decode(got[0].get("annote", "")) == kept
    assert decode(got[0]["title"]) == title
    assert got[0]["url"] == "https://arxiv.org/abs/2501.00001"


@settings(max_examples=200, deadline=None)
@given(title=ANY_TEXT)
def test_any_tex_title_keeps_the_entry_whole(title):
    """Whatever a title holds (macros, stray braces, dollars), the entry parses and the fields
    after it are intact."""
    got = bib(export([Entry(unsaved(title or "T"), "n")], "bibtex"))
    assert len(got) == 1 and got[0]["eprint"] == "2501.00001" and got[0]["annote"] == "n"


@settings(max_examples=200, deadline=None)
@given(note=ANY_TEXT, name=ANY_TEXT)
def test_no_text_ends_a_ris_record(note, name):
    """RIS cannot escape: whatever a note or a name holds, it stays inside its own record."""
    text = export([Entry(unsaved("T", (name or "A",)), note), Entry(unsaved("U"))], "ris")
    got = rispy.loads(text)
    assert [r["title"] for r in got] == ["T", "U"]
    assert got[0]["accession_number"] == "arXiv:2501.00001"


@settings(max_examples=200, deadline=None)
@given(note=ANY_TEXT, title=ANY_TEXT)
def test_csl_json_keeps_any_text(note, title):
    item = json.loads(export([Entry(unsaved(title or "T"), note)], "csl-json"))[0]
    assert item["title"] == " ".join((title or "T").split())
    assert item.get("note", "") == lines(note)
