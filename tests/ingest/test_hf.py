import datetime as dt
import doctest
import io

import orjson
import pytest

from paperfeed.ingest import hf
from paperfeed.ingest.records import AuthorRecord, PaperRecord, Rejected, SourceError
from tests.conftest import shared_file
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


def test_a_bare_paper_object_is_listed_on_its_submitted_day_if_it_has_one():
    paper = hf_entry("2501.01234", published="2025-01-02T18:59:58.000Z")["paper"]
    (record,) = parse_bytes(orjson.dumps([paper]))
    assert (record.arxiv_id, record.published, record.listed) == (
        "2501.01234",
        dt.date(2025, 1, 2),
        dt.date(2025, 1, 3),
    )
    assert record.signals.fields["hf_upvotes"] == 42
    assert "hf_comments" not in record.signals.fields  # a paper object has no numComments
    del paper["submittedOnDailyAt"]
    (record,) = parse_bytes(orjson.dumps([paper]))
    assert record.listed is None and "hf_day" not in record.signals.fields


def test_the_list_day_is_submitted_on_daily_at_in_utc_not_the_entry_published_at():
    entry = hf_entry(published="2026-06-11T00:00:00.000Z", listed="2026-06-12T01:30:00+02:00")
    entry["publishedAt"] = "2026-06-10T20:00:00.000Z"
    (record,) = parse_bytes(hf_array([entry]))
    assert record.listed == dt.date(2026, 6, 11)  # 01:30 at +02:00 is the 11th in UTC
    assert record.signals.fields["hf_day"] == record.listed == record.signals.stars_day
    bad = hf_entry(listed="yesterday")
    (rejected,) = parse_bytes(hf_array([bad]))
    assert rejected.reason == "paper.submittedOnDailyAt 'yesterday' is not an ISO date"


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


# --- the real recorded responses ---------------------------------------------------------------

HF_DIR = ("fixtures", "signals", "hf-daily-papers")
REAL_DAYS = ["2025-06-05", "2026-06-08", "2026-06-09", "2026-06-10", "2026-06-11", "2026-06-12"]


def real_records(name: str) -> list:
    path = shared_file(*HF_DIR, name)
    with path.open("rb") as stream:
        return list(hf.parse(stream, name))


@pytest.mark.parametrize("day", REAL_DAYS)
def test_every_real_day_is_listed_on_its_date_and_read_whole(day):
    items = real_records(f"date-{day}.json")
    raw = orjson.loads(shared_file(*HF_DIR, f"date-{day}.json").read_bytes())
    assert len(items) == len(raw) and all(isinstance(i, PaperRecord) for i in items)
    assert {i.listed for i in items} == {dt.date.fromisoformat(day)}
    assert {i.signals.fields["hf_day"] for i in items} == {dt.date.fromisoformat(day)}
    assert all(i.fills_only and not i.signals.ignored for i in items)
    # the entries' own publishedAt (arXiv time - 4 h) lies days before the list day
    assert all(e["publishedAt"][:10] < day for e in raw)


def test_the_later_snapshot_without_date_is_still_the_12th():
    items = real_records("no-date.limit100.recorded-2026-06-13.json")
    assert len(items) == 30 and {i.listed for i in items} == {dt.date(2026, 6, 12)}


def test_a_2026_entry_carries_every_signal():
    (item,) = [i for i in real_records("date-2026-06-12.json") if i.arxiv_id == "2606.13392"]
    fields = item.signals.fields
    assert fields["hf_upvotes"] == 52 and fields["hf_comments"] == 1
    assert fields["hf_day"] == dt.date(2026, 6, 12)
    assert fields["hf_submitted_by"] == "ryanlee-dev"
    assert fields["ai_summary"].startswith("MiniMax Sparse Attention enables efficient")
    assert fields["ai_keywords"][:3] == [
        "sparse attention",
        "Grouped Query Attention",
        "Top-k selection",
    ]
    assert (fields["org_name"], fields["org_fullname"]) == ("MiniMaxAI", "MiniMax")
    assert fields["org_avatar"].startswith("https://cdn-avatars.huggingface.co/")
    assert "project_page" not in fields  # HF sent none: absent, not ""
    assert item.signals.repositories == [("github", "MiniMax-AI/MSA")]
    assert item.signals.stars == {("github", "MiniMax-AI/MSA"): 145}
    assert item.signals.stars_day == dt.date(2026, 6, 12)
    assert item.signals.source == "hf" and item.signals.fetched_at is None


