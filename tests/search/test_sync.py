"""Keeping the lexical index in step with the database: build, incremental sync, rebuild."""

import datetime as dt
import gzip
import io
import itertools
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from paperfeed.ingest.jsonl import parse as parse_jsonl
from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search import paths
from paperfeed.search.lexical import IndexMissing, LexicalIndex, current_index, search_papers
from paperfeed.search.sync import index_status, read_state, rebuild_indexes, sync_indexes
from tests.conftest import shared_file

pytestmark = pytest.mark.django_db


def record(i: int, **kw) -> dict:
    obj = {
        "id": f"2503.{i:05d}",
        "title": f"Paper number{i} about topic{i % 3}",
        "abstract": f"Abstract of paper {i}, shared words everywhere.",
        "authors": [f"Author{i} Lastname{i}", "Common Person"],
        "categories": ["cs.CL"] if i % 2 else ["cs.CV", "cs.LG"],
        "listed": "2025-03-18",
    }
    obj.update(kw)
    return obj


def store(*objs: dict):
    data = "".join(json.dumps(o) + "\n" for o in objs).encode()
    return ingest(parse_jsonl(io.BytesIO(data), "test.jsonl"))


def age_everything(hours: int = 2) -> None:
    """Pretend every stored change is old, so the overlap window does not re-read it."""
    Paper.objects.update(updated_at=timezone.now() - dt.timedelta(hours=hours))


def found(query: str) -> list[str]:
    return [h.id for h in search_papers(query, limit=50).hits]


def test_search_before_any_index_says_how_to_build_one(data_home):
    with pytest.raises(IndexMissing, match="paperfeed index --rebuild"):
        search_papers("anything")
    assert search_papers("   ").hits == []


def test_first_sync_builds_the_index(data_home):
    store(*(record(i) for i in range(1, 11)))
    result = sync_indexes(progress=False)["lexical"]
    assert result == {
        "action": "rebuilt",
        "generation": 1,
        "indexed": 10,
        "deleted": 0,
        "papers": 10,
    }
    assert found("number7") == ["2503.00007"]
    assert paths.current_dir("lexical") == data_home / "index" / "lexical-000001"
    state = read_state(paths.current_dir("lexical"))
    assert state["papers"] == 10 and state["watermark"]


def test_incremental_sync_adds_only_new_updates_changed_and_drops_deleted(data_home):
    store(*(record(i) for i in range(1, 11)))
    age_everything()
    sync_indexes(progress=False)
    assert sync_indexes(progress=False)["lexical"]["indexed"] == 0  # nothing new

    store(record(11), record(12))
    result = sync_indexes(progress=False)["lexical"]
    assert (result["action"], result["indexed"], result["papers"]) == ("synced", 2, 12)
    assert found("number12") == ["2503.00012"]

    age_everything()
    store(record(3, title="Completely renamed quokka study"))  # same version: overrides
    result = sync_indexes(progress=False)["lexical"]
    assert result["indexed"] == 1
    assert found("quokka") == ["2503.00003"]
    assert found("number3") == []

    age_everything()
    Paper.objects.filter(arxiv_id="2503.00004").update(deleted=True, updated_at=timezone.now())
    result = sync_indexes(progress=False)["lexical"]
    assert (result["deleted"], result["papers"]) == (1, 11)
    assert found("number4") == []


def test_hidden_papers_leave_the_index_and_votes_reach_the_upvote_sort(data_home):
    store(*(record(i) for i in range(1, 6)))
    sync_indexes(progress=False)
    age_everything()
    Paper.objects.filter(arxiv_id="2503.00002").update(hidden=True, updated_at=timezone.now())
    Paper.objects.filter(arxiv_id="2503.00004").update(upvotes=9)  # votes keep updated_at
    Paper.objects.filter(arxiv_id="2503.00005").update(upvotes=3)
    result = sync_indexes(progress=False)["lexical"]
    assert (result["indexed"], result["deleted"], result["papers"]) == (2, 1, 4)
    assert found("number2") == []
    by_votes = [h.id for h in search_papers("paper", sort="upvotes").hits]
    assert by_votes[:2] == ["2503.00004", "2503.00005"]
    Paper.objects.filter(arxiv_id="2503.00004").update(upvotes=0)
    assert sync_indexes(progress=False)["lexical"]["indexed"] == 1
    assert [h.id for h in search_papers("paper", sort="upvotes").hits][0] == "2503.00005"


def test_rows_removed_from_the_database_are_reconciled(data_home):
    store(*(record(i) for i in range(1, 6)))
    sync_indexes(progress=False)
    age_everything()
    Paper.objects.filter(arxiv_id="2503.00002").delete()
    result = sync_indexes(progress=False)["lexical"]
    assert result["deleted"] == 1 and result["papers"] == 4
    assert found("number2") == []


