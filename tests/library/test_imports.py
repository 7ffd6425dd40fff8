"""Imports: reading BibTeX (arXiv's own export, Zotero's), RIS, CSL-JSON and plain lists into
candidates, errors that name where, and matching them to stored papers (queueing the rest)."""

from __future__ import annotations

import json

import pytest
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperfeed.jobs import tasks
from paperfeed.library.imports import Candidate, ImportFileError, parse, resolve
from paperfeed.papers.models import Paper
from tests.community.factories import make_paper
from tests.ingest.arxiv_server import (
    API,
    FEED_IDS,
    arxiv,  # noqa: F401, F811 - the fake arXiv server
    shared_reply,
)

# arXiv's "Export BibTeX citation" for a paper, as the abs page gives it
ARXIV_EXPORT = """@misc{vaswani2023attentionneed,
      title={Attention Is All You Need},
      author={Ashish Vaswani and Noam Shazeer and Niki Parmar and Jakob Uszkoreit and Llion Jones and Aidan N. Gomez and Lukasz Kaiser and Illia Polosukhin},
      year={2023},
      eprint={1706.03762},
      archivePrefix={arXiv},
      primaryClass={cs.CL},
      url={https://arxiv.org/abs/1706.03762},
}
"""

# written the way Zotero's Better BibTeX and plain BibTeX export write them
ZOTERO_BIB = r"""% Zotero export
@comment{jabref-meta: databaseType:bibtex;}
@article{muller_uber_2021,
	title = {{\"U}ber {Schr{\"o}dinger}-{Br{\"u}cken} and \& co: a {Study}},
	volume = {12},
	doi = {10.1000/ABC.123},
	journal = {Journal of Examples},
	author = {M{\"u}ller, J{\"o}rg and Garc{\'\i}a, Ana and {\O}stergaard, Søren},
	year = {2021},
	annote = {Read for the reading group: section 3 is {\"o}ffensichtlich wrong},
}

@misc{smith_deep_2024,
	title = {Deep {Learning} for {Cats}},
	url = {http://arxiv.org/abs/2401.00007},
	doi = {10.48550/arXiv.2401.00007},
	publisher = {arXiv},
	author = {Smith, Jane},
	month = jan,
	year = {2024},
	note = {arXiv:2401.00007 [cs]},
}

@article{scholar2020,
  title={Old style},
  author={Doe, John},
  journal={arXiv preprint arXiv:hep-th/9901001v2},
  year={1999}
}
"""

ZOTERO_RIS = """TY  - PREPRINT
TI  - Deep Learning for Cats
AU  - Smith, Jane
AU  - Núñez, José
AB  - We study cats.
DA  - 2024/01/01/
PY  - 2024
DO  - 10.48550/arXiv.2401.00007
DP  - arXiv.org
PB  - arXiv
UR  - http://arxiv.org/abs/2401.00007
N1  - arXiv:2401.00007 [cs]
N1  - Über-important: read §2
ER  -

TY  - JOUR
TI  - Über Brücken
AU  - Müller, Jörg
DO  - https://doi.org/10.1000/ABC.123
N1  - a note
ER  -
"""


def test_arxivs_own_bibtex_export():
    [entry] = parse(ARXIV_EXPORT)
    assert entry == Candidate(
        "entry vaswani2023attentionneed", "1706.03762", None, "Attention Is All You Need"
    )


def test_zotero_bibtex_with_accents_latex_escapes_dois_and_notes():
    muller, smith, scholar = parse(ZOTERO_BIB.encode(), "My Library.bib")
    assert muller == Candidate(
        "entry muller_uber_2021",
        None,
        "10.1000/abc.123",
        "Über Schrödinger-Brücken and & co: a Study",
        "Read for the reading group: section 3 is öffensichtlich wrong",
    )
    # the arXiv DOI names the paper; Zotero's "arXiv:ID [cs]" note is not the reader's note
    assert (smith.arxiv_id, smith.doi, smith.note) == (
        "2401.00007",
        "10.48550/arxiv.2401.00007",
        "",
    )
    assert scholar.arxiv_id == "hep-th/9901001"  # Google Scholar's journal field


