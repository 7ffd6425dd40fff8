"""A node's own catch-up: the cheap "is it behind?" checks, one catch-up round, and the
throttle that starts at most one background round per interval."""

from __future__ import annotations

import threading

import pytest

from paperfeed.papers.models import Paper
from paperfeed.search import catchup, embedding_job, paths
from paperfeed.search.encoders import load_encoder
from paperfeed.search.lexical import current_index
from paperfeed.search.sync import rebuild_indexes, sync_indexes
from tests.ops.conftest import store_papers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    catchup.reset()
    yield
    catchup.reset()


@pytest.fixture
def synced(data_home, settings):
    settings.PAPERFEED_EMBEDDING_MODEL = "hashing:64"
    ids = store_papers(4)
    embedding_job.embed_missing(load_encoder())
    rebuild_indexes(progress=False)
    assert not catchup.lexical_behind() and not catchup.vectors_behind()
    return ids


def test_a_node_without_an_index_is_not_built_by_catch_up(data_home):
    store_papers(2)
    assert not catchup.lexical_behind() and not catchup.vectors_behind()
    assert catchup.catch_up() == {"lexical": "current", "vectors": "current"}
    assert paths.current_dir("lexical") is None  # `paperfeed index --rebuild` builds it


def test_new_papers_put_the_node_behind_and_one_round_catches_up(synced):
    new = store_papers(3)
    assert catchup.lexical_behind()
    result = catchup.catch_up()
    assert result["lexical"]["action"] == "synced" and result["lexical"]["indexed"] == 3
    assert not catchup.lexical_behind()
    assert catchup.catch_up() == {"lexical": "current", "vectors": "current"}
    assert set(synced + new) == current_index().all_ids()


def test_votes_and_hiding_put_the_node_behind(synced):
    Paper.objects.filter(arxiv_id=synced[0]).update(upvotes=7)  # votes leave updated_at alone
    assert catchup.lexical_behind()
    catchup.catch_up()
    assert not catchup.lexical_behind()
    paper = Paper.objects.get(arxiv_id=synced[1])
    paper.hidden = True
    paper.save()
    assert catchup.lexical_behind()
    catchup.catch_up()
    assert synced[1] not in current_index().all_ids()


def test_rows_removed_from_the_database_put_the_node_behind(synced):
    Paper.objects.filter(arxiv_id=synced[2]).delete()
    assert catchup.lexical_behind()
    catchup.catch_up()
    assert not catchup.lexical_behind()


def test_new_vectors_put_the_node_behind(synced):
    store_papers(2)
    sync_indexes(progress=False)  # lexical current, vectors: the new papers have none yet
    assert not catchup.vectors_behind()
    embedding_job.embed_missing(load_encoder())  # another node's worker embeds them
    assert catchup.vectors_behind()
    result = catchup.catch_up()
    assert result["lexical"] == "current" and result["vectors"]["added"] == 2
    assert not catchup.vectors_behind()


def test_a_busy_index_is_left_to_the_process_writing_it(synced):
    store_papers(1)
    with paths.write_lock("lexical"):
        assert catchup.catch_up()["lexical"] == "busy"
    assert catchup.lexical_behind()


def test_at_most_one_round_per_interval(settings, monkeypatch):
    settings.PAPERFEED_INDEX_CATCHUP_SECONDS = 30
    release = threading.Event()
    rounds = []
    monkeypatch.setattr(catchup, "_run", lambda: (rounds.append(1), release.wait(5)))
    clock = iter([100.0, 101.0, 200.0, 250.0])
    first = catchup.maybe_start(now=lambda: next(clock))
    assert first is not None
    assert catchup.maybe_start(now=lambda: next(clock)) is None  # 1 s later: too soon
    assert catchup.maybe_start(now=lambda: next(clock)) is None  # later, but still running
    release.set()
    first.join(5)
    assert catchup.maybe_start(now=lambda: next(clock)) is not None
    assert len(rounds) == 2


def test_zero_turns_it_off(settings, monkeypatch):
    settings.PAPERFEED_INDEX_CATCHUP_SECONDS = 0
    monkeypatch.setattr(catchup, "_run", lambda: pytest.fail("must not run"))
    assert catchup.maybe_start() is None


def test_the_middleware_answers_even_when_starting_fails(rf, monkeypatch):
    def broken():
        raise RuntimeError("no threads left")

    monkeypatch.setattr(catchup, "maybe_start", broken)
    middleware = catchup.IndexCatchUpMiddleware(lambda request: "response")
    assert middleware(rf.get("/")) == "response"
