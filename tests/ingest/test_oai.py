import datetime as dt
import io

import pytest

from paperfeed.ingest import oai
from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, SourceError
from tests.conftest import shared_file
from tests.ingest.documents import oai_deleted, oai_record, oai_response


def parse_bytes(data: bytes, name: str = "oai.xml") -> list:
    return list(oai.parse(io.BytesIO(data), name))


@pytest.fixture(scope="module")
def fixture_bytes() -> bytes:
    return shared_file("fixtures", "oai-pmh", "list-records.xml").read_bytes()


def test_fixture_records(fixture_bytes):
    first, second = parse_bytes(fixture_bytes, "list-records.xml")
    assert first.arxiv_id == "1412.8544"
    assert first.version is None  # the arXiv format has no version number
    assert first.title == "A Kochen-Specker system has at least 22 vectors (extended abstract)"
    assert first.authors == [
        AuthorRecord("Sander Uijlen", "Radboud Universiteit"),
        AuthorRecord("Bas Westerbaan", "Radboud Universiteit"),
    ]
    assert first.categories == ["cs.DM"]
    assert first.comment == "In Proceedings QPL 2014, arXiv:1412.8102"
    assert first.journal_ref == "EPTCS 172, 2014, pp. 154-164"
    assert first.doi == "10.4204/EPTCS.172.11"
    assert first.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert first.published == dt.date(2014, 12, 29)
    assert first.updated == dt.date(2014, 12, 29)  # no <updated>: v1 is the latest version
    assert first.abstract.startswith("At the heart of the Conway-Kochen Free Will theorem")
    assert first.abstract.count("\n\n") == 1  # the indented line starts a second paragraph
    assert first.location == "list-records.xml:line 6 (record 1, id 1412.8544)"

    assert second.arxiv_id == "hep-th/9504118"
    assert second.authors == [AuthorRecord("M. Requardt")]
    assert second.categories == ["hep-th"]
    assert second.published == dt.date(1995, 4, 24)
    assert second.comment == "21 pages, Latex"
    assert 'the "strength" of the bonds' in second.abstract  # &quot; decoded
    assert "'{\\it cellular network}'" in second.abstract  # LaTeX kept


def test_parse_page_of_the_fixture_is_the_last_page(fixture_bytes):
    page = oai.parse_page(fixture_bytes, "list-records.xml")
    assert len(page.records) == 2
    assert page.resumption_token is None
    assert (page.error_code, page.error_message) == ("", "")


def test_resumption_token_page():
    data = oai_response(
        [oai_record("1501.00001"), oai_record("1501.00002")],
        token="4171276|1001",
        cursor=0,
        size=2345,
    )
    page = oai.parse_page(data, "page1")
    assert [r.arxiv_id for r in page.records] == ["1501.00001", "1501.00002"]
    assert page.resumption_token == "4171276|1001"
    assert (page.cursor, page.complete_list_size) == (0, 2345)


def test_empty_resumption_token_ends_the_list():
    page = oai.parse_page(oai_response([oai_record()], token="", cursor=2000, size=2001), "last")
    assert page.resumption_token is None
    assert (page.cursor, page.complete_list_size) == (2000, 2001)


def test_no_records_match():
    data = oai_response(error=("noRecordsMatch", "No records match the request"))
    page = oai.parse_page(data, "empty")
    assert page.records == []
    assert page.error_code == "noRecordsMatch"
    assert page.error_message == "No records match the request"
    assert parse_bytes(data) == []  # a file that matched nothing is simply empty


def test_bad_resumption_token():
    data = oai_response(error=("badResumptionToken", "Resumption token 123|456 is invalid"))
    page = oai.parse_page(data, "page7")
    assert page.error_code == "badResumptionToken"
    assert page.error_message == "Resumption token 123|456 is invalid"
    assert page.resumption_token is None
    with pytest.raises(
        SourceError,
        match=r"^dump\.xml:line \d+: OAI-PMH error badResumptionToken: "
        r"Resumption token 123\|456 is invalid$",
    ):
        parse_bytes(data, "dump.xml")


def test_bad_argument_raises_when_parsed_as_a_file():
    data = oai_response(error=("badArgument", "Illegal argument: foo"))
    assert oai.parse_page(data, "p").error_code == "badArgument"
    with pytest.raises(SourceError, match="badArgument: Illegal argument: foo"):
        parse_bytes(data)


