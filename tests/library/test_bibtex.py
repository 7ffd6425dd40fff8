"""A paper's BibTeX entry (paperfeed.library.bibtex): fields, entry type, escaping, keys."""

from __future__ import annotations

import datetime as dt
import doctest
import re

import bibtexparser
import pytest

from paperfeed.library import bibtex, fields
from paperfeed.library.fields import Record


def test_doctests():
    assert doctest.testmod(bibtex).failed == 0
    assert doctest.testmod(fields).failed == 0


def parse(entry: str) -> dict[str, str]:
    entries = bibtexparser.loads(entry).entries
    assert len(entries) == 1, entry
    return entries[0]


def test_preprint_is_misc_with_the_arxiv_fields():
    record = Record(
        "2606.13681",
        "EvoArena: Tracking Memory Evolution",
        ("Zhiyuan Hu", "Ada Lovelace", "Alan Turing"),
        date=dt.date(2026, 6, 11),
        primary_category="cs.CL",
    )
    entry = bibtex.entry(record)
    assert entry.startswith("@misc{hu2026evoarena,\n") and entry.endswith("\n}")
    assert parse(entry) == {
        "ENTRYTYPE": "misc",
        "ID": "hu2026evoarena",
        "title": "EvoArena: Tracking Memory Evolution",
        "author": "Hu, Zhiyuan and Lovelace, Ada and Turing, Alan",
        "year": "2026",
        "month": "June",  # bibtexparser reads the month macro
        "eprint": "2606.13681",
        "archiveprefix": "arXiv",
        "primaryclass": "cs.CL",
        "url": "https://arxiv.org/abs/2606.13681",
    }


def test_journal_reference_makes_an_article_with_doi():
    record = Record(
        "cs/9809007",
        "Compression of inverted files",
        ("Alistair Moffat",),
        date=dt.date(1998, 9, 30),
        primary_category="cs.DS",
        doi="10.1000/xyz_1",
        venue="J. Tests 1 (1998) 1-10",
    )
    entry = bibtex.entry(record)
    assert entry.startswith("@article{moffat1998compression,")
    got = parse(entry)
    assert got["journal"] == "J. Tests 1 (1998) 1-10" and got["doi"] == r"10.1000/xyz\_1"
    assert got["eprint"] == "cs/9809007"


def test_a_conference_venue_makes_inproceedings_with_booktitle():
    record = Record("2501.00002", "T", ("A B",), venue="NeurIPS 2025")
    got = parse(bibtex.entry(record))
    assert got["ENTRYTYPE"] == "inproceedings" and got["booktitle"] == "NeurIPS 2025"


def test_absent_fields_are_left_out():
    entry = bibtex.entry(Record("2501.00001", "T", ()))
    assert set(parse(entry)) == {"ENTRYTYPE", "ID", "title", "eprint", "archiveprefix", "url"}
    assert entry.startswith("@misc{arxiv_250100001,")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        (r"Attention with $\mathcal{O}(n)$ memory", r"Attention with $\mathcal{O}(n)$ memory"),
        ("Closing } first", r"Closing \textbraceright{} first"),
        ("Opened { never closed", r"Opened \textbraceleft{} never closed"),
        ("} both {", r"\textbraceright{} both \textbraceleft{}"),
        (r"Escaped \{ alone", r"Escaped \textbraceleft{} alone"),
        ("{Balanced} {kept}", "{Balanced} {kept}"),
        (r"Escaped \{ pair \}", r"Escaped \{ pair \}"),
        ("50% & #1 of snake_case for $5", r"50\% \& \#1 of snake\_case for \$5"),
        (r"$a_b$ and a_b", r"$a_b$ and a\_b"),
        ("line\n  broken", "line broken"),
    ],
)
def test_escape_keeps_tex_and_defuses_what_breaks_the_entry(raw, escaped):
    assert bibtex.escape(raw) == escaped


def test_an_escaped_brace_alone_no_longer_swallows_the_file():
    """BibTeX (and bibtexparser) count every brace, escaped or not, to find a field's end: the
    old ``\\{`` for an unpaired brace made the entry unreadable."""
    record = Record("2501.00001", "Opened { never closed", ("Ana {Smith", "Bell and Howell Lab"))
    got = parse(bibtex.entry(record))
    assert got["title"] == r"Opened \textbraceleft{} never closed"
    assert got["author"] == r"\textbraceleft{}Smith, Ana and {Lab, Bell and Howell}"


def test_every_field_has_balanced_braces():
    """However odd the title, the entry stays parseable: its braces balance."""
    record = Record("2501.00001", "} { }} {{ odd", ("Ana {Smith",), date=dt.date(2025, 1, 1))
    entry = bibtex.entry(record, note="a } note {")
    depth = 0
    for char in entry:
        if char in "{}":
            depth += 1 if char == "{" else -1
            assert depth >= 0
    assert depth == 0
    assert re.search(r"annote = \{a \\textbraceright\{\} note \\textbraceleft\{\}\}", entry)