def test_a_2025_entry_has_no_stars_nor_organisation():
    items = real_records("date-2025-06-05.json")
    assert not any(i.signals.stars for i in items)
    assert not any("org_name" in i.signals.fields for i in items)
    assert sum(bool(i.signals.repositories) for i in items) > 0


def test_keys_hf_did_not_send_are_absent():
    entry = hf_entry()
    del entry["paper"]["upvotes"], entry["numComments"]
    entry["paper"]["ai_summary"] = None
    (record,) = parse_bytes(hf_array([entry]))
    assert set(record.signals.fields) == {"hf_day"}
    assert record.signals.repositories == [] and record.signals.ignored == []


def test_submitter_organisation_and_relative_avatar():
    entry = hf_entry()
    entry["paper"]["submittedOnDailyBy"] = {"name": "akhaliq", "fullname": "AK"}
    entry["organization"] = {"name": "MIT", "fullname": "MIT", "avatar": "/avatars/mit.png"}
    entry["paper"]["projectPage"] = "https://example.org/project/"
    entry["paper"]["githubRepo"] = "https://gitlab.com/group/sub/project.git"
    entry["paper"]["githubStars"] = 9  # HF counts GitHub stars: not a GitLab project's
    (record,) = parse_bytes(hf_array([entry]))
    fields = record.signals.fields
    assert fields["hf_submitted_by"] == "akhaliq"
    assert fields["org_avatar"] == "https://huggingface.co/avatars/mit.png"
    assert fields["project_page"] == "https://example.org/project/"
    assert record.signals.repositories == [("gitlab", "group/sub/project")]
    assert record.signals.stars == {}
    entry["paper"]["submittedOnDailyBy"] = {"user": " ", "name": "akhaliq"}
    (record,) = parse_bytes(hf_array([entry]))
    assert record.signals.fields["hf_submitted_by"] == "akhaliq"
    entry["paper"]["submittedOnDailyBy"] = {"user": "zhiyuanhucs", "name": "Other"}
    entry["paper"]["organization"] = {"name": "NJU"}
    (record,) = parse_bytes(hf_array([entry]))
    assert record.signals.fields["hf_submitted_by"] == "zhiyuanhucs"
    assert record.signals.fields["org_name"] == "NJU"  # the paper's organisation first
    assert "org_avatar" not in record.signals.fields


def test_values_of_the_wrong_type_are_left_out_with_the_reason():
    entry = hf_entry("2501.00009")
    paper = entry["paper"]
    paper.update(
        upvotes="many",
        ai_keywords=["ok", 3],
        ai_summary=["not", "text"],
        projectPage="javascript:alert(1)",
        githubRepo="https://example.org/code",
        submittedOnDailyBy="akhaliq",
        organization={"name": "x" * 201, "avatar": "https://cdn.example/a.png"},
    )
    entry["numComments"] = -1
    (record,) = parse_bytes(hf_array([entry]))
    assert isinstance(record, PaperRecord)  # the paper is still stored
    assert set(record.signals.fields) == {"hf_day", "org_avatar"}
    assert record.signals.ignored == [
        "paper.upvotes 'many' is not a count: left out",
        "numComments -1 is not a count: left out",
        "paper.submittedOnDailyBy 'akhaliq' is not an object: left out",
        "paper.ai_summary ['not', 'text'] is not a text: left out",
        "paper.ai_keywords ['ok', 3] is not a list of texts: left out",
        "paper.projectPage 'javascript:alert(1)' is not an http(s) URL: left out",
        f"paper.organization.name '{'x' * 76}... is longer than 200 characters: left out",
        "paper.githubRepo 'https://example.org/code' is not a GitHub or GitLab repository URL: "
        "left out",
    ]


def test_star_counts_need_a_github_repository_and_a_count():
    entry = hf_entry()
    entry["paper"].update(githubRepo="https://github.com/a/b/tree/main/", githubStars=True)
    (record,) = parse_bytes(hf_array([entry]))
    assert record.signals.repositories == [("github", "a/b")] and record.signals.stars == {}
    assert record.signals.ignored == ["paper.githubStars True is not a count: left out"]


def test_doctests():
    assert doctest.testmod(hf).failed == 0