def test_deleted_record():
    data = oai_response(
        [oai_record("1501.00001"), oai_deleted("cs/9901001"), oai_deleted("1412.8544")]
    )
    live, old_style, deleted = parse_bytes(data, "d.xml")
    assert not live.deleted
    assert (old_style.arxiv_id, old_style.deleted) == ("cs/9901001", True)
    assert (deleted.arxiv_id, deleted.deleted, deleted.source) == ("1412.8544", True, "oai-pmh")
    assert deleted.location == "d.xml:line 8 (record 3, id 1412.8544)"


def test_deleted_record_with_a_bad_identifier_is_rejected():
    (item,) = parse_bytes(oai_response([oai_deleted("nonsense")]))
    assert isinstance(item, Rejected)
    assert "deleted record: not an arXiv id" in item.reason


def test_record_updated_to_a_new_version():
    data = oai_response(
        [
            oai_record(
                "1412.8544",
                created="2014-12-29",
                updated="2015-03-02",
                title="Kochen-Specker systems, revised",
            )
        ]
    )
    (record,) = parse_bytes(data)
    assert record.version is None
    assert record.published == dt.date(2014, 12, 29)
    assert record.updated == dt.date(2015, 3, 2)
    assert record.title == "Kochen-Specker systems, revised"


def test_authors_with_suffix_and_several_affiliations():
    record = oai_record(
        authors=[
            ("King", "Martin Luther", "Jr", ["Morehouse College", "Boston University"]),
            ("Collaboration", "", "", []),
        ],
        categories="math.CO cs.DM  math.GT",
    )
    (parsed,) = parse_bytes(oai_response([record]))
    assert parsed.authors == [
        AuthorRecord("Martin Luther King Jr", "Morehouse College; Boston University"),
        AuthorRecord("Collaboration"),
    ]
    assert parsed.categories == ["math.CO", "cs.DM", "math.GT"]


def test_bad_records_are_rejected_and_the_rest_goes_on():
    no_metadata = (
        "<record><header><identifier>oai:arXiv.org:1501.00002</identifier>"
        "<datestamp>2015-01-03</datestamp></header>"
        "<metadata><oai_dc:dc xmlns:oai_dc='http://www.openarchives.org/OAI/2.0/oai_dc/'/>"
        "</metadata></record>"
    )
    data = oai_response(
        [
            oai_record("1501.00001"),
            no_metadata,
            oai_record("1501.00003", created="2015-13-45"),
            oai_record("1501.00004", title=""),
            oai_record("1501.00005"),
        ]
    )
    items = parse_bytes(data, "mixed.xml")
    assert [type(i) for i in items] == [PaperRecord, Rejected, Rejected, Rejected, PaperRecord]
    assert "(record 2, id 1501.00002)" in items[1].location
    assert "metadataPrefix=arXiv" in items[1].reason
    assert "created '2015-13-45' is not an ISO date" in items[2].reason
    assert items[3].reason == "1501.00004: record has no title"
    assert items[3].location.startswith("mixed.xml:line ")


@pytest.mark.parametrize("fraction", [0.1, 0.4, 0.5, 0.8, 0.98])
def test_response_cut_in_half_raises(fixture_bytes, fraction):
    cut = fixture_bytes[: int(len(fixture_bytes) * fraction)]
    with pytest.raises(SourceError, match=r"^cut\.xml:line \d+: "):
        parse_bytes(cut, "cut.xml")
    with pytest.raises(SourceError, match=r"^cut\.xml:line \d+: "):
        oai.parse_page(cut, "cut.xml")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the input is empty"),
        (b"<!DOCTYPE html><html><body>Retry later</body></html>", "root element is <html>"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "root element is <feed>"),
        (b"<OAI-PMH><ListRecords/></OAI-PMH>", "root element is <OAI-PMH>"),  # no namespace
        (b"\x89PNG\r\n\x1a\n", "not well-formed"),
    ],
)
def test_unreadable_documents_raise(data, message):
    with pytest.raises(SourceError, match=message) as info:
        parse_bytes(data, "resp.xml")
    assert str(info.value).startswith("resp.xml")


def test_the_503_html_page_is_not_an_oai_response():
    body = shared_file("fixtures", "oai-pmh", "list-records-503.html").read_bytes()
    with pytest.raises(SourceError, match="^list-records-503.html"):
        oai.parse_page(body, "list-records-503.html")
