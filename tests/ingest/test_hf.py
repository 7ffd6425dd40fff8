import datetime as dt
import io

import orjson
import pytest

from paperfeed.ingest import hf
from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, SourceError
from tests.ingest.documents import hf_array, hf_entry, hf_lines


def parse_bytes(data: bytes, name: str = "daily.json") -> list:
    return list(hf.parse(io.BytesIO(data), name))


def test_daily_papers_array():
    data = hf_array(
        [
            hf_entry(
                "2501.01234",
                title="Scaling Laws\n  for Everything",
                summary="Line one\nline two.",
                authors=["Ada Lovelace", " Alan  Turing "],
                published="2025-01-02T18:59:58.000Z",
                listed="2025-01-03T02:42:08.163Z",
            ),
            hf_entry(
                "2412.19437",
                title="DeepSeek-V3 Technical Report",
                authors=[],
                published="2024-12-27T04:03:16.000Z",
                listed="2024-12-27T06:00:00.000Z",
            ),
        ]
    )
    first, second = parse_bytes(data)
    assert (first.arxiv_id, first.version, first.source) == ("2501.01234", None, "hf-daily")
    assert first.title == "Scaling Laws for Everything"
    assert first.abstract == "Line one line two."
    assert first.authors == [AuthorRecord("Ada Lovelace"), AuthorRecord("Alan Turing")]
    assert first.published == dt.date(2025, 1, 2)
    assert first.listed == dt.date(2025, 1, 3)
    assert first.categories == []
    assert first.location == "daily.json: entry 1"
    assert (second.arxiv_id, second.authors) == ("2412.19437", [])
    assert second.listed == dt.date(2024, 12, 27)


def test_json_lines_of_entries():
    data = hf_lines([hf_entry("2501.00001"), hf_entry("2501.00002", listed="2025-01-09T00:00:00Z")])
    first, second = parse_bytes(data, "daily.jsonl")
    assert [first.arxiv_id, second.arxiv_id] == ["2501.00001", "2501.00002"]
    assert second.listed == dt.date(2025, 1, 9)
    assert second.location == "daily.jsonl:2"


def test_title_and_summary_fall_back_to_the_entry():
    entry = hf_entry(title="Top-level title", summary="Top-level summary")
    del entry["paper"]["title"]
    entry["paper"]["summary"] = ""
    (record,) = parse_bytes(hf_array([entry]))
    assert (record.title, record.abstract) == ("Top-level title", "Top-level summary")


def test_paper_title_is_preferred():
    entry = hf_entry(title="Paper title")
    entry["title"] = "Other title"
    (record,) = parse_bytes(hf_array([entry]))
    assert record.title == "Paper title"


def test_a_bare_paper_object_has_no_listing_day():
    paper = hf_entry("2501.01234", published="2025-01-02T18:59:58.000Z")["paper"]
    (record,) = parse_bytes(orjson.dumps([paper]))
    assert (record.arxiv_id, record.published, record.listed) == (
        "2501.01234",
        dt.date(2025, 1, 2),
        None,
    )


def test_bad_entries_are_rejected_with_their_number():
    no_id = hf_entry()
    del no_id["paper"]["id"]
    bad_authors = hf_entry("2501.00004")
    bad_authors["paper"]["authors"] = "Ada Lovelace"
    data = hf_array(
        [
            hf_entry("2501.00001"),
            no_id,
            17,
            hf_entry("2501.00003", published="soon"),
            bad_authors,
            {"paper": "2501.00006"},
            hf_entry("2501.00007"),
        ]
    )
    items = parse_bytes(data, "d.json")
    assert [type(i) for i in items] == [PaperRecord] + [Rejected] * 5 + [PaperRecord]
    assert [i.location for i in items[1:6]] == [f"d.json: entry {n}" for n in range(2, 7)]
    assert items[1].reason == "record has no arXiv id"
    assert items[2].reason == "expected a JSON object, got int"
    assert items[3].reason == "paper.publishedAt 'soon' is not an ISO date"
    assert items[4].reason == "authors must be a list, got str"
    assert items[5].reason == "paper must be an object, got str"


def test_bad_json_lines_are_rejected_after_a_good_first_line():
    data = hf_lines([hf_entry("2501.00001")]) + b"{broken\n" + hf_lines([hf_entry("2501.00003")])
    items = parse_bytes(data, "d.jsonl")
    assert [type(i) for i in items] == [PaperRecord, Rejected, PaperRecord]
    assert items[1].location == "d.jsonl:2"


def test_array_larger_than_the_read_chunk_is_streamed():
    entries = [hf_entry(f"2501.{n:05d}", summary="word " * 200) for n in range(1, 301)]
    data = hf_array(entries)
    assert len(data) > 4 * hf.CHUNK
    items = parse_bytes(data)
    assert [i.arxiv_id for i in items] == [f"2501.{n:05d}" for n in range(1, 301)]


def test_byte_order_mark_and_multibyte_text_across_chunks():
    entries = [hf_entry(f"2501.{n:05d}", title="Übersicht – " + "é" * n) for n in range(1, 200)]
    items = parse_bytes(b"\xef\xbb\xbf" + orjson.dumps(entries))
    assert items[-1].title == "Übersicht – " + "é" * 199


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the input is empty"),
        (b"  \n ", "the input is empty"),
        (b'"daily papers"', "expected a JSON array of daily papers or JSON lines"),
        (b'{"error": "Invalid date"}', "Hugging Face API answered with an error: Invalid date"),
        (b'{\n  "paper": {}\n}\n', "neither a JSON array nor JSON lines"),
        (b'[{"paper": ', "entry 1 is cut short"),
        (b'[{"paper": {"id": "2501.0', "entry 1 is cut short"),
        (b'[{"paper": nope}]', "entry 1 is not valid JSON"),
        (b"[1, 2", "after entry 2 expected ',' or ']', found the end of the file"),
        (b"[1 2]", "after entry 1 expected ',' or ']', found '2'"),
        (b"[1, 2] [3]", "unexpected content after the JSON array"),
        (b"[\xff\xfe]", "not UTF-8"),
        (b"[" * 50000, "entry 1 is nested too deeply"),
    ],
)
def test_unreadable_files_raise_source_error(data, message):
    with pytest.raises(SourceError, match=message) as info:
        parse_bytes(data, "hf.json")
    assert str(info.value).startswith("hf.json")


def test_truncated_array_keeps_whole_entries_then_raises():
    data = hf_array([hf_entry(f"2501.{n:05d}") for n in range(1, 6)])
    items = []
    with pytest.raises(SourceError, match="hf.json: entry 4"):
        for item in hf.parse(io.BytesIO(data[: data.index(b"2501.00004") + 3]), "hf.json"):
            items.append(item)
    assert [i.arxiv_id for i in items] == ["2501.00001", "2501.00002", "2501.00003"]


def test_empty_array():
    assert parse_bytes(b" [ ]\n") == []