def test_zotero_ris():
    cats, bridges = parse(ZOTERO_RIS)
    assert cats == Candidate(
        "record 1",
        "2401.00007",
        "10.48550/arxiv.2401.00007",
        "Deep Learning for Cats",
        "Über-important: read §2",
    )
    assert bridges == Candidate("record 2", None, "10.1000/abc.123", "Über Brücken", "a note")


def test_csl_json():
    items = [
        {"id": "paper-1", "type": "article", "number": "arXiv:2401.00007v3", "note": "n1"},
        {"id": "2", "title": "A  journal   paper", "DOI": "10.1000/XYZ"},
        {"id": "x", "URL": "https://www.alphaxiv.org/abs/2502.00009"},
    ]
    got = parse(json.dumps(items), "export.json")
    assert got == [
        Candidate("record 1 (paper-1)", "2401.00007", None, None, "n1"),
        Candidate("record 2 (2)", None, "10.1000/xyz", "A journal paper"),
        Candidate("record 3 (x)", "2502.00009", None, None),
    ]


def test_plain_lists_of_ids_urls_and_dois():
    text = """# to read
1706.03762v5, arXiv:cs/9809007  https://arxiv.org/pdf/2401.00007v2.pdf
https://www.alphaxiv.org/abs/2502.00009 and https://huggingface.co/papers/2503.00010
https://doi.org/10.1145/3292500.3330701
doi:10.1000/X.
"""
    got = [(c.source, c.arxiv_id, c.doi) for c in parse(text)]
    assert got == [
        ("line 2", "1706.03762", None),
        ("line 2", "cs/9809007", None),
        ("line 2", "2401.00007", None),
        ("line 3", "2502.00009", None),
        ("line 3", "2503.00010", None),
        ("line 4", None, "10.1145/3292500.3330701"),
        ("line 5", None, "10.1000/x"),
    ]


def test_markdown_links_and_quoted_notes():
    text = (
        "## Reading group\n\n- [Attention](https://arxiv.org/abs/1706.03762) — Vaswani\n"
        "  > heads: see $QK^T$\n  > second line\n- [Other](https://arxiv.org/abs/2401.00007)\n"
    )
    first, second = parse(text)
    assert (first.arxiv_id, first.note) == ("1706.03762", "heads: see $QK^T$\nsecond line")
    assert (second.arxiv_id, second.note) == ("2401.00007", "")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            "@article{good, title={A}, doi={10.1/2}}\n@article{bad2,\n title = {Broken",
            "",
            "line 2: entry bad2 cannot be read as BibTeX",
        ),
        ("TY  - JOUR\nTI  - x\n", "", "line 1: record 1 has no ER line"),
        ("TY  - JOUR\nER  - \nAU  - x\n", "", "line 3: AU outside a record"),
        ('[{"id": 1}, 3]', "", "record 2: a CSL-JSON item must be an object"),
        ('[{"id": "a", "title": {"x": 1}}]', "", "record 1: title must be text"),
        ("[1, 2", "x.json", "line 1: not valid JSON"),
        ("just some words\nand more", "", "line 1: 'just some words'"),
        (b"ok\n\xff\xfe\x00junk", "", "line 2: the file is not UTF-8 text"),
        (b"", "", "the input is empty"),
        (b"\x00\x01" * 10, "", "the file is binary"),
        (b"1706.03762\n" * 200_000, "", "larger than 2 MB"),
        ("\n".join(f"2401.{n:05d}" for n in range(1, 5_002)), "", "at most 5000"),
    ],
)
def test_unreadable_input_says_where(data, filename, message):
    with pytest.raises(ImportFileError) as caught:
        parse(data, filename)
    assert message in str(caught.value)


