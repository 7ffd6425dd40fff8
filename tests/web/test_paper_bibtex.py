"""The paper page's BibTeX entry (paperfeed.web.bibtex): fields, entry type, escaping, keys."""

from __future__ import annotations

import datetime as dt
import doctest
import re

import pytest

from paperfeed.web import bibtex


def test_doctests():
    assert doctest.testmod(bibtex).failed == 0


def fields(entry: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\w+) = \{(.*)\},?$", entry, re.M))


def test_preprint_is_misc_with_the_arxiv_fields():
    entry = bibtex.entry(
        arxiv_id="2606.13681",
        title="EvoArena: Tracking Memory Evolution",
        authors=["Zhiyuan Hu", "Ada Lovelace", "Alan Turing"],
        published=dt.date(2026, 6, 11),
        primary_category="cs.CL",
    )
    assert entry.startswith("@misc{hu2026evoarena,\n") and entry.endswith("\n}")
    assert fields(entry) == {
        "title": "EvoArena: Tracking Memory Evolution",
        "author": "Zhiyuan Hu and Ada Lovelace and Alan Turing",
        "year": "2026",
        "eprint": "2606.13681",
        "archivePrefix": "arXiv",
        "primaryClass": "cs.CL",
        "url": "https://arxiv.org/abs/2606.13681",
    }


def test_journal_reference_makes_an_article_with_doi():
    entry = bibtex.entry(
        arxiv_id="cs/9809007",
        title="Compression of inverted files",
        authors=["Alistair Moffat"],
        published=dt.date(1998, 9, 30),
        primary_category="cs.DS",
        doi="10.1000/xyz",
        journal_ref="J. Tests 1 (1998) 1-10",
    )
    assert entry.startswith("@article{moffat1998compression,")
    got = fields(entry)
    assert got["journal"] == "J. Tests 1 (1998) 1-10" and got["doi"] == "10.1000/xyz"
    assert got["eprint"] == "cs/9809007"


def test_absent_fields_are_left_out():
    entry = bibtex.entry(arxiv_id="2501.00001", title="T", authors=[], published=None)
    assert set(fields(entry)) == {"title", "eprint", "archivePrefix", "url"}
    assert entry.startswith("@misc{arxiv_250100001,")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        (r"Attention with $\mathcal{O}(n)$ memory", r"Attention with $\mathcal{O}(n)$ memory"),
        ("Closing } first", r"Closing \} first"),
        ("Opened { never closed", r"Opened \{ never closed"),
        ("} both {", r"\} both \{"),
        ("{Balanced} {kept}", "{Balanced} {kept}"),
        (r"Escaped \{ already", r"Escaped \{ already"),
        ("50% & #1", r"50\% \& \#1"),
        ("line\n  broken", "line broken"),
    ],
)
def test_escape_keeps_tex_and_defuses_what_breaks_the_entry(raw, escaped):
    assert bibtex.escape(raw) == escaped


def test_every_field_has_balanced_braces():
    """However odd the title, the entry stays parseable: its braces balance."""
    entry = bibtex.entry(
        arxiv_id="2501.00001",
        title="} { }} {{ odd",
        authors=["Bell and Howell Lab", "Ana {Smith"],
        published=dt.date(2025, 1, 1),
    )
    depth = 0
    for i, char in enumerate(entry):
        if char in "{}" and not (i and entry[i - 1] == "\\"):
            depth += 1 if char == "{" else -1
            assert depth >= 0
    assert depth == 0
    assert "author = {{Bell and Howell Lab} and Ana \\{Smith}" in entry
