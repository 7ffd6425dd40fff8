"""Index hand-over between processes and nodes: a long-lived web process serves what another
process ingested and indexed without a restart, a rebuild from the database equals incremental
sync, readers never see a half-written index, and a second node catches up with sync."""

from __future__ import annotations

import threading

import orjson
import pytest
from django.db import connection
from django.utils import timezone

from paperfeed.ingest.upsert import ingest
from paperfeed.papers.models import Paper
from paperfeed.search import lexical, paths
from paperfeed.search.sync import rebuild_indexes, sync_indexes
from tests.conftest import run_cli
from tests.ops.conftest import paper_record, store_papers

QUERY = "sparse attention"


def found(query: str = QUERY) -> set[str]:
    """Ids the app's lexical index returns, through this process's cached reader."""
    return {hit.id for hit in lexical.search_papers(query, limit=1000).hits}


def jsonl(ids: list[str], topic: str) -> bytes:
    lines = [
        {
            "id": pid,
            "title": f"{topic} for paper {pid}",
            "abstract": f"We study {topic} in depth.",
            "authors": ["Grace Hopper"],
            "categories": ["cs.LG"],
            "listed": "2026-11-20",
        }
        for pid in ids
    ]
    return b"\n".join(orjson.dumps(line) for line in lines) + b"\n"


def test_a_running_process_serves_papers_another_process_ingested(data_home):
    assert run_cli("init", home=data_home).returncode == 0
    first = run_cli("ingest", "-", home=data_home, input=jsonl(["2611.00001"], "graph pruning"))
    assert first.returncode == 0, first.stderr.decode()
    reader = lexical.current_index()  # the "web process" opens the index once
    assert found("graph pruning") == {"2611.00001"}
    generation = paths.generation_of(paths.current_dir("lexical"))

    more = jsonl(["2611.00002", "2611.00003"], "graph pruning")
    second = run_cli("ingest", "-", home=data_home, input=more)
    assert second.returncode == 0, second.stderr.decode()
    assert found("graph pruning") == {"2611.00001", "2611.00002", "2611.00003"}
    assert lexical.current_index() is reader  # same generation: reloaded, not reopened

    rebuilt = run_cli("index", "--rebuild", home=data_home)
    assert rebuilt.returncode == 0, rebuilt.stderr.decode()
    assert paths.generation_of(paths.current_dir("lexical")) > generation
    assert found("graph pruning") == {"2611.00001", "2611.00002", "2611.00003"}
    assert lexical.current_index() is not reader  # new generation: reopened


@pytest.mark.django_db
def test_rebuild_from_the_database_equals_incremental_sync(data_home):
    first = store_papers(4)
    sync_indexes(progress=False)
    store_papers(3)
    ingest([paper_record("Dense retrieval for long queries", arxiv_id="2611.99001")])
    Paper.objects.filter(arxiv_id=first[0]).update(deleted=True, updated_at=timezone.now())
    sync_indexes(progress=False)
    queries = [QUERY, "dense retrieval", "attention", "au:lovelace"]
    incremental = {q: found(q) for q in queries}
    everything = lexical.current_index().all_ids()
    assert len(everything) == 7 and first[0] not in everything
    assert len(incremental["attention"]) == 7 and incremental["dense retrieval"] == {"2611.99001"}

    result = rebuild_indexes(progress=False)
    assert result["lexical"]["action"] == "rebuilt"
    assert {q: found(q) for q in queries} == incremental
    assert lexical.current_index().all_ids() == everything


@pytest.mark.django_db(transaction=True)
def test_readers_see_the_old_or_the_new_index_never_a_half_written_one(data_home):
    old = set(store_papers(3))
    rebuild_indexes(progress=False)
    assert found() == old
    new = old | set(store_papers(400))
    errors: list[BaseException] = []

    def rebuild_twice():
        try:
            for _ in range(2):
                rebuild_indexes(progress=False)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=rebuild_twice)
    writer.start()
    seen = []
    while writer.is_alive():
        result = found()
        assert result in (old, new), f"a search saw {len(result)} papers, neither old nor new"
        seen.append(len(result))
    writer.join()
    assert not errors, errors
    assert found() == new and seen  # the searches ran while the rebuilds did
    assert seen == sorted(seen), "a search went back to the old index after seeing the new one"


@pytest.mark.django_db
def test_a_reader_between_the_pointer_swap_and_the_old_generations_removal_retries(
    data_home, monkeypatch
):
    """The pointer named a generation a rebuild removed a moment later: read it again."""
    old = set(store_papers(3))
    rebuild_indexes(progress=False)
    real = paths.current_dir
    reads = []

    def current_dir(kind):  # the first read: a generation already gone
        reads.append(kind)
        return None if len(reads) == 1 else real(kind)

    monkeypatch.setattr(paths, "current_dir", current_dir)
    lexical._open.clear()
    assert found() == old and len(reads) == 2
    monkeypatch.setattr(paths, "current_dir", lambda kind: None)  # gone for good
    with pytest.raises(lexical.IndexMissing, match="incomplete"):
        found()


@pytest.mark.django_db
def test_a_second_node_catches_up_with_sync_after_the_first_ingested(tmp_path, settings):
    node_a, node_b = tmp_path / "node-a", tmp_path / "node-b"
    node_a.mkdir()
    node_b.mkdir()
    before = set(store_papers(2))
    for home in (node_a, node_b):
        settings.DATA_DIR = home
        sync_indexes(progress=False)
        assert found() == before

    settings.DATA_DIR = node_a  # node A ingests and syncs its own copy
    after = before | set(store_papers(3))
    sync_indexes(progress=False)
    assert found() == after

    settings.DATA_DIR = node_b  # node B still serves its last sync until it syncs itself
    assert found() == before
    result = sync_indexes(progress=False)
    assert result["lexical"]["action"] == "synced" and result["lexical"]["indexed"] == 3
    assert found() == after
    assert paths.current_dir("lexical").parent == node_b / "index"