# --- round trips: whatever an export writes, parse reads back ----------------------------------

new_ids = st.builds(
    lambda year, month, n, v: f"{year:02d}{month:02d}.{n:05d}" + (f"v{v}" if v else ""),
    st.integers(15, 29),
    st.integers(1, 12),
    st.integers(0, 99_999),
    st.none() | st.integers(1, 9),
)
old_ids = st.builds(
    lambda archive, n: f"{archive}/{n:07d}",
    st.sampled_from(["cs", "hep-th", "math.GT", "quant-ph", "cond-mat"]),
    st.integers(9_101_001, 9_912_999).filter(lambda n: 1 <= n // 1000 % 100 <= 12),
)
dois = st.builds(
    lambda registrant, suffix: f"10.{registrant}/{suffix}",
    st.integers(1000, 99_999),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9.()_:;-]{0,30}[A-Za-z0-9]", fullmatch=True),
).filter(lambda d: not d.lower().startswith("10.48550/"))
notes = st.text(
    st.characters(codec="utf-8", categories=["L", "N", "Zs"]) | st.sampled_from(".,:;!?-'()"),
    max_size=80,
).map(lambda s: " ".join(s.split()))
entries = st.lists(st.tuples(new_ids | old_ids, dois, notes), min_size=1, max_size=5)


def _bibtex(rows) -> str:
    return "\n".join(
        f"@misc{{key{n},\n  title = {{Paper {n}}},\n  eprint = {{{paper_id}}},\n"
        f"  archivePrefix = {{arXiv}},\n  primaryClass = {{cs.LG}},\n  doi = {{{doi}}},\n"
        f"  url = {{https://arxiv.org/abs/{paper_id}}},\n  annote = {{{note}}}\n}}\n"
        for n, (paper_id, doi, note) in enumerate(rows)
    )


def _ris(rows) -> str:
    return "".join(
        f"TY  - GEN\nTI  - Paper {n}\nUR  - https://arxiv.org/abs/{paper_id}\nDO  - {doi}\n"
        f"M3  - arXiv:{paper_id}\nAN  - {paper_id}\n"
        + (f"N1  - {note}\n" if note else "")
        + "ER  - \n\n"
        for n, (paper_id, doi, note) in enumerate(rows)
    )


def _csl(rows) -> str:
    items = [
        {
            "id": f"arXiv:{paper_id}",
            "type": "article",
            "title": f"Paper {n}",
            "number": paper_id,
            "DOI": doi,
            "URL": f"https://arxiv.org/abs/{paper_id}",
            "note": note,
        }
        for n, (paper_id, doi, note) in enumerate(rows)
    ]
    return json.dumps(items, ensure_ascii=False)


def _unversioned(paper_id: str) -> str:
    head, _, tail = paper_id.rpartition("/")
    return (head + "/" if head else "") + tail.split("v")[0]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(entries, st.sampled_from([_bibtex, _ris, _csl]))
def test_every_id_doi_and_note_written_comes_back(rows, write):
    got = parse(write(rows).encode("utf-8"))
    assert [(c.arxiv_id, c.doi, c.note) for c in got] == [
        (_unversioned(paper_id), doi.lower(), note) for paper_id, doi, note in rows
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(new_ids | old_ids | dois, st.sampled_from([", ", " ", "\n", ",", " ,\n"])),
        min_size=1,
        max_size=8,
        unique_by=lambda item: _unversioned(item[0]).lower(),
    )
)
def test_plain_lists_come_back(items):
    text = "".join(item + sep for item, sep in items)
    got = [c.arxiv_id or c.doi for c in parse(text)]
    assert got == [i.lower() if i.startswith("10.") else _unversioned(i) for i, _ in items]


# --- resolve -----------------------------------------------------------------------------------


