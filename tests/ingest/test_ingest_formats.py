"""Each format through ``ingest_file`` into the store (detection, parsing, upsert)."""

import datetime as dt
import gzip
import json

import pytest

from paperfeed.ingest.files import ingest_file
from paperfeed.papers.models import Authorship, Paper
from tests.conftest import shared_file
from tests.ingest.documents import hf_array, hf_entry, oai_deleted, oai_record, oai_response
from tests.ingest.test_kaggle import SNAPSHOT


def authors_of(paper_id: str) -> list[tuple[str, str]]:
    return [
        (a.author.name, a.affiliation)
        for a in Authorship.objects.filter(paper_id=paper_id).select_related("author")
    ]


@pytest.mark.django_db
def test_atom_fixture_is_stored():
    path = shared_file("fixtures", "arxiv-api", "query_all-science_10-entries.xml")
    result = ingest_file(str(path))
    assert (result.format, result.error) == ("arxiv-atom", "")
    assert (result.summary.new, result.summary.rejected) == (10, 0)
    paper = Paper.objects.get(arxiv_id="1503.01162")
    assert (paper.version, paper.source) == (1, "arxiv-atom")
    assert paper.primary_category == "physics.ed-ph"
    assert paper.categories == "physics.ed-ph physics.hist-ph physics.soc-ph"
    assert paper.doi == "10.1007/s11191-014-9716-8"
    assert paper.journal_ref == "Science & Education, September 2014, 23(9): 1853-1873"
    assert paper.published == dt.date(2015, 3, 3)
    assert authors_of("physics/0507092") == [
        ("G. Giacomelli", "Bologna University and INFN"),
        ("R. Giacomelli", "Bologna University and INFN"),
    ]
    assert Paper.objects.get(arxiv_id="1802.03292").categories == "cs.LO"
    assert Paper.objects.get(arxiv_id="quant-ph/0210005").primary_category == "quant-ph"


@pytest.mark.django_db
def test_oai_new_version_then_deletion_of_a_stored_paper(tmp_path):
    first = ingest_file(str(shared_file("fixtures", "oai-pmh", "list-records.xml")))
    assert (first.format, first.summary.new) == ("oai-pmh", 2)
    assert authors_of("1412.8544") == [
        ("Sander Uijlen", "Radboud Universiteit"),
        ("Bas Westerbaan", "Radboud Universiteit"),
    ]

    revised = tmp_path / "revised.xml"
    revised.write_bytes(
        oai_response(
            [
                oai_record(
                    "1412.8544",
                    created="2014-12-29",
                    updated="2015-02-10",
                    title="A Kochen-Specker system, v2",
                    authors=[("Uijlen", "Sander", "", ["Radboud University Nijmegen"])],
                    categories="cs.DM quant-ph",
                )
            ]
        )
    )
    second = ingest_file(str(revised))
    assert (second.summary.updated, second.error) == (1, "")
    paper = Paper.objects.get(arxiv_id="1412.8544")
    assert paper.title == "A Kochen-Specker system, v2"
    assert (paper.published, paper.updated) == (dt.date(2014, 12, 29), dt.date(2015, 2, 10))
    assert paper.categories == "cs.DM quant-ph"
    assert paper.doi == "10.4204/EPTCS.172.11"  # the new record does not say: kept
    assert authors_of("1412.8544") == [("Sander Uijlen", "Radboud University Nijmegen")]

    deletions = tmp_path / "deleted.xml"
    deletions.write_bytes(oai_response([oai_deleted("1412.8544"), oai_deleted("1501.99999")]))
    third = ingest_file(str(deletions))
    assert (third.summary.deleted, third.error) == (1, "")
    assert Paper.objects.get(arxiv_id="1412.8544").deleted is True
    assert Paper.objects.get(arxiv_id="hep-th/9504118").deleted is False
    assert not Paper.objects.filter(arxiv_id="1501.99999").exists()


