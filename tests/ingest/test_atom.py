import datetime as dt
import io

import pytest

from paperfeed.ingest import atom
from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, SourceError
from tests.conftest import shared_file
from tests.ingest.documents import ATOM_ERROR_FEED, atom_entry, atom_feed

FIXTURE = ("fixtures", "arxiv-api", "query_all-science_10-entries.xml")


@pytest.fixture(scope="module")
def fixture_bytes() -> bytes:
    return shared_file(*FIXTURE).read_bytes()


@pytest.fixture(scope="module")
def fixture_records(fixture_bytes) -> dict[str, PaperRecord]:
    records = list(atom.parse(io.BytesIO(fixture_bytes), "query.xml"))
    assert all(isinstance(r, PaperRecord) for r in records)
    return {r.arxiv_id: r for r in records}


def parse_bytes(data: bytes, name: str = "feed.xml") -> list:
    return list(atom.parse(io.BytesIO(data), name))


def test_fixture_has_ten_papers_with_ids_and_versions(fixture_records):
    assert list(fixture_records) == [
        "1501.05039",
        "1503.01162",
        "quant-ph/0210005",
        "0808.0631",
        "0808.0638",
        "0808.0639",
        "0705.1367",
        "1802.03292",
        "physics/0507092",
        "1312.7288",
    ]
    assert {r.version for r in fixture_records.values()} == {1}
    assert {r.source for r in fixture_records.values()} == {"arxiv-atom"}


def test_fixture_doi_journal_ref_comment_and_categories(fixture_records):
    paper = fixture_records["1503.01162"]
    assert paper.doi == "10.1007/s11191-014-9716-8"
    assert paper.journal_ref == "Science & Education, September 2014, 23(9): 1853-1873"
    assert paper.comment == "Conference funded by NSF grant REESE-1205273. 31 pages"
    assert paper.categories == ["physics.ed-ph", "physics.hist-ph", "physics.soc-ph"]
    assert paper.primary_category == "physics.ed-ph"
    assert paper.authors == [AuthorRecord("Peter Garik"), AuthorRecord("Yann Benétreau-Dupin")]
    assert paper.published == dt.date(2015, 3, 3)
    assert paper.updated == dt.date(2015, 3, 3)


def test_fixture_hard_wrapped_title_is_kept_raw_and_collapsed(fixture_records):
    paper = fixture_records["1503.01162"]
    assert "\n" in paper.title_raw
    assert paper.title == (
        "Report on a Boston University Conference December 7-8, 2012 on 'How Can the History "
        "and Philosophy of Science Contribute to Contemporary U.S. Science Teaching?'"
    )


def test_fixture_old_style_id_and_wrapped_comment(fixture_records):
    paper = fixture_records["quant-ph/0210005"]
    assert paper.version == 1
    assert paper.title == "Quantum information science and complex quantum systems"
    assert paper.comment == (
        "6 pages, invited contribution to QCMC 2002, a considerably abbreviated version of "
        "quant-ph/0208078"
    )
    assert paper.categories == ["quant-ph"]
    assert paper.doi == ""
    assert paper.published == dt.date(2002, 10, 1)
    assert paper.abstract.startswith("What makes quantum information science a science?")


def test_fixture_affiliations(fixture_records):
    paper = fixture_records["physics/0507092"]
    assert paper.authors == [
        AuthorRecord("G. Giacomelli", "Bologna University and INFN"),
        AuthorRecord("R. Giacomelli", "Bologna University and INFN"),
    ]
    assert paper.doi == "10.1142/9789812701893_0020"
    assert paper.primary_category == "physics.soc-ph"


def test_fixture_drops_msc_and_acm_terms(fixture_records):
    assert fixture_records["1802.03292"].categories == ["cs.LO"]
    assert fixture_records["1501.05039"].categories == ["cs.DB", "cs.CY"]


def test_fixture_statistics_entry(fixture_records):
    paper = fixture_records["0808.0631"]
    assert paper.doi == "10.1214/07-STS246B"
    assert paper.journal_ref == "Statistical Science 2008, Vol. 23, No. 1, 65-68"
    assert paper.authors == [AuthorRecord("Hans R. Künsch")]
    assert paper.primary_category == "stat.ME"


def test_parse_feed_reads_paging_numbers(fixture_bytes):
    page = atom.parse_feed(fixture_bytes, "query.xml")
    assert (page.total_results, page.start_index, page.items_per_page) == (120839, 0, 10)
    assert len(page.records) == 10
    assert page.records[0].title == "Defining Data Science"


def test_parse_feed_of_an_empty_result_page():
    page = atom.parse_feed(atom_feed([], total=0, start=0, per_page=0), "empty.xml")
    assert page.records == []
    assert (page.total_results, page.start_index, page.items_per_page) == (0, 0, 0)


def test_several_affiliations_per_author_are_joined():
    entry = atom_entry(authors=[("Ada Lovelace", ["Univ. A", " Lab B\n "]), ("Bob", [])])
    (record,) = parse_bytes(atom_feed([entry]))
    assert record.authors == [AuthorRecord("Ada Lovelace", "Univ. A; Lab B"), AuthorRecord("Bob")]