@pytest.fixture
def stored(db):
    make_paper("1706.03762", title="Attention Is All You Need")
    make_paper(
        "2401.00001", title="Über Schrödinger-Brücken and \\& Co: a study", doi="10.1000/ABC.123"
    )
    make_paper("2401.00002", title="A paper with a $\\beta$-{VAE}")
    make_paper("2401.00003", title="Hidden away", hidden=True)


@pytest.mark.django_db
def test_resolve_matches_by_id_doi_and_title_and_queues_unknown_ids(
    stored, django_capture_on_commit_callbacks
):
    text = (
        ZOTERO_BIB
        + ARXIV_EXPORT
        + """
@misc{again, title={Attention is all you need}, eprint={1706.03762v2}, annote={second note}}
@article{beta, title={A Paper with a $\\beta$-VAE}}
@article{journal, title={Nothing like it}, doi={10.9999/nope}}
@article{untitled, author={Nobody}}
@misc{hidden, title={Hidden away}, eprint={2401.00003}}
"""
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = resolve(parse(text))
    assert [(c.source, p) for c, p in report.matched] == [
        ("entry muller_uber_2021", "2401.00001"),  # by DOI, any case
        ("entry vaswani2023attentionneed", "1706.03762"),  # once, with the repeat's note
        ("entry beta", "2401.00002"),  # by title: case, braces and LaTeX aside
    ]
    assert report.matched[1][0].note == "second note"
    assert [(c.source, p) for c, p in report.queued] == [
        ("entry smith_deep_2024", "2401.00007"),
        ("entry scholar2020", "hep-th/9901001"),
    ]
    assert [(c.source, r) for c, r in report.unmatched] == [
        ("entry journal", "DOI 10.9999/nope is not on paperfeed and names no arXiv paper"),
        ("entry untitled", "no arXiv id, DOI or title"),
        ("entry hidden", "2401.00003 is withdrawn or hidden on paperfeed"),
    ]
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "paperfeed.jobs.tasks.fetch_papers"
    assert task.args_kwargs == {"args": [["2401.00007", "hep-th/9901001"]], "kwargs": {}}


@pytest.mark.django_db
def test_a_preview_queues_nothing_and_a_fully_known_import_neither(
    stored, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        preview = resolve(parse("2501.00042 1706.03762"), queue_unknown=False)
        known = resolve(parse("1706.03762"))
    assert [p for _, p in preview.queued] == ["2501.00042"]
    assert [p for _, p in known.matched] == ["1706.03762"] and not known.queued
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_title_unmatched_says_so(stored):
    [(candidate, reason)] = resolve(parse("@article{a, title={Attention}}")).unmatched
    assert reason == "no arXiv id or DOI, and no paper on paperfeed is titled 'Attention'"


@pytest.mark.django_db
@pytest.mark.network
def test_the_queued_task_fetches_and_stores_the_unknown_papers(
    arxiv,  # noqa: F811 - the fixture
    data_home,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.PAPERFEED_ARXIV_API_URL = arxiv.url + API
    settings.PAPERFEED_HARVEST_DELAY = 0
    arxiv.route(API, {}, shared_reply("arxiv-api", "query_all-science_10-entries.xml"))
    text = f"https://arxiv.org/abs/{FEED_IDS[0]}v1\n{FEED_IDS[2]}\n2501.99999\n"
    with django_capture_on_commit_callbacks(execute=True):
        report = resolve(parse(text))
    assert [p for _, p in report.queued] == [FEED_IDS[0], FEED_IDS[2], "2501.99999"]
    [task] = DBTaskResult.objects.all()
    result = tasks.fetch_papers.call(*task.args_kwargs["args"])
    assert Paper.objects.filter(pk__in=[FEED_IDS[0], FEED_IDS[2]]).count() == 2
    assert result["asked"] == 3 and result["missing_ids"] == ["2501.99999"]
    assert arxiv.params(API)[0]["id_list"] == f"{FEED_IDS[0]},{FEED_IDS[2]},2501.99999"
    assert [p for _, p in resolve(parse(text), queue_unknown=False).matched] == FEED_IDS[0:3:2]
