import datetime as dt
import io

import pytest

from paperfeed.ingest import kaggle
from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected
from tests.ingest.documents import kaggle_line

# Real lines of arxiv-metadata-oai-snapshot.json (abstracts shortened).
SNAPSHOT = (
    b'{"id":"0704.0001","submitter":"Pavel Nadolsky","authors":"C. Bal\\u00e1zs, E. L. Berger, '
    b'P. M. Nadolsky, C.-P. Yuan","title":"Calculation of prompt diphoton production cross '
    b'sections at Tevatron and\\n  LHC energies","comments":"37 pages, 15 figures; published '
    b'version","journal-ref":"Phys.Rev.D76:013009,2007","doi":"10.1103/PhysRevD.76.013009",'
    b'"report-no":"ANL-HEP-PR-07-12","categories":"hep-ph","license":null,"abstract":"  A fully '
    b"differential calculation in perturbative quantum chromodynamics is\\npresented for the "
    b'production of massive photon pairs at hadron colliders.\\n","versions":[{"version":"v1",'
    b'"created":"Mon, 2 Apr 2007 19:18:42 GMT"},{"version":"v2","created":"Tue, 24 Jul 2007 '
    b'20:10:27 GMT"}],"update_date":"2008-11-13","authors_parsed":[["Bal\\u00e1zs","C.",""],'
    b'["Berger","E. L.",""],["Nadolsky","P. M.",""],["Yuan","C. -P.",""]]}\n'
    b'{"id":"math/0211159","submitter":"Grisha Perelman","authors":"Grisha Perelman",'
    b'"title":"The entropy formula for the Ricci flow and its geometric applications",'
    b'"comments":"39 pages","journal-ref":null,"doi":null,"report-no":null,"categories":'
    b'"math.DG","license":null,"abstract":"  We present a monotonic expression for the Ricci '
    b'flow.\\n","versions":[{"version":"v1","created":"Mon, 11 Nov 2002 16:11:49 GMT"}],'
    b'"update_date":"2008-11-13","authors_parsed":[["Perelman","Grisha",""]]}\n'
    b'{"id":"1706.03762","submitter":"Llion Jones","authors":"Ashish Vaswani, Noam Shazeer, '
    b'Niki Parmar","title":"Attention Is All You Need","comments":"15 pages, 5 figures",'
    b'"journal-ref":null,"doi":null,"report-no":null,"categories":"cs.CL cs.LG","license":'
    b'"http://arxiv.org/licenses/nonexclusive-distrib/1.0/","abstract":"  The dominant '
    b"sequence transduction models are based on complex recurrent or\\nconvolutional neural "
    b'networks.\\n","versions":[{"version":"v1","created":"Mon, 12 Jun 2017 17:57:34 GMT"},'
    b'{"version":"v2","created":"Mon, 19 Jun 2017 16:49:45 GMT"},{"version":"v7","created":'
    b'"Wed, 2 Aug 2023 00:41:18 GMT"}],"update_date":"2023-08-03","authors_parsed":'
    b'[["Vaswani","Ashish",""],["Shazeer","Noam",""],["Parmar","Niki",""]]}\n'
)


def parse_bytes(data: bytes, name: str = "snapshot.json") -> list:
    return list(kaggle.parse(io.BytesIO(data), name))