def test_rebuild_gives_the_same_results_as_incremental(data_home):
    store(*(record(i) for i in range(1, 21)))
    age_everything()
    sync_indexes(progress=False)
    store(
        *(record(i, abstract=f"Revised abstract {i} with transformers") for i in range(5, 9)),
        *(record(i) for i in range(21, 31)),
    )
    sync_indexes(progress=False)
    queries = [
        "paper",
        "transformers",
        "topic1",
        "author:common",
        "cat:cs.CV shared",
        "number25 OR number6",
    ]
    # Same papers and totals; scores may differ a little, since replaced documents still count
    # in BM25's statistics until tantivy merges their segments.
    incremental = {q: sorted(h.id for h in search_papers(q, limit=50).hits) for q in queries}
    old_dir = paths.current_dir("lexical")
    result = rebuild_indexes(progress=False)["lexical"]
    assert (result["generation"], result["papers"]) == (2, 30)
    assert not old_dir.exists()
    rebuilt = {q: sorted(h.id for h in search_papers(q, limit=50).hits) for q in queries}
    assert rebuilt == incremental
    assert all(rebuilt[q] for q in queries)
    assert (
        "2503.00006" in rebuilt["transformers"] and "2503.00025" in rebuilt["number25 OR number6"]
    )


def test_a_reader_sees_commits_and_rebuilds_from_other_writers(data_home):
    store(*(record(i) for i in range(1, 4)))
    sync_indexes(progress=False)
    reader = current_index()
    assert reader.num_docs == 3
    writer = LexicalIndex.open(paths.current_dir("lexical"))
    writer.add_documents(
        [{"id": "2503.09999", "title": "Wombat", "abstract": "", "authors": [], "categories": []}]
    )
    writer.commit()
    writer.close()
    assert found("wombat") == ["2503.09999"]
    rebuild_indexes(progress=False)
    assert found("wombat") == []  # the new generation is read from the database


def test_a_second_writer_is_told_the_index_is_busy(data_home):
    with paths.write_lock("lexical"), pytest.raises(paths.IndexBusy, match="another process"):
        sync_indexes(progress=False)


def test_a_failed_rebuild_leaves_the_published_index(data_home, monkeypatch):
    store(record(1))
    sync_indexes(progress=False)
    published = paths.current_dir("lexical")

    def broken(ids=None):
        yield {"id": "2503.00001", "title": "x"}
        raise RuntimeError("database went away")

    monkeypatch.setattr("paperfeed.search.sync.paper_documents", broken)
    with pytest.raises(RuntimeError, match="went away"):
        rebuild_indexes(progress=False)
    assert paths.current_dir("lexical") == published
    assert sorted(p.name for p in (data_home / "index").glob("lexical-*")) == ["lexical-000001"]
    assert found("number1") == ["2503.00001"]


def test_status_reports_counts_watermark_and_size(data_home):
    assert index_status()["generation"] is None
    store(*(record(i) for i in range(1, 6)))
    sync_indexes(progress=False)
    status = index_status()
    assert (status["papers_in_db"], status["papers_in_index"], status["generation"]) == (5, 5, 1)
    assert status["size_bytes"] > 0 and status["changed_since_sync"] == 0
    store(record(6))
    assert index_status()["changed_since_sync"] == 1


@pytest.mark.slow
def test_researchers_phrasing_finds_the_paper_in_the_real_corpus(data_home):
    path = shared_file("data", "arxiv-cs-2025-2026.jsonl.gz")
    with gzip.open(path, "rb") as handle:
        head = b"".join(itertools.islice(handle, 5000))
    summary = ingest(parse_jsonl(io.BytesIO(head), path.name))
    assert summary.new == 5000
    assert sync_indexes(progress=False)["lexical"]["papers"] == 5000
    # How someone who half-remembers a paper would type it, not its title.
    wanted = {
        "video forensics network multiple kinds of forensic evidence": "2503.20991",
        "6d pose estimation of articulated parts from rgb-d": "2504.11230",
        "quality of benchmark datasets for turkish": "2504.09714",
        "talking head lip encoder phoneme viseme": "2504.05803",
        "dermoscopic images diagnosis bias vision-language": "2504.01838",
        "author:guevara quasi-crystalline": "2504.11986",
        "zero-shot composed image retrieval world model cat:cs.CV": "2503.17109",
    }
    for query, paper_id in wanted.items():
        top = [h.id for h in search_papers(query, limit=3).hits]
        assert paper_id in top, (query, top)
    assert search_papers("2504.11277").hits[0].id == "2504.11277"


def test_index_command_exits_3_while_another_process_writes(data_home):
    store(record(1))
    with paths.write_lock("lexical"), pytest.raises(SystemExit) as exit_info:
        call_command("index", stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_info.value.code == 3
    out = io.StringIO()
    call_command("index", "--json", stdout=out)
    assert json.loads(out.getvalue())["lexical"]["papers"] == 1