@pytest.mark.django_db
def test_oai_error_file_reports_the_error(tmp_path):
    path = tmp_path / "error.xml"
    path.write_bytes(oai_response(error=("badResumptionToken", "The token has expired")))
    result = ingest_file(str(path))
    assert "badResumptionToken: The token has expired" in result.error
    assert Paper.objects.count() == 0


@pytest.mark.django_db
def test_kaggle_snapshot_gz_is_stored(tmp_path):
    path = tmp_path / "arxiv-metadata-oai-snapshot.json.gz"
    path.write_bytes(gzip.compress(SNAPSHOT))
    result = ingest_file(str(path))
    assert (result.format, result.summary.new, result.error) == ("kaggle", 3, "")
    paper = Paper.objects.get(arxiv_id="1706.03762")
    assert (paper.version, paper.published, paper.updated) == (
        7,
        dt.date(2017, 6, 12),
        dt.date(2023, 8, 2),
    )
    assert (paper.primary_category, paper.categories) == ("cs.CL", "cs.CL cs.LG")
    assert [name for name, _ in authors_of("1706.03762")] == [
        "Ashish Vaswani",
        "Noam Shazeer",
        "Niki Parmar",
    ]
    assert Paper.objects.get(arxiv_id="math/0211159").source == "kaggle"


@pytest.mark.django_db
def test_hf_daily_papers_are_stored_with_their_listing_day(tmp_path):
    path = tmp_path / "daily_papers.json"
    path.write_bytes(
        hf_array(
            [
                hf_entry(
                    "2501.01234",
                    title="Scaling Laws for Everything",
                    authors=["Ada Lovelace"],
                    published="2025-01-02T18:59:58.000Z",
                    listed="2025-01-03T02:42:08.163Z",
                ),
                {"paper": {"id": "bogus"}},
            ]
        )
    )
    result = ingest_file(str(path))
    assert (result.format, result.summary.new, result.summary.rejected) == ("hf-daily", 1, 1)
    assert "entry 2" in result.summary.rejects[0].location
    paper = Paper.objects.get(arxiv_id="2501.01234")
    assert (paper.published, paper.listed, paper.source) == (
        dt.date(2025, 1, 2),
        dt.date(2025, 1, 3),
        "hf-daily",
    )
    assert (paper.primary_category, paper.categories) == ("", "")
    assert authors_of("2501.01234") == [("Ada Lovelace", "")]


DIRTY = "Dirty\x0btitle\x01 with\x00 controls\x7f"  # stored as "Dirty title with controls"
DIRTY_ABSTRACT = "Line one\r\nline two\x0c$\\vec{x}\x1b$ \ufffe."


@pytest.mark.django_db
def test_control_characters_never_reach_the_store(tmp_path):
    # JSON carries any code point; XML 1.0 and PostgreSQL (NUL) and both databases (a lone
    # surrogate) cannot take them, and a stored one made every feed a 500
    jsonl = tmp_path / "papers.jsonl"
    line = {"id": "2501.00001", "title": DIRTY, "abstract": DIRTY_ABSTRACT, "listed": "2025-01-02"}
    jsonl.write_text(
        json.dumps({**line, "authors": ["Ada\x01 Lovelace", "\x02"], "comment": "5\x03 pages"})
    )
    hf = tmp_path / "daily_papers.json"
    hf.write_text(
        json.dumps([hf_entry("2501.00002", title=DIRTY + "\ud800", summary=DIRTY_ABSTRACT)])
    )
    for path in (jsonl, hf):
        result = ingest_file(str(path))
        assert (result.summary.new, result.summary.rejected, result.error) == (1, 0, ""), path
    for paper in Paper.objects.all():
        assert paper.title == "Dirty title with controls"
        assert paper.abstract == "Line one line two $\\vec{x}$ ."
        for text in (paper.title_raw, paper.abstract_raw, paper.comment):
            assert not any(ord(c) < 32 and c not in "\t\n" for c in text), repr(text)
    assert authors_of("2501.00001") == [("Ada Lovelace", "")]
    assert Paper.objects.get(arxiv_id="2501.00001").comment == "5 pages"
    assert Paper.objects.get(arxiv_id="2501.00002").title_raw == "Dirty title with controls"