def test_comma_separated_terms_keep_only_arxiv_categories():
    entry = atom_entry(
        primary="math.GT",
        categories=["math.GT", "math.AG, 57M25", "F.2.2; I.2.7", "q-bio.NC", "cond-mat.stat-mech"],
    )
    (record,) = parse_bytes(atom_feed([entry]))
    assert record.categories == ["math.GT", "math.AG", "q-bio.NC", "cond-mat.stat-mech"]


@pytest.mark.parametrize(
    "term",
    [
        "cs.DB",
        "physics.ed-ph",
        "hep-th",
        "math.GT",
        "q-bio.NC",
        "eess.IV",
        "stat.ML",
        "astro-ph.CO",
        "cmp-lg",
        "math-ph",
    ],
)
def test_arxiv_category_terms(term):
    assert atom.is_arxiv_category(term)


@pytest.mark.parametrize("term", ["03B70", "68Q99", "F.4.1", "K.2", "", "science", "cs.", "CS.DB"])
def test_non_arxiv_terms(term):
    assert not atom.is_arxiv_category(term)


def test_version_license_and_new_style_id():
    entry = atom_entry(
        arxiv_id="2501.01234v3", license="http://creativecommons.org/licenses/by/4.0/"
    )
    (record,) = parse_bytes(atom_feed([entry]))
    assert (record.arxiv_id, record.version) == ("2501.01234", 3)
    assert record.license == "http://creativecommons.org/licenses/by/4.0/"
    assert record.published == dt.date(2025, 1, 2)
    assert record.updated == dt.date(2025, 2, 3)


def test_bad_entries_are_rejected_with_their_location_and_the_rest_goes_on():
    entries = [
        atom_entry(arxiv_id="2501.00001v1", title="Good one"),
        atom_entry(id_url="http://arxiv.org/abs/not-an-id"),
        atom_entry(arxiv_id="2501.00003v1", title="  "),
        atom_entry(arxiv_id="2501.00004v1", published="yesterday"),
        atom_entry(arxiv_id="2501.00005v2", title="Good two"),
    ]
    items = parse_bytes(atom_feed(entries), "bad.xml")
    assert [type(i) for i in items] == [PaperRecord, Rejected, Rejected, Rejected, PaperRecord]
    assert items[1].location.startswith("bad.xml:line ")
    assert "entry 2, id not-an-id" in items[1].location
    assert "not an arXiv id" in items[1].reason
    assert "(entry 3, id 2501.00003v1)" in items[2].location
    assert "no title" in items[2].reason
    assert "published 'yesterday' is not an ISO date" in items[3].reason
    assert items[4].title == "Good two"


def test_license_link():
    entry = atom_entry().replace(
        "</entry>",
        '<link rel="license" href="http://creativecommons.org/licenses/by-sa/4.0/"/></entry>',
    )
    (record,) = parse_bytes(atom_feed([entry]))
    assert record.license == "http://creativecommons.org/licenses/by-sa/4.0/"


def test_https_error_feed_raises():
    feed = ATOM_ERROR_FEED.replace(
        b"http://arxiv.org/api/errors", b"https://export.arxiv.org/api/errors"
    )
    with pytest.raises(SourceError, match="incorrect id format for 1234.1234v1"):
        atom.parse_feed(feed, "api-response")


def test_error_feed_raises_with_arxivs_message():
    with pytest.raises(atom.ArxivApiError, match="incorrect id format for 1234.1234v1") as info:
        atom.parse_feed(ATOM_ERROR_FEED, "api-response")
    assert isinstance(info.value, SourceError)
    assert "api-response" in str(info.value)
    with pytest.raises(SourceError, match="arXiv API answered with an error"):
        parse_bytes(ATOM_ERROR_FEED)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.5, 0.77, 0.99])
def test_feed_cut_in_half_raises_naming_file_and_line(fixture_bytes, fraction):
    cut = fixture_bytes[: int(len(fixture_bytes) * fraction)]
    items = []
    with pytest.raises(SourceError, match=r"^cut\.xml:line \d+: ") as info:
        for item in atom.parse(io.BytesIO(cut), "cut.xml"):
            items.append(item)
    assert "cut short" in str(info.value) or "not well-formed" in str(info.value)
    assert all(isinstance(i, PaperRecord) for i in items)  # whole entries before the cut are fine
    assert len(items) < 10


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the input is empty"),
        (b"   \n", "not well-formed"),
        (b"hello, world", "not well-formed"),
        (b"<html><body>Service unavailable</body></html>", "root element is <html>"),
        (b'<feed xmlns="http://example.org/other"></feed>', "root element is <feed>"),
        (b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>', "root element is <OAI-PMH>"),
    ],
)
def test_unreadable_documents_raise_source_error(data, message):
    with pytest.raises(SourceError, match=message) as info:
        parse_bytes(data, "broken.xml")
    assert str(info.value).startswith("broken.xml")


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    ).encode() + atom_feed([atom_entry(title="T XXE")]).split(b"?>", 1)[1].replace(b"XXE", b"&xxe;")
    (record,) = parse_bytes(doc)
    assert "top secret" not in record.title
    assert record.title.startswith("T ")
