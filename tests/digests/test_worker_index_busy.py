"""The worker's index step while another process of the node writes the index (a web process
catching up after votes): it waits for the lock instead of failing the round. Found by
benchmarks/bench_load.py, where ``paperfeed worker --once`` exited 1 under load."""

from __future__ import annotations

import threading

import pytest

from paperfeed.digests import worker
from paperfeed.search import paths
from paperfeed.search.lexical import search_papers
from tests.search.test_sync import record, store

pytestmark = pytest.mark.django_db


def test_index_step_waits_for_another_writer_then_indexes(data_home):
    store(record(1))
    locked, release = threading.Event(), threading.Event()

    def other_writer():
        with paths.write_lock("lexical"):
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=other_writer)
    holder.start()
    try:
        assert locked.wait(10)
        threading.Timer(0.5, release.set).start()  # the other sync finishes half a second later
        worker.index_step(wait=2.5)
    finally:
        release.set()
        holder.join(10)
    assert [hit.id for hit in search_papers("number1").hits] == ["2503.00001"]


def test_index_step_fails_when_the_index_stays_busy(data_home):
    store(record(1))
    with paths.write_lock("lexical"), pytest.raises(SystemExit) as exit_info:
        worker.index_step(wait=0.03)
    assert exit_info.value.code == 3