def test_snapshot_lines():
    diphoton, ricci, attention = parse_bytes(SNAPSHOT)
    assert (diphoton.arxiv_id, diphoton.version) == ("0704.0001", 2)
    assert diphoton.title == (
        "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert diphoton.published == dt.date(2007, 4, 2)
    assert diphoton.updated == dt.date(2007, 7, 24)
    assert diphoton.authors == [
        AuthorRecord("C. Balázs"),
        AuthorRecord("E. L. Berger"),
        AuthorRecord("P. M. Nadolsky"),
        AuthorRecord("C. -P. Yuan"),
    ]
    assert diphoton.journal_ref == "Phys.Rev.D76:013009,2007"
    assert diphoton.doi == "10.1103/PhysRevD.76.013009"
    assert diphoton.comment == "37 pages, 15 figures; published version"
    assert diphoton.categories == ["hep-ph"]
    assert diphoton.license == ""
    assert diphoton.abstract.startswith("A fully differential calculation")
    assert diphoton.source == "kaggle"
    assert diphoton.location == "snapshot.json:1"

    assert (ricci.arxiv_id, ricci.version) == ("math/0211159", 1)
    assert ricci.published == ricci.updated == dt.date(2002, 11, 11)
    assert ricci.authors == [AuthorRecord("Grisha Perelman")]

    assert (attention.arxiv_id, attention.version) == ("1706.03762", 7)
    assert attention.categories == ["cs.CL", "cs.LG"]
    assert attention.primary_category == "cs.CL"
    assert attention.published == dt.date(2017, 6, 12)
    assert attention.updated == dt.date(2023, 8, 2)
    assert attention.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"


def test_versions_out_of_order_still_give_the_highest_and_first():
    line = kaggle_line(
        versions=[
            {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
            {"version": "v10", "created": "Fri, 1 Feb 2008 08:00:00 GMT"},
            {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
        ]
    )
    (record,) = parse_bytes(line)
    assert record.version == 10
    assert (record.published, record.updated) == (dt.date(2007, 4, 2), dt.date(2008, 2, 1))


def test_dates_are_taken_in_utc():
    line = kaggle_line(versions=[{"version": "v1", "created": "Mon, 2 Apr 2007 23:30:00 -0500"}])
    (record,) = parse_bytes(line)
    assert record.published == dt.date(2007, 4, 3)


def test_without_versions_update_date_is_the_updated_date():
    (record,) = parse_bytes(kaggle_line(versions=[], update_date="2019-05-06"))
    assert (record.version, record.published, record.updated) == (None, None, dt.date(2019, 5, 6))


def test_authors_parsed_with_suffix_affiliation_and_extra_space():
    line = kaggle_line(
        authors_parsed=[
            ["King", "Martin  Luther", "Jr", "Morehouse College"],
            ["Collaboration", "", ""],
            ["Sm\u00edth", "J.\n", ""],
        ]
    )
    (record,) = parse_bytes(line)
    assert record.authors == [
        AuthorRecord("Martin Luther King Jr", "Morehouse College"),
        AuthorRecord("Collaboration"),
        AuthorRecord("J. Smíth"),
    ]


def test_authors_fall_back_to_the_author_string():
    line = kaggle_line(authors_parsed=None, authors="Alice Smith, Bob Jones and Carol White")
    (record,) = parse_bytes(line)
    assert [a.name for a in record.authors] == ["Alice Smith", "Bob Jones", "Carol White"]


def test_bad_lines_are_rejected_with_line_numbers_and_the_rest_goes_on():
    data = (
        kaggle_line(id="0704.0002")
        + b"\n"  # blank lines are skipped but counted
        + b'{"id": "0704.0003", "title": \n'
        + kaggle_line(id="0704.0004", versions=[{"version": "v1", "created": "yesterday"}])
        + kaggle_line(id="0704.0005", versions=[{"version": "first", "created": None}])
        + kaggle_line(id="9999.99999")
        + kaggle_line(id="0704.0007", title=None)
        + kaggle_line(id="0704.0008", categories=["cs.LG"])
        + b"[1, 2]\n"
        + kaggle_line(id="0704.0010", authors_parsed=[["Last", 3, ""]])
        + kaggle_line(id="0704.0011")
    )
    items = parse_bytes(data, "dump.json")
    assert [type(i) for i in items] == [PaperRecord] + [Rejected] * 8 + [PaperRecord]
    reasons = {i.location: i.reason for i in items if isinstance(i, Rejected)}
    assert list(reasons) == [f"dump.json:{n}" for n in (3, 4, 5, 6, 7, 8, 9, 10)]
    assert reasons["dump.json:3"].startswith("invalid JSON")
    assert reasons["dump.json:4"] == "v1 created 'yesterday' is not an RFC 2822 date"
    assert reasons["dump.json:5"] == "version 'first' is not vN"
    assert "not an arXiv id" in reasons["dump.json:6"]
    assert reasons["dump.json:7"] == "0704.0007: record has no title"
    assert reasons["dump.json:8"] == "categories must be a string, got list"
    assert reasons["dump.json:9"] == "expected a JSON object, got list"
    assert "authors_parsed item" in reasons["dump.json:10"]
    assert items[-1].arxiv_id == "0704.0011"


def test_truncated_last_line_is_rejected():
    data = SNAPSHOT[: len(SNAPSHOT) - 40]
    items = parse_bytes(data, "cut.json")
    assert [type(i) for i in items] == [PaperRecord, PaperRecord, Rejected]
    assert items[2].location == "cut.json:3"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mon, 2 Apr 2007 19:18:42 GMT", dt.date(2007, 4, 2)),
        ("Wed, 2 Aug 2023 00:41:18 GMT", dt.date(2023, 8, 2)),
        ("2 Aug 2023 00:41:18 +0000", dt.date(2023, 8, 2)),
    ],
)
def test_rfc2822_date(text, expected):
    assert kaggle.rfc2822_date(text, what="created") == expected


@pytest.mark.parametrize(
    "value", ["", "2023-08-02", "Mon, 99 Foo 2007", 17, "Mon, 31 Dec 9999 23:00:00 -0500"]
)
def test_rfc2822_date_rejects(value):
    with pytest.raises(ValueError, match="created"):
        kaggle.rfc2822_date(value, what="created")
